"""A rich progress bar over the steps of each epoch, with the running losses and metrics."""

from typing import Any, Dict, Optional

import keras
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class ProgressCallback(keras.callbacks.Callback):
    """Shows `Epoch n/N ━━━━ steps  time  loss: ... acc: ...` while training."""

    def __init__(self, epochs: int, steps_per_epoch: int, refresh_per_second: float = 4, first_step: int = 0):
        """`first_step`: the steps of the first epoch done before (a run resumed inside it)."""
        super().__init__()
        self.epochs, self.steps = epochs, steps_per_epoch
        self._first_step = first_step  # of the current epoch
        self.refresh_per_second = refresh_per_second
        self._progress: Optional[Progress] = None
        self._task = None

    def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Start the epoch's bar."""
        self._progress = Progress(
            TextColumn(f"Epoch {epoch + 1}/{self.epochs}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), TextColumn("{task.fields[logs]}"),
            transient=True, refresh_per_second=self.refresh_per_second,
        )  # fmt: skip
        self._progress.start()
        self._task = self._progress.add_task("train", total=self.steps, completed=self._first_step, logs="")

    def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Advance the bar, show the running logs."""
        if self._progress is not None:
            text = " ".join(f"{k}: {float(v):.4f}" for k, v in (logs or {}).items())
            self._progress.update(self._task, completed=self._first_step + batch + 1, logs=text)

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Remove the bar."""
        self._first_step = 0
        self._close()

    def on_train_end(self, logs: Optional[Dict[str, Any]] = None) -> None:
        """Remove the bar."""
        self._close()

    def _close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
