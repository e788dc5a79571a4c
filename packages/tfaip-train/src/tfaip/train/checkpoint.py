"""Checkpoints: the complete training state in one directory that appears atomically.

    checkpoint/
        variables.npz          model weights and optimizer variables (EMA averages, step counter); the
                               weights of a best model whose export to best/ is still due, if any
        trainer_params.json    the params with the state: epoch, best value, early-stopping counter

`tfaip-resume-training` reads both; a run killed at any moment leaves either the previous or
the new checkpoint, never a mix (the directory is written aside and renamed into place).
"""

import json
import os
from typing import Any, Dict, List, Optional, Sequence

import keras
import numpy as np

from tfaip.data import ConfigError
from tfaip.model import atomic_directory

VARIABLES = "variables.npz"
PARAMS = "trainer_params.json"
BEST = "best"


def _named(variables: List[Any], prefix: str) -> Dict[str, Any]:
    return {f"{prefix}/{i:05d}": v for i, v in enumerate(variables)}


def _state_variables(model: keras.Model) -> Dict[str, Any]:
    variables = _named(model.weights, "model")
    if model.optimizer is not None:
        variables.update(_named(model.optimizer.variables, "optimizer"))
    return variables


def write_checkpoint(
    path: str, model: keras.Model, trainer_params: Dict[str, Any], best_weights: Optional[Sequence[Any]] = None
) -> None:
    """Write the model's weights, its optimizer's variables and `trainer_params` to `path` atomically.

    `best_weights` (values of `model.weights`) are a best model not yet exported to best/.
    """
    variables = _state_variables(model)
    arrays = {key: v.numpy() for key, v in variables.items()}
    paths = {key: v.path for key, v in variables.items()}
    if best_weights is not None:
        arrays.update(_named([np.asarray(w) for w in best_weights], BEST))
    with atomic_directory(path, overwrite=True) as tmp:
        with open(os.path.join(tmp, VARIABLES), "wb") as f:
            np.savez(f, **arrays, __paths__=np.array(json.dumps(paths)))
        with open(os.path.join(tmp, PARAMS), "w", encoding="utf-8") as f:
            json.dump(trainer_params, f, indent=2)


def read_checkpoint_params(path: str) -> Dict[str, Any]:
    """The trainer params dict stored in the checkpoint at `path`."""
    file = os.path.join(path, PARAMS)
    if not os.path.isfile(file):
        raise ConfigError(
            f"No checkpoint at {path} ({PARAMS} is missing): the run wrote none yet (it stopped in its first epoch "
            "or ran with --trainer.write_checkpoints False); start it again with tfaip-train."
        )
    with open(file, encoding="utf-8") as f:
        return json.load(f)


def load_checkpoint(path: str, model: keras.Model) -> Optional[List[np.ndarray]]:
    """Restore the weights and optimizer variables written by `write_checkpoint` into `model`.

    The optimizer must be built (`optimizer.build(model.trainable_variables)`). Returns the
    best weights still to be exported (None when best/ is up to date).
    """
    with np.load(os.path.join(path, VARIABLES), allow_pickle=False) as stored:
        paths = json.loads(str(stored["__paths__"]))
        variables = _state_variables(model)
        if set(paths) != set(variables):
            raise ConfigError(
                f"The checkpoint at {path} holds {len(paths)} variables, the model and optimizer {len(variables)}: "
                "it was written by a different model or optimizer configuration."
            )
        for key, variable in variables.items():
            value = stored[key]
            if tuple(value.shape) != tuple(variable.shape):
                raise ConfigError(
                    f"The checkpoint at {path} stores {paths[key]} with shape {value.shape}, but {variable.path} has "
                    f"shape {tuple(variable.shape)}: it was written by a different model."
                )
            variable.assign(value)
        best = sorted(key for key in stored.files if key.startswith(f"{BEST}/"))
        return [stored[key] for key in best] if best else None
