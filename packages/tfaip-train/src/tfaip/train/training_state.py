"""`TrainingState`: how far a run got, kept apart from its configuration (`TrainerParams`).

    Trainer.train() ── new run: TrainingState() ──┐
                    └─ resume: read_training_state(checkpoint) ──┴─► fit ── each step: Trainer sets step
        ── inside an epoch, when a checkpoint is due ──► checkpoint/ (step > 0)
        ── each epoch end: BestModelCallback updates best / best_epoch / epochs_without_improvement /
        stop_reason, Trainer sets epoch (and step 0) ──► checkpoint/training_state.json (with
        variables.npz and the data position, atomically)

`trainer_params.json` stays what the run was started with; `tfaip-resume-training` takes the
state from the checkpoint, so the epoch count and the early-stopping counters go on where they were.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Optional

from tfaip.data import ConfigError


@dataclass
class TrainingState:
    """The state of a training run that a checkpoint carries; reset when a new run starts.

    Args:
        epoch: epochs finished (the next fit starts with this 0-based epoch; default 0).
        step: steps done of the epoch after them (a checkpoint inside an epoch; default 0: at its start).
        stop_reason: why early stopping ended the run (default None: it did not).
        monitor: the value that decides the best model and early stopping, e.g. "val_acc" (default
            None: set when the run starts).
        best: the best value of `monitor` so far (default None: none validated yet).
        best_epoch: the 0-based epoch of `best` (default -1).
        epochs_without_improvement: checked epochs since `best` (early stopping's counter; default 0).

    Example:
        >>> state = TrainingState(epoch=3, best=0.91, best_epoch=2)
        >>> TrainingState.from_state_dict(state.state_dict()) == state
        True
    """

    epoch: int = 0
    step: int = 0
    stop_reason: Optional[str] = None
    monitor: Optional[str] = None
    best: Optional[float] = None
    best_epoch: int = -1
    epochs_without_improvement: int = 0

    def state_dict(self) -> Dict[str, Any]:
        """The state as a JSON-ready dict (`load_state_dict` reads it back)."""
        return dataclasses.asdict(self)

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Take over the values of a `state_dict()`; keys it lacks keep their defaults (states of older versions).

        Raises:
            ConfigError: for a key this version does not know (a state written by a newer tfaip).
        """
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(state) - names)
        if unknown:
            raise ConfigError(
                f"The training state holds {unknown}, which this tfaip-train does not know: it was written by a newer "
                "version; resume it with that version."
            )
        fresh = type(self)()
        for name in names:
            setattr(self, name, state.get(name, getattr(fresh, name)))

    @classmethod
    def from_state_dict(cls, state: Dict[str, Any]) -> "TrainingState":
        """A state with the values of a `state_dict()`."""
        training_state = cls()
        training_state.load_state_dict(state)
        return training_state

    @classmethod
    def from_legacy_trainer_params(cls, params: Dict[str, Any]) -> "TrainingState":
        """The state that tfaip-train 0.1 kept in `trainer_params.json` (`current_epoch`, early stopping, ...)."""
        early_stopping = params.get("early_stopping") or {}
        return cls(
            epoch=int(params.get("current_epoch", 0)),
            stop_reason=params.get("stop_reason"),
            monitor=early_stopping.get("monitor"),
            best=early_stopping.get("best"),
            best_epoch=int(early_stopping.get("best_epoch", -1)),
            epochs_without_improvement=int(early_stopping.get("n", 0)),
        )
