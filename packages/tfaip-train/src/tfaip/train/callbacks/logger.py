"""`Results of epoch N: loss: ... - val_loss: ...` lines in the log (and so in train.log)."""

import logging
from typing import Any, Dict, Optional

import keras

logger = logging.getLogger("tfaip.train")


def format_results(epoch: int, logs: Dict[str, Any]) -> str:
    """The result line of a 0-based `epoch` (keys sorted, 4 decimals)."""
    values = " - ".join(f"{k}: {float(v):.4f}" for k, v in sorted(logs.items()) if _is_number(v))
    return f"Results of epoch {epoch + 1}: {values}"


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


class LoggerCallback(keras.callbacks.Callback):
    """Logs the start and the results of each epoch."""

    def __init__(self, epochs: int):
        super().__init__()
        self.epochs = epochs
        self.last_logs: Dict[str, float] = {}

    def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Log the start of the epoch."""
        logger.info("Start of epoch %d/%d", epoch + 1, self.epochs)

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Log the epoch's results."""
        self.last_logs = {k: float(v) for k, v in (logs or {}).items() if _is_number(v)}
        logger.info(format_results(epoch, self.last_logs))
