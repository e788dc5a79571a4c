"""tfaip.train: the Trainer on keras `Model.fit`, optimizers, learning-rate schedules, warm-start, callbacks.

tfaip-train tutorial.min --trainer.epochs 5 --trainer.output_dir model
tfaip-resume-training model
"""

__version__ = "0.1.0"

from tfaip.train.callbacks.early_stopping import BestModelCallback, EarlyStoppingParams
from tfaip.train.optimizers.adabelief import AdaBelief
from tfaip.train.optimizers.params import (
    AdaBeliefOptimizer,
    AdamaxOptimizer,
    AdamOptimizer,
    LambOptimizer,
    OptimizerParams,
    RMSpropOptimizer,
    SGDOptimizer,
)
from tfaip.train.optimizers.schedules import (
    Constant,
    CosineDecayParams,
    ExponentialDecayParams,
    LearningRateParams,
    WarmupConstantCosineDecayParams,
    WarmupCosineDecayParams,
    WarmupDecayParams,
)
from tfaip.train.params import TrainerParams
from tfaip.train.trainer import Trainer
from tfaip.train.warmstart import WarmStarter, WarmstartParams

__all__ = [
    "AdaBelief",
    "AdaBeliefOptimizer",
    "AdamOptimizer",
    "AdamaxOptimizer",
    "BestModelCallback",
    "Constant",
    "CosineDecayParams",
    "EarlyStoppingParams",
    "ExponentialDecayParams",
    "LambOptimizer",
    "LearningRateParams",
    "OptimizerParams",
    "RMSpropOptimizer",
    "SGDOptimizer",
    "Trainer",
    "TrainerParams",
    "WarmStarter",
    "WarmstartParams",
    "WarmupConstantCosineDecayParams",
    "WarmupCosineDecayParams",
    "WarmupDecayParams",
    "__version__",
]
