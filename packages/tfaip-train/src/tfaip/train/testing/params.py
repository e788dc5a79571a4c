"""Small, fast training runs of the test tutorial scenario."""

from typing import Optional, Type

import keras

from tfaip.model import ScenarioBase
from tfaip.train import TrainerParams
from tfaip.train.testing.tutorial import TutorialScenario


def tiny_params(
    output_dir=None, epochs: int = 1, samples: int = 96, scenario: Type[ScenarioBase] = TutorialScenario, **trainer
) -> TrainerParams:
    """Tutorial params: `samples` training digits, 64 validation digits, batch 16, in-process pipelines.

    `scenario` is any scenario with a `train_val.limit_to` generator (default: the test tutorial).
    """
    params = TrainerParams(
        scenario=scenario.default_params(),
        gen=scenario.default_trainer_pipeline_params(),
        epochs=epochs,
        output_dir=str(output_dir) if output_dir else None,
        progress_bar=False,
        random_seed=1,
        **trainer,
    )
    params.gen.train_val.limit_to = samples
    params.gen.setup.val.limit = 64
    for setup in (params.gen.setup.train, params.gen.setup.val):
        setup.num_processes = 1
    return params


def weights(graph) -> dict:
    """Path -> numpy value of every weight of a keras layer or model."""
    return {v.path: v.numpy().copy() for v in graph.weights}


class CrashAfterEpoch(keras.callbacks.Callback):
    """Raises `error` at the end of `epoch`, after the checkpoint (user callbacks run last).

    `error` defaults to RuntimeError("crash"); `KeyboardInterrupt()` stands for Ctrl-C.
    """

    def __init__(self, epoch: int, error: Optional[BaseException] = None):
        super().__init__()
        self.epoch = epoch
        self.error = error if error is not None else RuntimeError("crash")

    def on_epoch_end(self, epoch, logs=None):
        """Crash at the end of the chosen epoch."""
        if epoch == self.epoch:
            raise self.error


class CrashAtStep(keras.callbacks.Callback):
    """Raises `error` when step `step` of `epoch` (both 0-based, as the fit counts them) is about to start.

    The checkpoint that is due then (`--trainer.checkpoint_every_n_steps`) is written before it.
    """

    def __init__(self, epoch: int, step: int, error: Optional[BaseException] = None):
        super().__init__()
        self.epoch, self.step = epoch, step
        self.error = error if error is not None else RuntimeError("crash")
        self._epoch = -1

    def on_epoch_begin(self, epoch, logs=None):
        """Note the epoch."""
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        """Crash before the chosen step."""
        if (self._epoch, batch) == (self.epoch, self.step):
            raise self.error
