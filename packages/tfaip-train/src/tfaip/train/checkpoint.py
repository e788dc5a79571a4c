"""Checkpoints: the complete training state in one directory that appears atomically.

    checkpoint/
        variables.npz          model weights and optimizer variables (EMA averages, step counter); the
                               weights of a best model whose export to best/ is still due, if any
        training_state.json    the `TrainingState`: epochs done, best value and its epoch, the
                               early-stopping counter, the reason to stop
        trainer_params.json    the run's params (as in the output dir), so the checkpoint is self-contained

`tfaip-resume-training` reads the state and the variables; a run killed at any moment leaves
either the previous or the new checkpoint, never a mix (the directory is written aside and
renamed into place). This module is the one reader of `variables.npz` (`read_variables`, which
warm-start uses too). Checkpoints of tfaip-train 0.1 have no `training_state.json`: their state
is read from the `trainer_params.json` they hold.
"""

import json
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import keras
import numpy as np

from tfaip.data import ConfigError
from tfaip.data.util.files import TRAINER_PARAMS_FILE, atomic_file, write_json_atomically
from tfaip.model import atomic_directory
from tfaip.train.training_state import TrainingState

VARIABLES = "variables.npz"
STATE = "training_state.json"
MODEL, OPTIMIZER, BEST = "model", "optimizer", "best"  # the groups of variables.npz
_PATHS = "__paths__"


def _named(variables: List[Any], prefix: str) -> Dict[str, Any]:
    return {f"{prefix}/{i:05d}": v for i, v in enumerate(variables)}


def _state_variables(model: keras.Model) -> Dict[str, Any]:
    variables = _named(model.weights, MODEL)
    if model.optimizer is not None:
        variables.update(_named(model.optimizer.variables, OPTIMIZER))
    return variables


def write_checkpoint(
    path: str,
    model: keras.Model,
    trainer_params: Dict[str, Any],
    state: TrainingState,
    best_weights: Optional[Sequence[Any]] = None,
) -> None:
    """Write the model's weights, its optimizer's variables, `state` and `trainer_params` to `path` atomically.

    `best_weights` (values of `model.weights`) are a best model not yet exported to best/.
    """
    variables = _state_variables(model)
    arrays = {key: v.numpy() for key, v in variables.items()}
    paths = {key: v.path for key, v in variables.items()}
    if best_weights is not None:
        arrays.update(_named([np.asarray(w) for w in best_weights], BEST))
    with atomic_directory(path, overwrite=True) as tmp:
        with atomic_file(os.path.join(tmp, VARIABLES), "wb") as f:  # synced before the directory is renamed
            np.savez(f, **arrays, **{_PATHS: np.array(json.dumps(paths))})
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


def load_checkpoint(path: str, model: keras.Model) -> Optional[List[np.ndarray]]:
    """Restore the weights and optimizer variables written by `write_checkpoint` into `model`.

    The optimizer must be built (`optimizer.build(model.trainable_variables)`). Returns the
    best weights still to be exported (None when best/ is up to date).
    """
    arrays, paths = read_variables(path)
    variables = _state_variables(model)
    if set(paths) != set(variables):
        raise ConfigError(
            f"The checkpoint at {path} holds {len(paths)} variables, the model and optimizer {len(variables)}: "
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
    best = sorted(key for key in arrays if key.startswith(f"{BEST}/"))
    return [arrays[key] for key in best] if best else None
