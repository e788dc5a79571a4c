"""The callbacks that keep the Trainer's state: steps, checkpoints, and one training across two `fit` calls."""

from typing import Any, List, Optional, Protocol

import keras
import numpy as np

from tfaip.train.training_state import TrainingState


class SteppedTrainer(Protocol):
    """What `StateCallback` uses of the Trainer."""

    state: TrainingState
    feed: Any  # the training data of the running fit: `used` batches, `positions` (BatchPositions)

    def step_begins(self) -> None:
        """`state.step` steps of the epoch are done."""

    def end_of_epoch(self, epoch: int) -> None:
        """`epoch` (0-based) is done."""

    def restore_epoch_metrics(self) -> None:
        """A resumed epoch starts."""


class StateCallback(keras.callbacks.Callback):
    """Keeps `trainer.state.step` and the batches used; checkpoints inside epochs, and after each once the others ran.

    It works at the start of each step (when the steps before it are done), so that keras need not
    wait for each step's logs as it does for callbacks at a step's end.
    """

    def __init__(self, trainer: SteppedTrainer):
        super().__init__()
        self.trainer = trainer
        self._first_step = self._used_before = self._started = 0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        """Note where the epoch starts (a resumed one inside), and restore its metrics if it was resumed."""
        self._first_step, self._used_before, self._started = self.trainer.state.step, self.trainer.feed.used, 0
        self.trainer.restore_epoch_metrics()

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        """The steps before this one are done: count them, and checkpoint if one is due."""
        feed = self.trainer.feed
        feed.used = self._used_before + batch
        feed.positions.used(feed.used)
        self._started = batch + self.model.steps_per_execution  # a call into TensorFlow runs this many steps
        self.trainer.state.step = self._first_step + batch
        self.trainer.step_begins()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """The epoch is done (the other callbacks updated the state): the checkpoint after it."""
        feed = self.trainer.feed
        feed.used = self._used_before + self._started
        feed.positions.used(feed.used)
        self.trainer.end_of_epoch(epoch)


class TrainingCallbacks(keras.callbacks.CallbackList):
    """The callbacks of a training that may take two `fit` calls: the rest of an epoch, then the other epochs.

    Each callback hears one `on_train_begin` and one `on_train_end`. A `fit` that is not the last
    (`last_fit` False) ends without writing the optimizer's EMA weights into the model, as it would.
    """

    def __init__(self, callbacks: List[keras.callbacks.Callback], model: keras.Model, steps: int, epochs: int):
        super().__init__(callbacks, add_history=True, model=model, verbose=0, epochs=epochs, steps=steps)
        self.last_fit = True
        self._begun = False
        self._trained: Optional[List[np.ndarray]] = None

    def on_train_begin(self, logs=None) -> None:
        """At the first `fit` only."""
        if not self._begun:
            self._begun = True
            super().on_train_begin(logs)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """The callbacks; before a `fit` that is not the last ends, the trained weights are kept."""
        super().on_epoch_end(epoch, logs)
        if not self.last_fit:  # keras' fit overwrites them with the EMA weights before on_train_end
            self._trained = [v.numpy() for v in self.model.trainable_variables]

    def on_train_end(self, logs=None) -> None:
        """At the last `fit` only; the others get the trained weights back instead of the EMA ones."""
        if self.last_fit:
            super().on_train_end(logs)
        elif self._trained is not None:
            for variable, value in zip(self.model.trainable_variables, self._trained):
                variable.assign(value)
