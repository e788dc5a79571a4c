"""Learning-rate schedules by epoch: `--learning_rate Constant|ExponentialDecay|CosineDecay|...`.

Every schedule maps the optimizer step to an epoch (`step // steps_per_epoch`, or fractional
with `step_function False`), subtracts `offset_epochs`, and computes the rate of that epoch.
With gradient accumulation the step counts batches, so a schedule runs in epochs either way.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Dict

import keras
from keras import ops
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError


@pai_dataclass
@dataclass
class LearningRateParams:
    """Base of the schedules: the base rate `lr` and how steps become epochs."""

    lr: float = field(default=0.001, metadata=pai_meta(help="The base learning rate."))
    step_function: bool = field(
        default=True, metadata=pai_meta(help="Change the rate once per epoch (False: continuously per step).")
    )
    offset_epochs: int = field(default=0, metadata=pai_meta(help="Epochs to subtract before computing the rate."))

    def create(self, epochs: int, steps_per_epoch: int) -> "EpochSchedule":
        """The keras LearningRateSchedule of a run of `epochs` epochs of `steps_per_epoch` steps."""
        if self.lr < 0:
            raise ConfigError(f"{type(self).__name__}: lr must be >= 0, got {self.lr} (--learning_rate.lr).")
        return EpochSchedule(self, epochs, steps_per_epoch)

    def rate(self, epoch: Any, epochs: int) -> Any:
        """The learning rate at `epoch` (a float tensor) of a run of `epochs` epochs."""
        raise NotImplementedError(f"{type(self).__name__}.rate(epoch, epochs) must return the rate of an epoch.")


class EpochSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A keras schedule that evaluates a `LearningRateParams.rate` on the epoch of a step."""

    def __init__(self, params: LearningRateParams, epochs: int, steps_per_epoch: int):
        if steps_per_epoch < 1 or epochs < 1:
            raise ConfigError(
                f"A schedule needs epochs >= 1 and steps_per_epoch >= 1, got {epochs}, {steps_per_epoch}."
            )
        self.params, self.epochs, self.steps_per_epoch = params, epochs, steps_per_epoch

    def __call__(self, step):
        """The learning rate at `step`."""
        step = ops.cast(step, "float32")
        epoch = step / self.steps_per_epoch
        if self.params.step_function:
            epoch = ops.floor(epoch)
        epoch = ops.maximum(epoch - self.params.offset_epochs, 0.0)
        return ops.cast(self.params.rate(epoch, self.epochs), "float32")

    def get_config(self) -> Dict[str, Any]:
        """The params, epochs and steps per epoch."""
        return {"params": self.params.to_dict(), "epochs": self.epochs, "steps_per_epoch": self.steps_per_epoch}


@pai_dataclass(alt="Constant")
@dataclass
class Constant(LearningRateParams):
    """`lr` at every epoch."""

    def rate(self, epoch, epochs):
        """The learning rate at `epoch`."""
        return ops.ones_like(epoch) * self.lr


@pai_dataclass(alt="ExponentialDecay")
@dataclass
class ExponentialDecayParams(LearningRateParams):
    """`lr * lr_decay_rate ** floor(epoch / learning_circle)`."""

    learning_circle: int = field(default=3, metadata=pai_meta(help="Epochs between two decay steps."))
    lr_decay_rate: float = field(default=0.99, metadata=pai_meta(help="Factor of each decay step."))

    def rate(self, epoch, epochs):
        """The learning rate at `epoch`."""
        return self.lr * ops.power(self.lr_decay_rate, ops.floor(epoch / max(self.learning_circle, 1)))


@pai_dataclass(alt="CosineDecay")
@dataclass
class CosineDecayParams(ExponentialDecayParams):
    """Exponential decay, then a cosine cool-down over the last `final_epochs` epochs to `decay_fraction * rate`."""

    decay_fraction: float = field(default=0.1, metadata=pai_meta(help="Fraction of the rate left at the last epoch."))
    final_epochs: int = field(default=50, metadata=pai_meta(help="Epochs of the final cosine cool-down."))

    def delay(self) -> int:
        """Epochs before the exponential decay starts."""
        return 0

    def start_rate(self, epoch):
        """The rate before the decay (warm-up schedules ramp it up)."""
        return ops.ones_like(epoch) * self.lr

    def rate(self, epoch, epochs):
        """The learning rate at `epoch`."""
        delay = float(self.delay())
        base = self.start_rate(epoch)
        decay_steps = ops.floor(ops.maximum(epoch - delay, 0.0) / max(self.learning_circle, 1))
        decayed = ops.where(epoch <= delay, base, base * ops.power(self.lr_decay_rate, decay_steps))
        final = max(min(self.final_epochs, epochs), 1)
        progress = ops.clip((epoch - (epochs - final)) / final, 0.0, 1.0)
        cosine = self.decay_fraction + (1 - self.decay_fraction) * 0.5 * (1 + ops.cos(math.pi * progress))
        return decayed * cosine


@pai_dataclass(alt="WarmupCosineDecay")
@dataclass
class WarmupCosineDecayParams(CosineDecayParams):
    """A linear warm-up from `lr / warmup_factor` to `lr` over `warmup_epochs`, then CosineDecay."""

    warmup_epochs: int = field(default=10, metadata=pai_meta(help="Epochs of the linear warm-up."))
    warmup_factor: float = field(default=10, metadata=pai_meta(help="The warm-up starts at lr / warmup_factor."))

    def delay(self) -> int:
        """Epochs before the exponential decay starts."""
        return self.warmup_epochs

    def start_rate(self, epoch):
        """The rate before the decay."""
        if self.warmup_epochs <= 0:
            return super().start_rate(epoch)
        start = self.lr / self.warmup_factor
        return ops.where(epoch < self.warmup_epochs, start + (self.lr - start) * epoch / self.warmup_epochs, self.lr)


@pai_dataclass(alt="WarmupConstantCosineDecay")
@dataclass
class WarmupConstantCosineDecayParams(WarmupCosineDecayParams):
    """WarmupCosineDecay that holds `lr` for `constant_epochs` after the warm-up."""

    constant_epochs: int = field(default=10, metadata=pai_meta(help="Epochs at lr after the warm-up."))

    def delay(self) -> int:
        """Epochs before the exponential decay starts."""
        return self.warmup_epochs + self.constant_epochs


@pai_dataclass(alt="WarmupDecay")
@dataclass
class WarmupDecayParams(LearningRateParams):
    """The transformer schedule: linear rise to `lr` over the warm-up, then decay with 1/sqrt(step).

    It changes the rate on every step unless `step_function` is set.
    """

    step_function: bool = field(default=False, metadata=pai_meta(help="Change the rate once per epoch only."))
    warmup_epochs: float = field(default=1.0, metadata=pai_meta(help="Epochs of the warm-up."))

    def create(self, epochs: int, steps_per_epoch: int) -> EpochSchedule:
        """The schedule; checks the warm-up."""
        if self.warmup_epochs <= 0:
            raise ConfigError(f"WarmupDecay: warmup_epochs must be > 0, got {self.warmup_epochs}.")
        return super().create(epochs, steps_per_epoch)

    def rate(self, epoch, epochs):
        """The learning rate at `epoch`."""
        progress = (epoch + 1e-3) / self.warmup_epochs  # > 0 at the first step
        return self.lr * ops.minimum(progress, ops.rsqrt(progress))


SCHEDULES = [
    Constant,
    ExponentialDecayParams,
    CosineDecayParams,
    WarmupCosineDecayParams,
    WarmupConstantCosineDecayParams,
    WarmupDecayParams,
]
