"""Best-model tracking and early stopping (`--early_stopping.*`), resumable through its params."""

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import keras
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError

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
    # the resumable state, written with the trainer params
    mode: Optional[str] = field(default=None, metadata=pai_meta(mode="ignore"))
    monitor: Optional[str] = field(default=None, metadata=pai_meta(mode="ignore"))
    best: Optional[float] = field(default=None, metadata=pai_meta(mode="ignore"))
    best_epoch: int = field(default=-1, metadata=pai_meta(mode="ignore"))
    n: int = field(default=0, metadata=pai_meta(mode="ignore"))

    def __post_init__(self):
        if self.frequency < 1:
            raise ConfigError(f"EarlyStoppingParams.frequency must be >= 1, got {self.frequency}.")

    def is_better(self, value: float) -> bool:
        """Whether `value` improves on the best so far."""
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def update(self, epoch: int, value: float) -> Tuple[bool, Optional[str]]:
        """Record the monitored `value` of `epoch` (0-based); returns (improved, reason to stop or None)."""
        improved = self.is_better(value)
        if improved:
            self.best, self.best_epoch, self.n = float(value), epoch, 0
        elif (epoch + 1) % self.frequency == 0 and self._counting():
            self.n += 1
        reached = self.best >= self.upper_threshold if self.mode == "max" else self.best <= self.lower_threshold
        if reached:
            bound = self.upper_threshold if self.mode == "max" else self.lower_threshold
            return improved, f"{self.monitor} = {self.best:.6g} reached the threshold {bound:g}"
        if self.n_to_go > 0 and self.n >= self.n_to_go:
            return improved, f"{self.monitor} did not improve on {self.best:.6g} for {self.n} checked epochs"
        return improved, None

    def _counting(self) -> bool:
        if self.mode == "max":
            return self.best >= self.lower_threshold
        return self.best <= self.upper_threshold


class BestModelCallback(keras.callbacks.Callback):
    """At each validated epoch: track the best value, export the best model, stop early.

    Args:
        params: the early-stopping params (their state is updated in place).
        export_best: called when the monitored value improved (or None).
    """

    def __init__(self, params: EarlyStoppingParams, export_best: Optional[Callable[[], None]] = None):
        super().__init__()
        self.early_stopping = params  # keras' Callback.params holds fit's settings
        self.export_best = export_best
        self.stop_reason: Optional[str] = None

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Update the best value; export, stop when due."""
        logs = logs or {}
        es = self.early_stopping
        if es.monitor not in logs:
            return  # no validation this epoch
        value = float(logs[es.monitor])
        improved, reason = es.update(epoch, value)
        if improved:
            logger.info("Better value of %s found: %.6g", es.monitor, value)
            if self.export_best is not None:
                self.export_best()
        if reason is not None:
            self.stop_reason = reason
            logger.info("Early stopping: %s.", reason)
            self.model.stop_training = True
