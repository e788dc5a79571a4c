"""`TrainerParams`: the configuration of a training run; `trainer_params.json` reproduces it.

How far a run got is no configuration: that is the `TrainingState` in the checkpoint.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Tuple

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError
from tfaip.model import DeviceConfigParams, DistributionStrategy, ScenarioBaseParams, TrainerPipelineParamsBase
from tfaip.train.callbacks.early_stopping import EarlyStoppingParams
from tfaip.train.optimizers.params import OPTIMIZERS, AdamOptimizer, OptimizerParams
from tfaip.train.optimizers.schedules import SCHEDULES, ExponentialDecayParams, LearningRateParams
from tfaip.train.warmstart import WarmstartParams

if TYPE_CHECKING:
    from tfaip.model import ScenarioBase
    from tfaip.train.trainer import Trainer


@pai_dataclass
@dataclass
class TrainerParams:
    """Params of a training run (`--trainer.*`; optimizer, schedule, device, warm-start and early stopping flat).

    Example:
        >>> params = TrainerParams(scenario=TutorialScenario.default_params(),
        ...                        gen=TutorialScenario.default_trainer_pipeline_params(), epochs=5, output_dir="model")
        >>> TutorialScenario.create_trainer(params).train()
    """

    epochs: int = field(default=100, metadata=pai_meta(help="Epochs to train."))
    samples_per_epoch: int = field(
        default=-1, metadata=pai_meta(help="Samples of an epoch (-1: one pass over the training data).")
    )
    scale_epoch_size: float = field(
        default=1.0, metadata=pai_meta(help="Multiply the epoch size by this (with samples_per_epoch -1).")
    )
    train_accum_steps: int = field(
        default=1, metadata=pai_meta(help="Average the gradients of n batches per update (gradient accumulation).")
    )
    output_dir: Optional[str] = field(
        default=None,
        metadata=pai_meta(help="Where train.log, trainer_params.json, checkpoint/, best/ and export/ go."),
    )
    overwrite_output_dir: bool = field(
        default=False,
        metadata=pai_meta(
            help="Start afresh in an output_dir that holds an earlier run, deleting its checkpoint, exports, logs "
            "and TensorBoard files (without it such a run is refused: resume it instead)."
        ),
    )
    checkpoint_dir: Optional[str] = field(
        default=None, metadata=pai_meta(help="The checkpoint directory (default: OUTPUT_DIR/checkpoint).")
    )
    write_checkpoints: bool = field(
        default=True, metadata=pai_meta(help="Write a checkpoint after every epoch (and inside epochs, see below).")
    )
    checkpoint_every_n_steps: int = field(
        default=0, metadata=pai_meta(help="Also write a checkpoint inside an epoch every n training steps (0: off).")
    )
    checkpoint_every_minutes: float = field(
        default=5.0,
        metadata=pai_meta(
            help="Also write a checkpoint inside an epoch when this many minutes passed since the last one (0: off), "
            "so that a killed run loses at most these minutes (longer where writing one takes over a 50th of that)."
        ),
    )
    export_best: Optional[bool] = field(
        default=None, metadata=pai_meta(help="Export the best model to OUTPUT_DIR/best (default: with an output_dir).")
    )
    export_best_budget: float = field(
        default=0.02,
        metadata=pai_meta(
            help="Share of the training time that exports to best/ may take: a better model found sooner waits and "
            "is exported later, at the latest at the end of training (1: export every better model at once)."
        ),
    )
    export_final: bool = field(default=True, metadata=pai_meta(help="Export the last model to OUTPUT_DIR/export."))
    steps_per_execution: int = field(
        default=16,
        metadata=pai_meta(
            help="Run up to n training steps in one call into TensorFlow (the largest divisor of the epoch's steps "
            "up to n; 1: a call per step, as keras' default): far fewer dispatches from Python for small steps, "
            "the same numerics. Batch-level callbacks, the progress bar and checkpoints inside epochs then come "
            "every n steps."
        ),
    )
    val_every_n: int = field(default=1, metadata=pai_meta(help="Validate every n-th epoch."))
    lav_every_n: int = field(
        default=0, metadata=pai_meta(help="Run LAV on the LAV data every n-th epoch and at the last (0: never).")
    )
    lav_silent: bool = field(default=True, metadata=pai_meta(help="LAV during training prints no samples."))
    calc_ema: float = field(
        default=0.0,
        metadata=pai_meta(
            help="Keep an exponential moving average of the weights with this rate for validation and exports "
            "(0: off, -1: derived from batch and epoch size)."
        ),
    )
    no_train_scope: Optional[str] = field(
        default=None, metadata=pai_meta(help="Regex of layer paths not to train (their children neither).")
    )
    random_seed: Optional[int] = field(
        default=None,
        metadata=pai_meta(
            help="Seed of python, numpy, TensorFlow and the data: a resumed run then ends as an unbroken one would."
        ),
    )
    deterministic_ops: bool = field(
        default=False,
        metadata=pai_meta(
            help="Make TensorFlow's ops deterministic (tf.config.experimental.enable_op_determinism): needed for "
            "exact results on GPUs, slower; ops without a deterministic kernel then raise."
        ),
    )
    force_eager: bool = field(default=False, metadata=pai_meta(help="Run the model eagerly (for debugging)."))
    profile: bool = field(default=False, metadata=pai_meta(help="Write a profile of batches 10-20 to TensorBoard."))
    progress_bar: bool = field(default=True, metadata=pai_meta(help="Show a progress bar with losses and metrics."))
    verbose: int = field(default=1, metadata=pai_meta(help="0: only warnings on the console; 1: epoch results."))
    dist_strategy: Optional[DistributionStrategy] = field(
        default=None,
        metadata=pai_meta(
            help="Distribution strategy: default, mirror or central_storage (one machine), multi_worker (several "
            "machines, see docs/distributed.md)."
        ),
    )
    device: DeviceConfigParams = field(default_factory=DeviceConfigParams, metadata=pai_meta(mode="flat"))
    optimizer: OptimizerParams = field(
        default_factory=AdamOptimizer, metadata=pai_meta(mode="flat", choices=OPTIMIZERS, help="The optimizer.")
    )
    learning_rate: LearningRateParams = field(
        default_factory=ExponentialDecayParams,
        metadata=pai_meta(mode="flat", choices=SCHEDULES, help="The learning-rate schedule."),
    )
    warmstart: WarmstartParams = field(default_factory=WarmstartParams, metadata=pai_meta(mode="flat"))
    early_stopping: EarlyStoppingParams = field(default_factory=EarlyStoppingParams, metadata=pai_meta(mode="flat"))
    scenario: ScenarioBaseParams = field(default_factory=ScenarioBaseParams, metadata=pai_meta(mode="flat"))
    gen: TrainerPipelineParamsBase = field(default_factory=TrainerPipelineParamsBase, metadata=pai_meta(mode="flat"))

    def __post_init__(self):
        for name in ("epochs", "train_accum_steps", "val_every_n", "steps_per_execution"):
            if getattr(self, name) < 1:
                raise ConfigError(f"TrainerParams.{name} must be >= 1, got {getattr(self, name)}.")
        if self.checkpoint_every_n_steps < 0 or self.checkpoint_every_minutes < 0:
            raise ConfigError(
                "TrainerParams.checkpoint_every_n_steps and checkpoint_every_minutes must be >= 0 (0: off), got "
                f"{self.checkpoint_every_n_steps} and {self.checkpoint_every_minutes}."
            )
        if not (0 < self.export_best_budget <= 1):
            raise ConfigError(f"TrainerParams.export_best_budget must be in (0, 1], got {self.export_best_budget}.")
        if not (self.calc_ema < 1):
            raise ConfigError(f"TrainerParams.calc_ema must be < 1 (0: off, -1: automatic), got {self.calc_ema}.")

    @classmethod
    def retired_fields(cls) -> Tuple[str, ...]:
        """The state of tfaip-train 0.1 (now in `TrainingState`), which old params files still hold."""
        return ("current_epoch", "stop_reason")

    @staticmethod
    def cls() -> type:
        """The Trainer class."""
        from tfaip.train.trainer import Trainer  # trainer.py imports these params

        return Trainer

    def create(self, scenario: "ScenarioBase", restore: bool = False) -> "Trainer":
        """The Trainer of these params (`ScenarioBase.create_trainer`)."""
        return self.cls()(self, scenario, restore=restore)
