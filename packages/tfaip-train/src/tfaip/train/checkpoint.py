"""Checkpoints: the complete training state in one directory that appears atomically.

    checkpoint/
        variables.npz          model weights, the states of its random seed generators (dropout), the
                               optimizer's variables (EMA averages, step counter, accumulated
                               gradients); inside an epoch also the running epoch metrics; the weights
                               of a best model whose export to best/ is still due, if any
        training_state.json    the `TrainingState`: epochs and steps done, best value and its epoch,
                               the early-stopping counter, the reason to stop
        data_position.pkl      where the training data stands (`DataPipeline.state_dict`), the state
                               of python's and numpy's global random generators, and what identifies
                               the data (sample count, the scenario's code)
        trainer_params.json    the run's params (as in the output dir), so the checkpoint is self-contained

`tfaip-resume-training` reads all of it; a run killed at any moment leaves either the previous or
the new checkpoint, never a mix (the directory is written aside and renamed into place). This
module is the one reader of `variables.npz` (`read_variables`, which warm-start uses too).
Checkpoints of tfaip-train 0.1 have no `training_state.json` (their state is read from the
`trainer_params.json` they hold); those before 0.3 have no seed states and no data position.
`data_position.pkl` is a pickle (the samples waiting for a batch are python objects): load
checkpoints you trust only, as with any pickle.
"""

import json
import os
import pickle
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

import keras
import numpy as np

from tfaip.data import ConfigError
from tfaip.data.util.files import TRAINER_PARAMS_FILE, atomic_file, write_json_atomically
from tfaip.model import atomic_directory
from tfaip.train.training_state import TrainingState

VARIABLES = "variables.npz"
STATE = "training_state.json"
POSITION = "data_position.pkl"
# the groups of variables.npz; SEEDS and METRICS are optional (older checkpoints, epoch ends)
MODEL, SEEDS, OPTIMIZER, METRICS, BEST = "model", "seeds", "optimizer", "metrics", "best"
_PATHS = "__paths__"


def _named(variables: List[Any], prefix: str) -> Dict[str, Any]:
    return {f"{prefix}/{i:05d}": v for i, v in enumerate(variables)}


def _seed_variables(model: keras.Model) -> List[Any]:
    """The states of the model's random seed generators: its variables that are no weights."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def _state_variables(model: keras.Model) -> Dict[str, Any]:
    variables = _named(model.weights, MODEL)
    variables.update(_named(_seed_variables(model), SEEDS))
    if model.optimizer is not None:
        variables.update(_named(model.optimizer.variables, OPTIMIZER))
    return variables


class Values(NamedTuple):
    """The variables a checkpoint stores: key -> value, and key -> the variable's path."""

    arrays: Dict[str, np.ndarray]
    paths: Dict[str, str]


def read_values(model: keras.Model, with_metrics: bool = False) -> Values:
    """The values of the model's variables and its optimizer's, as `write_checkpoint` stores them.

    `with_metrics` adds the running epoch metrics (`model.metrics_variables`), for a checkpoint
    inside an epoch. Under a multi-worker strategy, reading the metrics sums them over the workers,
    so every worker must call this at the same point.
    """
    variables = _state_variables(model)
    if with_metrics:
        variables.update(_named(model.metrics_variables, METRICS))
    return Values({key: v.numpy() for key, v in variables.items()}, {key: v.path for key, v in variables.items()})


def write_checkpoint(
    path: str,
    values: Values,
    trainer_params: Dict[str, Any],
    state: TrainingState,
    best_weights: Optional[Sequence[Any]] = None,
    position: Optional[Dict[str, Any]] = None,
) -> None:
    """Write the variables' `values` (`read_values`), `state` and `trainer_params` to `path` atomically.

    Args:
        path: the checkpoint directory (replaced as a whole).
        values: the model's and its optimizer's variables (`read_values`).
        trainer_params: the run's params (`TrainerParams.to_dict()`).
        state: how far the run got.
        best_weights: values of `model.weights` of a best model not yet exported to best/.
        position: where the data stands (`data_position.pkl`, any picklable dict).
    """
    arrays = dict(values.arrays)
    if best_weights is not None:
        arrays.update(_named([np.asarray(w) for w in best_weights], BEST))
    with atomic_directory(path, overwrite=True) as tmp:
        with atomic_file(os.path.join(tmp, VARIABLES), "wb") as f:  # synced before the directory is renamed
            np.savez(f, **arrays, **{_PATHS: np.array(json.dumps(values.paths))})
        if position is not None:
            with atomic_file(os.path.join(tmp, POSITION), "wb") as f:
                pickle.dump(position, f, protocol=pickle.HIGHEST_PROTOCOL)
        write_json_atomically(os.path.join(tmp, STATE), state.state_dict())
        write_json_atomically(os.path.join(tmp, TRAINER_PARAMS_FILE), trainer_params)


def has_checkpoint(path: str) -> bool:
    """Whether `path` holds a checkpoint (of this version or of tfaip-train 0.1)."""
    return os.path.isfile(os.path.join(path, VARIABLES))


def read_training_state(path: str) -> TrainingState:
    """The `TrainingState` of the checkpoint at `path` (for a checkpoint of tfaip-train 0.1: from its params).

    Raises:
        ConfigError: if `path` holds no checkpoint, or its state cannot be read.
    """
    state_file, params_file = os.path.join(path, STATE), os.path.join(path, TRAINER_PARAMS_FILE)
    try:
        if os.path.isfile(state_file):
            with open(state_file, encoding="utf-8") as f:
                return TrainingState.from_state_dict(json.load(f))
        if os.path.isfile(params_file):
            with open(params_file, encoding="utf-8") as f:
                params = json.load(f)
            if "current_epoch" in params:  # written by tfaip-train 0.1
                return TrainingState.from_legacy_trainer_params(params)
    except (OSError, ValueError, TypeError, AttributeError) as e:
        raise ConfigError(f"The training state of the checkpoint at {path} cannot be read ({e}).") from e
    raise ConfigError(
        f"No checkpoint at {path} ({STATE} is missing): the run wrote none yet (it stopped in its first epoch or ran "
        "with --trainer.write_checkpoints False); start it again with tfaip-train."
    )


def read_checkpoint_params(path: str) -> Dict[str, Any]:
    """The trainer params the checkpoint at `path` was written with ({} if it holds none)."""
    try:
        with open(os.path.join(path, TRAINER_PARAMS_FILE), encoding="utf-8") as f:
            params = json.load(f)
    except (OSError, ValueError):
        return {}
    return params if isinstance(params, dict) else {}


def read_variables(path: str, group: Optional[str] = None) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """The arrays of the checkpoint at `path` by key (`model/00003`), and the variable path of each key.

    Args:
        path: the checkpoint directory.
        group: only the keys of this group: "model" (the weights), "optimizer" or "best" (weights
            of a best model still to be exported, which have no paths); default: all.

    Raises:
        ConfigError: if `path` holds no `variables.npz`.
    """
    file = os.path.join(path, VARIABLES)
    if not os.path.isfile(file):
        raise ConfigError(f"{path} is no checkpoint: it has no {VARIABLES}.")
    with np.load(file, allow_pickle=False) as stored:
        paths: Dict[str, str] = json.loads(str(stored[_PATHS]))
        keys = [k for k in stored.files if k != _PATHS and (group is None or k.startswith(f"{group}/"))]
        return {k: stored[k] for k in keys}, {k: paths[k] for k in keys if k in paths}


class Restored(NamedTuple):
    """What `load_checkpoint` read besides the variables it assigned."""

    best_weights: Optional[List[np.ndarray]]  # a best model still to be exported (None: best/ is up to date)
    metrics: Optional[List[np.ndarray]]  # the running epoch metrics of a checkpoint inside an epoch
    seeds: bool  # False: the model's seed generators start afresh (the checkpoint is older than tfaip-train 0.3)


def load_checkpoint(path: str, model: keras.Model) -> Restored:
    """Restore the variables written by `write_checkpoint` into `model` and its optimizer.

    The optimizer must be built (`optimizer.build(model.trainable_variables)`). The epoch metrics
    are returned, not assigned: keras resets them when the epoch (re)starts.
    """
    arrays, paths = read_variables(path)
    variables = _state_variables(model)
    seeds = any(key.startswith(f"{SEEDS}/") for key in paths) or not _seed_variables(model)
    if not seeds:  # written before the seeds were saved: they start afresh
        variables = {key: v for key, v in variables.items() if not key.startswith(f"{SEEDS}/")}
    stored = {key for key in paths if not key.startswith(f"{METRICS}/")}
    if stored != set(variables):
        raise ConfigError(
            f"The checkpoint at {path} holds {len(stored)} variables, the model and optimizer {len(variables)}: "
            "it was written by a different model or optimizer configuration."
        )
    for key, variable in variables.items():
        value = arrays[key]
        if tuple(value.shape) != tuple(variable.shape):
            raise ConfigError(
                f"The checkpoint at {path} stores {paths[key]} with shape {value.shape}, but {variable.path} has "
                f"shape {tuple(variable.shape)}: it was written by a different model."
            )
        variable.assign(value)
    return Restored(_group(arrays, BEST), _group(arrays, METRICS), seeds)


def _group(arrays: Dict[str, np.ndarray], group: str) -> Optional[List[np.ndarray]]:
    keys = sorted(key for key in arrays if key.startswith(f"{group}/"))
    return [arrays[key] for key in keys] if keys else None


def read_position(path: str) -> Optional[Dict[str, Any]]:
    """The data position of the checkpoint at `path` (None: written before tfaip-train 0.3 saved it).

    Raises:
        ConfigError: if the position file cannot be read.
    """
    file = os.path.join(path, POSITION)
    if not os.path.isfile(file):
        return None
    try:
        with open(file, "rb") as f:
            position = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
        raise ConfigError(f"The data position of the checkpoint at {path} cannot be read ({e}).") from e
    if not isinstance(position, dict):
        raise ConfigError(f"The data position of the checkpoint at {path} is no dict: {type(position).__name__}.")
    return position
