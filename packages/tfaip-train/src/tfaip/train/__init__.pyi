# The public names of tfaip.train; __init__.py loads each on first use (lazy_loader reads this file).
from .callbacks.early_stopping import BestModelCallback as BestModelCallback
from .callbacks.early_stopping import EarlyStoppingParams as EarlyStoppingParams
from .multi_worker.fit import MultiWorkerFit as MultiWorkerFit
from .multi_worker.lost import WorkerLost as WorkerLost
from .optimizers.adabelief import AdaBelief as AdaBelief
from .optimizers.params import AdaBeliefOptimizer as AdaBeliefOptimizer
from .optimizers.params import AdamaxOptimizer as AdamaxOptimizer
from .optimizers.params import AdamOptimizer as AdamOptimizer
from .optimizers.params import LambOptimizer as LambOptimizer
from .optimizers.params import OptimizerParams as OptimizerParams
from .optimizers.params import RMSpropOptimizer as RMSpropOptimizer
from .optimizers.params import SGDOptimizer as SGDOptimizer
from .optimizers.schedules import Constant as Constant
from .optimizers.schedules import CosineDecayParams as CosineDecayParams
from .optimizers.schedules import ExponentialDecayParams as ExponentialDecayParams
from .optimizers.schedules import LearningRateParams as LearningRateParams
from .optimizers.schedules import WarmupConstantCosineDecayParams as WarmupConstantCosineDecayParams
from .optimizers.schedules import WarmupCosineDecayParams as WarmupCosineDecayParams
from .optimizers.schedules import WarmupDecayParams as WarmupDecayParams
from .params import TrainerParams as TrainerParams
from .trainer import Trainer as Trainer
from .training_state import TrainingState as TrainingState
from .warmstart import WarmStarter as WarmStarter
from .warmstart import WarmstartParams as WarmstartParams

__version__: str
