"""The data position a checkpoint carries, and the check that a resumed run still reads the same data.

    checkpoint/data_position.pkl = {
        "version": 1,
        "train": the training pipeline's state after the batches trained on (None: a pipeline of
                 several stages, which has no position),
        "random", "numpy": the states of python's and numpy's global random generators,
        "identity": {"samples": training samples per pass, "code": {module: sha256 of its file}},
        "workers": (multi-worker runs) the position of each worker, in worker order,
    }

A resumed run is exact when the data and the code are those of the checkpoint. Where they are
not, `resume_position` says what changed: the order of the samples (and so every result after
the resume) is then no longer that of an unbroken run, and the run goes on regardless.
"""

import hashlib
import logging
import random
import sys
from typing import Any, Dict, List, Optional

import numpy as np

from tfaip.data import ConfigError, DataPipeline

logger = logging.getLogger(__name__)

VERSION = 1
# params that change neither the data nor the numbers of a run
_WITHOUT_EFFECT = {
    "output_dir", "checkpoint_dir", "overwrite_output_dir", "write_checkpoints", "checkpoint_every_n_steps",
    "checkpoint_every_minutes", "export_best", "export_best_budget", "export_final", "lav_silent", "profile",
    "progress_bar", "verbose",
}  # fmt: skip


def scenario_code(scenario: Any) -> Dict[str, str]:
    """sha256 of the source file of each loaded module of the scenario's package (its data, processors, graphs)."""
    module = type(scenario).__module__
    package = module.rpartition(".")[0] or module
    code = {}
    for name in sorted(n for n in list(sys.modules) if n in (module, package) or n.startswith(f"{package}.")):
        path = getattr(sys.modules[name], "__file__", None)
        if path and path.endswith(".py"):
            with open(path, "rb") as f:
                code[name] = hashlib.sha256(f.read()).hexdigest()
    return code


def data_position(train_state: Optional[Dict[str, Any]], identity: Dict[str, Any]) -> Dict[str, Any]:
    """The position to save: the training pipeline's state, the global random generators, the data's identity."""
    return {
        "version": VERSION,
        "train": train_state,
        "random": random.getstate(),
        "numpy": np.random.get_state(),
        "identity": identity,
    }


def resume_position(
    position: Optional[Dict[str, Any]],
    identity: Dict[str, Any],
    params: Dict[str, Any],
    checkpoint_params: Dict[str, Any],
    pipeline: DataPipeline,
) -> None:
    """Continue the data where the checkpoint's `position` stood; warn where the run cannot be exact.

    Loads the training pipeline's state into `pipeline` (unless the number of samples changed:
    then the data starts a new pass) and restores the global random generators.
    """
    if position is None:
        logger.warning(
            "The checkpoint holds no data position (written by tfaip-train < 0.3): the training data starts a new "
            "pass, so the run no longer ends as an unbroken one would."
        )
        return
    if position.get("version") != VERSION:
        raise ConfigError(
            f"The checkpoint's data position has version {position.get('version')}, this tfaip-train reads "
            f"{VERSION}: resume it with the tfaip-train that wrote it."
        )
    earlier = position["identity"]
    changes = []
    changed_params = _changed_params(checkpoint_params, params) if checkpoint_params else []
    if changed_params:
        changes.append(f"the params {', '.join(changed_params)}")
    changed_modules = sorted({name for name, _ in set(earlier["code"].items()) ^ set(identity["code"].items())})
    if changed_modules:
        changes.append(f"the code of {', '.join(changed_modules)}")
    same_samples = earlier["samples"] == identity["samples"]
    if not same_samples:
        changes.append(f"the training samples ({earlier['samples']} then, {identity['samples']} now)")
    if changes:
        logger.warning(
            "Since the checkpoint, %s changed: the run goes on, but no longer as an unbroken run would%s.",
            "; ".join(changes), "" if same_samples else " (the training data starts a new pass)",
        )  # fmt: skip
    elif position["train"] is None:
        logger.warning(
            "%s: its data starts a new pass, so the run no longer ends as an unbroken one would.",
            position.get("no_train", "The training pipeline has several processor stages, which have no position"),
        )
    if position["train"] is not None and same_samples:
        pipeline.load_state_dict(position["train"])
    random.setstate(position["random"])
    np.random.set_state(position["numpy"])


def worker_position(position: Optional[Dict[str, Any]], index: int, workers: int) -> Optional[Dict[str, Any]]:
    """The position of worker `index` of `workers` in a checkpoint's position.

    Where the checkpoint was written by another number of processes, the shards differ: the
    position then holds no training data position (the data starts a new pass).
    """
    if position is None or (position.get("workers") is None and workers == 1):
        return position
    shards = position.get("workers") or [position]
    if len(shards) == workers:
        return shards[index]
    return {
        **shards[0],
        "train": None,
        "no_train": f"The checkpoint was written by {len(shards)} worker(s), this run has {workers}, so the shards "
        "of the training data differ",
    }


def _changed_params(before: Dict[str, Any], now: Dict[str, Any]) -> List[str]:
    """The dotted names of the params that differ (those that change nothing left out), at most five."""
    names: List[str] = []

    def walk(a: Any, b: Any, name: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if not name and key in _WITHOUT_EFFECT:
                    continue
                walk(a.get(key), b.get(key), f"{name}.{key}" if name else key)
        elif a != b:
            names.append(name)

    walk(before, now, "")
    return names[:5] + (["..."] if len(names) > 5 else [])
