"""LAV during training: the current model (EMA weights) on the LAV data, every n epochs and at the last."""

import logging
from typing import Any, Callable, Dict, List, Optional

import keras

logger = logging.getLogger(__name__)


class LAVCallback(keras.callbacks.Callback):
    """Adds `lav_l<i>_<key>` to the epoch logs for each LAV dataset i.

    Args:
        run_lav: called with the epoch; returns one result dict per LAV dataset.
        every_n: run after every n-th epoch.
        epochs: the total epochs (LAV also runs after the last).
    """

    def __init__(self, run_lav: Callable[[int], List[Dict[str, Any]]], every_n: int, epochs: int):
        super().__init__()
        self.run_lav, self.every_n, self.epochs = run_lav, every_n, epochs

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Run LAV when due and add its results to the logs."""
        if (epoch + 1) % self.every_n != 0 and epoch + 1 != self.epochs:
            return
        for i, results in enumerate(self.run_lav(epoch)):
            for key, value in results.items():
                if logs is not None:
                    logs[f"lav_l{i}_{key}"] = value
