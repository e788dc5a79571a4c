"""Best-model tracking and early stopping (`--early_stopping.*`), resumable through the run's `TrainingState`."""

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import keras
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError
from tfaip.train.training_state import TrainingState

logger = logging.getLogger(__name__)


@pai_dataclass
@dataclass
class EarlyStoppingParams:
    """When to stop: `n_to_go` validations without improvement, or at once at a threshold.

    The monitored value and its mode come from the model's `_best_logging_settings`. For mode
    "max", counting starts only once the best value reached `lower_threshold`, and training
    stops at once when it reaches `upper_threshold`; mode "min" mirrors this.
    """

    n_to_go: int = field(
        default=-1, metadata=pai_meta(help="Stop after this many checked epochs without improvement (-1: never).")
    )
    frequency: int = field(default=1, metadata=pai_meta(help="Check every n-th epoch."))
    lower_threshold: float = field(default=-math.inf, metadata=pai_meta(help="See the class doc (mode max: start)."))
    upper_threshold: float = field(default=math.inf, metadata=pai_meta(help="See the class doc (mode max: stop)."))

    def __post_init__(self):
        if self.frequency < 1:
            raise ConfigError(f"EarlyStoppingParams.frequency must be >= 1, got {self.frequency}.")

    @classmethod
    def retired_fields(cls) -> Tuple[str, ...]:
        """The state of tfaip-train 0.1 (now in `TrainingState`), which old params files still hold."""
        return ("mode", "monitor", "best", "best_epoch", "n")


class BestModelCallback(keras.callbacks.Callback):
    """At each validated epoch: track the best value, export the best model, stop early.

    The best value, its epoch, the counter of epochs without improvement and the reason to stop
    live in `state` (the run's `TrainingState`, which the checkpoint carries), so a resumed run
    goes on counting where it was.

    Args:
        params: when to stop.
        state: the run's state (updated in place).
        mode: "max" or "min": whether a larger or a smaller value of `monitor` is better.
        monitor: the key of the epoch logs to watch, e.g. "val_acc".
        export_best: called when the monitored value improved (default None: no export).

    Example:
        >>> state = TrainingState()
        >>> best = BestModelCallback(EarlyStoppingParams(n_to_go=2), state, "max", "val_acc")
        >>> best.update(0, 0.8), best.update(1, 0.7)
        ((True, None), (False, None))
        >>> state.best, state.best_epoch, state.epochs_without_improvement
        (0.8, 0, 1)
    """

    def __init__(
        self,
        params: EarlyStoppingParams,
        state: TrainingState,
        mode: str,
        monitor: str,
        export_best: Optional[Callable[[], None]] = None,
    ):
        super().__init__()
        if mode not in ("max", "min"):
            raise ConfigError(f"BestModelCallback: mode must be 'max' or 'min', got {mode!r}.")
        self.early_stopping = params  # keras' Callback.params holds fit's settings
        self.state, self.mode, self.monitor = state, mode, monitor
        self.export_best = export_best

    def is_better(self, value: float) -> bool:
        """Whether `value` improves on the best so far."""
        best = self.state.best
        if best is None:
            return True
        return value > best if self.mode == "max" else value < best

    def update(self, epoch: int, value: float) -> Tuple[bool, Optional[str]]:
        """Record the monitored `value` of `epoch` (0-based); returns (improved, reason to stop or None)."""
        es, state = self.early_stopping, self.state
        improved = self.is_better(value)
        if improved:
            state.best, state.best_epoch, state.epochs_without_improvement = float(value), epoch, 0
        elif (epoch + 1) % es.frequency == 0 and self._counting():
            state.epochs_without_improvement += 1
        if self.mode == "max" and state.best >= es.upper_threshold:
            return improved, f"{self.monitor} = {state.best:.6g} reached the threshold {es.upper_threshold:g}"
        if self.mode == "min" and state.best <= es.lower_threshold:
            return improved, f"{self.monitor} = {state.best:.6g} reached the threshold {es.lower_threshold:g}"
        if 0 < es.n_to_go <= state.epochs_without_improvement:
            return improved, (
                f"{self.monitor} did not improve on {state.best:.6g} for {state.epochs_without_improvement} "
                "checked epochs"
            )
        return improved, None

    def _counting(self) -> bool:
        if self.mode == "max":
            return self.state.best >= self.early_stopping.lower_threshold
        return self.state.best <= self.early_stopping.upper_threshold

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Update the best value; export, stop when due."""
        logs = logs or {}
        if self.monitor not in logs:
            return  # no validation this epoch
        value = float(logs[self.monitor])
        improved, reason = self.update(epoch, value)
        if improved:
            logger.info("Better value of %s found: %.6g", self.monitor, value)
            if self.export_best is not None:
                self.export_best()
        if reason is not None:
            self.state.stop_reason = reason
            logger.info("Early stopping: %s.", reason)
            self.model.stop_training = True
