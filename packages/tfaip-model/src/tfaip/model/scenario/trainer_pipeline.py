"""`TrainerPipelineParamsBase`/`TrainerPipelineParams`: where training, validation and LAV data come from."""

from dataclasses import dataclass, field
from typing import Generic, List, Optional, Type, TypeVar

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import (
    DataBase,
    DataGeneratorParams,
    DataPipeline,
    DataPipelineParams,
    PipelineMode,
    resolve_generic,
    specialize_generic_fields,
)

TDataGeneratorTrain = TypeVar("TDataGeneratorTrain", bound=DataGeneratorParams)
TDataGeneratorVal = TypeVar("TDataGeneratorVal", bound=DataGeneratorParams)
TDataGenerator = TypeVar("TDataGenerator", bound=DataGeneratorParams)


@pai_dataclass
@dataclass
class TrainerPipelines:
    """The pipeline setups of training (`--train.batch_size ...`) and validation (`--val.*`)."""

    train: DataPipelineParams = field(
        default_factory=lambda: DataPipelineParams(mode=PipelineMode.TRAINING),
        metadata=pai_meta(fix_dc=True, mode="flat", help="Pipeline of the training data."),
    )
    val: DataPipelineParams = field(
        default_factory=lambda: DataPipelineParams(mode=PipelineMode.EVALUATION),
        metadata=pai_meta(fix_dc=True, mode="flat", help="Pipeline of the validation and LAV data."),
    )

    def __post_init__(self):
        self.train.mode = PipelineMode.TRAINING
        self.val.mode = PipelineMode.EVALUATION


@pai_dataclass
@dataclass
class TrainerPipelineParamsBase(Generic[TDataGeneratorTrain, TDataGeneratorVal]):
    """The data of a training run: implement `train_gen()` and `val_gen()` (and optionally `lav_gen()`)."""

    setup: TrainerPipelines = field(default_factory=TrainerPipelines, metadata=pai_meta(fix_dc=True))

    @classmethod
    def train_cls(cls) -> Type[TDataGeneratorTrain]:
        """The generator params class of the training data."""
        return resolve_generic(cls, TDataGeneratorTrain)

    @classmethod
    def val_cls(cls) -> Type[TDataGeneratorVal]:
        """The generator params class of the validation data."""
        return resolve_generic(cls, TDataGeneratorVal)

    def train_gen(self) -> TDataGeneratorTrain:
        """Generator params of the training data."""
        raise NotImplementedError(f"{type(self).__name__}.train_gen() must return the training generator params.")

    def val_gen(self) -> Optional[TDataGeneratorVal]:
        """Generator params of the validation data (None: no validation)."""
        raise NotImplementedError(f"{type(self).__name__}.val_gen() must return the validation generator params.")

    def lav_gen(self) -> List[TDataGeneratorVal]:
        """Generator params of each LAV dataset (default: the validation data)."""
        val = self.val_gen()
        return [] if val is None else [val]

    def train_data(self, data: DataBase) -> DataPipeline:
        """The training pipeline."""
        return data.create_pipeline(self.setup.train, self.train_gen())

    def val_data(self, data: DataBase) -> Optional[DataPipeline]:
        """The validation pipeline, or None without validation data."""
        val = self.val_gen()
        return None if val is None else data.create_pipeline(self.setup.val, val)

    def lav_data(self, data: DataBase) -> List[DataPipeline]:
        """One pipeline per LAV dataset."""
        return [data.create_pipeline(self.setup.val, gen) for gen in self.lav_gen()]


@pai_dataclass
@dataclass
class TrainerPipelineParams(TrainerPipelineParamsBase[TDataGeneratorTrain, TDataGeneratorVal]):
    """Separate generator params for training (`--train.*`) and validation (`--val.*`)."""

    train: DataGeneratorParams = field(
        default_factory=DataGeneratorParams, metadata=pai_meta(mode="flat", help="Training data.")
    )
    val: DataGeneratorParams = field(
        default_factory=DataGeneratorParams, metadata=pai_meta(mode="flat", help="Validation data.")
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        specialize_generic_fields(cls, {"train": TDataGeneratorTrain, "val": TDataGeneratorVal})

    def train_gen(self) -> TDataGeneratorTrain:
        """`train`."""
        return self.train

    def val_gen(self) -> Optional[TDataGeneratorVal]:
        """`val`."""
        return self.val


@pai_dataclass
@dataclass
class TrainValPipelineParams(TrainerPipelineParamsBase[TDataGenerator, TDataGenerator]):
    """One generator params (`--train_val.*`) for training and validation.

    The generator tells the data apart by its mode: TRAINING yields the training split,
    EVALUATION the validation split. A scenario chooses it by naming its generator params as
    the second argument: `ScenarioBase[ScenarioParams, GeneratorParams]`. Subclass
    `TrainValPipelineParams[GeneratorParams]` to add to it, e.g. LAV data (`lav_gen()`).
    """

    train_val: DataGeneratorParams = field(
        default_factory=DataGeneratorParams,
        metadata=pai_meta(mode="flat", help="The data of training (mode TRAINING) and validation."),
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        specialize_generic_fields(cls, {"train_val": TDataGenerator})

    def train_gen(self) -> TDataGenerator:
        """`train_val`."""
        return self.train_val

    def val_gen(self) -> Optional[TDataGenerator]:
        """`train_val`."""
        return self.train_val
