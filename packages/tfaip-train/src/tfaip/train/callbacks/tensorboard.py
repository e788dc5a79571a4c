"""TensorBoard: epoch scalars in `train/`, `validation/` and `lav_l<i>/`, the learning rate, graph images, profiles."""

import os
import re
from typing import Any, Callable, Dict, Iterable, Optional

import keras
import tensorflow as tf

LAV_KEY = re.compile(r"lav_l(\d+)_(.+)")


class TensorBoardCallback(keras.callbacks.Callback):
    """Writes the logs of each epoch to event files under `log_dir`.

    `train/` gets the training values and `learning_rate`, `validation/` the `val_` values
    (without the prefix), `lav_l<i>/` the values of LAV dataset i. With `image_batch` (a function
    returning the first validation batch, called at the first epoch end), the graph's
    `TensorboardWriter` values of that batch are written each epoch, if the graph has any.
    """

    def __init__(self, log_dir: str, image_batch: Optional[Callable[[], Any]] = None):
        super().__init__()
        self.log_dir = log_dir
        self._image_batch_fn = image_batch
        self._image_batch: Optional[Any] = None
        self._writers: Dict[str, Any] = {}

    def _writer(self, name: str):
        if name not in self._writers:
            self._writers[name] = tf.summary.create_file_writer(os.path.join(self.log_dir, name))
        return self._writers[name]

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        """Write the epoch's scalars and images."""
        groups: Dict[str, Dict[str, float]] = {}
        for key, value in (logs or {}).items():
            match = LAV_KEY.fullmatch(key)
            if match:
                groups.setdefault(f"lav_l{match.group(1)}", {})[match.group(2)] = value
            elif key.startswith("val_"):
                groups.setdefault("validation", {})[key[4:]] = value
            elif key != "learning_rate":
                groups.setdefault("train", {})[key] = value
        groups.setdefault("train", {})["learning_rate"] = self._learning_rate()
        for name, values in groups.items():
            self._write_scalars(name, values.items(), epoch + 1)
        if self._image_batch_fn is not None and self._image_batch is None:
            self._image_batch = self._image_batch_fn()
        if self._image_batch is not None:
            with self._writer("validation").as_default():
                if not self.model.write_tensorboard(*self._image_batch, step=epoch + 1):
                    self._image_batch_fn = self._image_batch = None  # the graph writes nothing

    def _learning_rate(self) -> float:
        """The optimizer's current learning rate (`learning_rate` is the schedule's value at the current step)."""
        return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def _write_scalars(self, name: str, values: Iterable, step: int) -> None:
        with self._writer(name).as_default():
            for key, value in values:
                tf.summary.scalar(key, float(value), step=step)
        self._writers[name].flush()

    def on_train_end(self, logs=None) -> None:
        """Close the writers."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


class ProfileCallback(keras.callbacks.Callback):
    """Profiles the training batches `first`..`last` (1-based, counted over the run) into `log_dir/train`.

    A separate callback: keras calls batch hooks only for callbacks that define them, so runs
    without `--trainer.profile` pay nothing per batch.
    """

    def __init__(self, log_dir: str, first: int = 10, last: int = 20):
        super().__init__()
        self.log_dir, self.first, self.last = log_dir, first, last
        self._done = 0  # training steps done in this run
        self._profiling = self._profiled = False

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        """Start the profiler at the call into TensorFlow that runs the first profiled batch."""
        if not self._profiled and self._done + self.model.steps_per_execution >= self.first:
            tf.profiler.experimental.start(os.path.join(self.log_dir, "train"))
            self._profiling = self._profiled = True

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        """Stop the profiler after the call that ran the last profiled batch."""
        self._done += self.model.steps_per_execution
        if self._profiling and self._done >= self.last:
            self._stop()

    def on_train_end(self, logs=None) -> None:
        """Stop a profile that is still running."""
        if self._profiling:
            self._stop()

    def _stop(self) -> None:
        tf.profiler.experimental.stop()
        self._profiling = False
