"""Optimizer params: `--optimizer Adam|Adamax|AdaBelief|RMSprop|SGD|Lamb` and `--optimizer.*`.

Each creates a keras 3 optimizer. Clipping, weight decay, gradient accumulation and EMA are
keras' own: `gradient_accumulation_steps` averages the gradients of n batches and applies
them once (the schedule still counts batches), `use_ema` keeps the moving average.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import keras
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError
from tfaip.train.optimizers.adabelief import AdaBelief


@pai_dataclass
@dataclass
class OptimizerParams:
    """Clipping and weight decay shared by all optimizers."""

    clip_value: Optional[float] = field(default=None, metadata=pai_meta(help="Clip each gradient value to +-value."))
    clip_norm: Optional[float] = field(default=None, metadata=pai_meta(help="Clip each gradient tensor's norm."))
    clip_global_norm: Optional[float] = field(
        default=None, metadata=pai_meta(help="Clip the global norm of all gradients together.")
    )
    weight_decay: float = field(
        default=0.0,
        metadata=pai_meta(
            help="Decoupled weight decay per step at the base learning rate; it follows the schedule (AdamW for Adam)."
        ),
    )
    global_clip_norm: Optional[float] = field(
        default=None, metadata=pai_meta(help="The original tfaip's name of clip_global_norm.")
    )

    def __post_init__(self):
        if self.global_clip_norm is not None:  # the old name, in flags, sheets or params files
            self.clip_global_norm, self.global_clip_norm = self.global_clip_norm, None

    def keras_cls(self) -> type:
        """The keras optimizer class."""
        raise NotImplementedError(f"{type(self).__name__}.keras_cls() must return a keras optimizer class.")

    def keras_kwargs(self) -> Dict[str, Any]:
        """The optimizer-specific keyword arguments of `keras_cls()`."""
        return {}

    def create(
        self,
        learning_rate: Any,
        base_lr: float,
        accumulation_steps: int = 1,
        ema_momentum: Optional[float] = None,
    ) -> keras.optimizers.Optimizer:
        """The keras optimizer.

        Args:
            learning_rate: a float or a keras schedule.
            base_lr: the schedule's base rate; the weight decay is `weight_decay / base_lr * rate`.
            accumulation_steps: average the gradients of this many batches per update (1: off).
            ema_momentum: keep an exponential moving average of the weights with this momentum.
        """
        clips = {"clipvalue": self.clip_value, "clipnorm": self.clip_norm, "global_clipnorm": self.clip_global_norm}
        given = [k for k, v in clips.items() if v is not None]
        if "clipnorm" in given and "global_clipnorm" in given:
            raise ConfigError("Set only one of --optimizer.clip_norm and --optimizer.clip_global_norm.")
        for name, value in clips.items():
            if value is not None and value <= 0:
                raise ConfigError(f"{type(self).__name__}: {name} must be > 0, got {value}.")
        if accumulation_steps < 1:
            raise ConfigError(f"Gradient accumulation needs >= 1 steps, got {accumulation_steps}.")
        kwargs = {k: v for k, v in clips.items() if v is not None}
        if self.weight_decay and base_lr > 0:  # the decay follows the rate, so a rate of 0 means no decay
            kwargs["weight_decay"] = self.weight_decay / base_lr
        if accumulation_steps > 1:
            kwargs["gradient_accumulation_steps"] = accumulation_steps
        if ema_momentum:
            kwargs.update(use_ema=True, ema_momentum=ema_momentum)
        return self.keras_cls()(learning_rate=learning_rate, **self.keras_kwargs(), **kwargs)


@pai_dataclass(alt="Adam")
@dataclass
class AdamOptimizer(OptimizerParams):
    """Adam (with weight decay: AdamW)."""

    beta_1: float = field(default=0.9, metadata=pai_meta(help="Decay of the first moment."))
    beta_2: float = field(default=0.999, metadata=pai_meta(help="Decay of the second moment."))
    epsilon: float = field(default=1e-7, metadata=pai_meta(help="Numerical stability constant."))

    def keras_cls(self):
        """The keras optimizer class."""
        return keras.optimizers.Adam

    def keras_kwargs(self):
        """The optimizer-specific keras arguments."""
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


@pai_dataclass(alt="Adamax")
@dataclass
class AdamaxOptimizer(AdamOptimizer):
    """Adamax: Adam with the infinity norm."""

    def keras_cls(self):
        """The keras optimizer class."""
        return keras.optimizers.Adamax


@pai_dataclass(alt="AdaBelief")
@dataclass
class AdaBeliefOptimizer(AdamOptimizer):
    """AdaBelief: Adam with the belief in the gradient as second moment."""

    epsilon: float = field(default=1e-14, metadata=pai_meta(help="Numerical stability constant."))

    def keras_cls(self):
        """The keras optimizer class."""
        return AdaBelief


@pai_dataclass(alt="RMSprop")
@dataclass
class RMSpropOptimizer(OptimizerParams):
    """RMSprop."""

    rho: float = field(default=0.0, metadata=pai_meta(help="Decay of the squared-gradient average."))
    momentum: float = field(default=0.0, metadata=pai_meta(help="Momentum."))
    epsilon: float = field(default=1e-7, metadata=pai_meta(help="Numerical stability constant."))
    centered: bool = field(default=False, metadata=pai_meta(help="Normalise by the gradient's variance."))

    def keras_cls(self):
        """The keras optimizer class."""
        return keras.optimizers.RMSprop

    def keras_kwargs(self):
        """The optimizer-specific keras arguments."""
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}


@pai_dataclass(alt="SGD")
@dataclass
class SGDOptimizer(OptimizerParams):
    """Stochastic gradient descent (with weight decay: SGDW)."""

    momentum: float = field(default=0.0, metadata=pai_meta(help="Momentum."))
    nesterov: bool = field(default=False, metadata=pai_meta(help="Nesterov momentum."))

    def keras_cls(self):
        """The keras optimizer class."""
        return keras.optimizers.SGD

    def keras_kwargs(self):
        """The optimizer-specific keras arguments."""
        return {"momentum": self.momentum, "nesterov": self.nesterov}


@pai_dataclass(alt="Lamb")
@dataclass
class LambOptimizer(AdamOptimizer):
    """LAMB: Adam with layer-wise trust ratios (large batches)."""

    def keras_cls(self):
        """The keras optimizer class."""
        return keras.optimizers.Lamb


OPTIMIZERS = [AdamOptimizer, AdamaxOptimizer, AdaBeliefOptimizer, RMSpropOptimizer, SGDOptimizer, LambOptimizer]
