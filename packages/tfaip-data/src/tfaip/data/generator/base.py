"""`DataGeneratorParams` and `DataGenerator`: the source of a pipeline's samples."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Generic, Iterable, List, Tuple, Type, TypeVar

from paiargparse import pai_dataclass

from tfaip.data.sample import PipelineMode, Sample
from tfaip.data.util.generics import bind_params_class


@pai_dataclass
@dataclass
class DataGeneratorParams:
    """Params that create a DataGenerator (add fields as needed).

    `cls()` is the DataGenerator that names these params as its generic argument
    (`class Generator(DataGenerator[GeneratorParams])`), unless you implement it.
    """

    @staticmethod
    def cls() -> Type["DataGenerator"]:
        """The DataGenerator class these params configure."""
        raise NotImplementedError(
            "No DataGenerator names these params: define `class MyGenerator(DataGenerator[MyGeneratorParams])` or "
            "implement `cls()`."
        )

    def create(self, mode: PipelineMode) -> "DataGenerator":
        """Create the generator for `mode`."""
        return self.cls()(mode=mode, params=self)


TG = TypeVar("TG", bound=DataGeneratorParams)


class DataGenerator(Generic[TG], ABC):
    """Yields the samples of one pipeline; implement `__len__` and `generate`.

    Keep `generate` cheap (file names, ids): loading and decoding belong in processors,
    which run in parallel worker processes.

    Sharding (`DataPipelineParams.shard_index` / `shard_count`, one shard per training process):
    the pipeline sets `shard_index` and `shard_count` on the generator and keeps every
    `shard_count`-th sample of a pass, from `shard_index` on. A generator with `__getitem__` is
    then read only at the indices of its shard; `generate()` of any other is iterated whole.
    A generator that sets `shards_itself = True` yields only its own shard instead (from
    `generate()` and `__getitem__`, counted by `__len__`), e.g. by reading only its files.
    """

    shards_itself: bool = False
    shard_index: int = 0
    shard_count: int = 1

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TG)

    def __init__(self, mode: PipelineMode, params: TG):
        self.mode = mode
        self.params = params

    def take_shard(self, index: int, count: int) -> Tuple[int, int]:
        """Make this the generator of shard `index` of `count`; returns the shard the pipeline still cuts.

        That is `(index, count)`, or `(0, 1)` (all it yields) for a generator that shards itself.
        """
        self.shard_index, self.shard_count = index, count
        return (0, 1) if self.shards_itself else (index, count)

    @abstractmethod
    def __len__(self) -> int:
        """Number of samples of one pass."""

    @abstractmethod
    def generate(self) -> Iterable[Sample]:
        """The samples of one pass."""


class RawDataGenerator(DataGenerator[DataGeneratorParams]):
    """A generator over samples already in memory (used by `pipeline.apply(samples)`)."""

    def __init__(self, raw_data: List[Sample], mode: PipelineMode, params: DataGeneratorParams = None):
        super().__init__(mode, params)
        self.raw_data = raw_data

    def __len__(self) -> int:
        return len(self.raw_data)

    def __getitem__(self, index: int) -> Sample:
        """Random access: a pipeline resumed in a pass skips to its position without reading what lies before."""
        return self.raw_data[index]

    def generate(self) -> Iterable[Sample]:
        """The samples, in order."""
        return iter(self.raw_data)
