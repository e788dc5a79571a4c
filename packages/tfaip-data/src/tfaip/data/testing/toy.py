"""Toy processors, generators and data for tests (importable by name in worker processes).

Integers flow through the pipelines: `CountGenerator` yields `Sample(inputs=i, targets=i)`
(`IndexedGenerator` the same through `__getitem__`, recording each index it reads in `READ`),
`ToArray` turns them into `{"x": float32 array}` / `{"y": [i]}` and the other processors act
on those; `Fail`, `BrokenInit` and `Slow` misbehave on purpose. `data_params` and
`batches_of` build and run a pipeline of `ToyData` in one call.
"""

import os
import random
import signal
import time
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import (
    ArraySpec,
    DataBase,
    DataBaseParams,
    DataGenerator,
    DataGeneratorParams,
    DataPipelineParams,
    DataProcessorParams,
    GeneratingDataProcessor,
    MappingDataProcessor,
    PipelineMode,
    Resource,
    Sample,
    SequentialProcessorPipelineParams,
    resource_field,
)

Spec = ArraySpec


def make_sample(i: int) -> Sample:
    return Sample(inputs=i, targets=i, meta={"id": f"s{i}"})


@pai_dataclass
@dataclass
class CountGeneratorParams(DataGeneratorParams):
    n: int = 100

    @staticmethod
    def cls():
        return CountGenerator


class CountGenerator(DataGenerator[CountGeneratorParams]):
    def __len__(self):
        return self.params.n

    def generate(self):
        return (make_sample(i) for i in range(self.params.n))


READ: List[int] = []  # indices read through IndexedGenerator.__getitem__, in this process


@pai_dataclass
@dataclass
class IndexedGeneratorParams(DataGeneratorParams):
    """Params of a counting generator with random access."""

    n: int = 40

    @staticmethod
    def cls():
        return IndexedGenerator


class IndexedGenerator(DataGenerator[IndexedGeneratorParams]):
    """Random access: a pipeline reads only the indices it needs (from a resumed position, of its shard)."""

    def __len__(self):
        return self.params.n

    def __getitem__(self, index):
        READ.append(index)
        return make_sample(index)

    def generate(self):
        return (self[i] for i in range(len(self)))


@pai_dataclass
@dataclass
class NoTargetsGeneratorParams(DataGeneratorParams):
    """Samples with inputs only: invalid in TRAINING and EVALUATION mode."""

    n: int = 20

    @staticmethod
    def cls():
        return NoTargetsGenerator


class NoTargetsGenerator(DataGenerator[NoTargetsGeneratorParams]):
    def __len__(self):
        return self.params.n

    def generate(self):
        return (Sample(inputs=i, meta={"id": f"s{i}"}) for i in range(self.params.n))


@pai_dataclass
@dataclass
class ToArrayParams(DataProcessorParams):
    """Inputs i -> {"x": arange(i % 5 + 1) + i}, targets i -> {"y": [i]}."""

    @staticmethod
    def cls():
        return ToArray


class ToArray(MappingDataProcessor[ToArrayParams]):
    def apply(self, sample):
        i = sample.inputs
        x = np.arange(i % 5 + 1, dtype=np.float32) + i
        return sample.new_inputs({"x": x}).new_targets({"y": np.asarray([i], dtype=np.int64)})


@pai_dataclass
@dataclass
class AddParams(DataProcessorParams):
    value: float = 1.0

    @staticmethod
    def cls():
        return Add


class Add(MappingDataProcessor[AddParams]):
    def apply(self, sample):
        return sample.new_inputs({"x": sample.inputs["x"] + self.params.value})


@pai_dataclass
@dataclass
class NoiseParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Noise


class Noise(MappingDataProcessor[NoiseParams]):
    """Random augmentation through the global RNGs."""

    def apply(self, sample):
        x = sample.inputs["x"] + np.random.rand() + random.random()
        return sample.new_inputs({"x": x.astype(np.float32)})


@pai_dataclass
@dataclass
class DropOddParams(DataProcessorParams):
    @staticmethod
    def cls():
        return DropOdd


class DropOdd(MappingDataProcessor[DropOddParams]):
    def apply(self, sample):
        return None if sample.targets["y"][0] % 2 else sample


@pai_dataclass
@dataclass
class DropAllParams(DataProcessorParams):
    @staticmethod
    def cls():
        return DropAll


class DropAll(MappingDataProcessor[DropAllParams]):
    def apply(self, sample):
        return sample.new_invalid()


@pai_dataclass
@dataclass
class DuplicateParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Duplicate


class Duplicate(GeneratingDataProcessor[DuplicateParams]):
    def generate(self, samples):
        for s in samples:
            yield s
            yield s.new_meta({"id": s.meta["id"] + "-copy"})


@pai_dataclass
@dataclass
class FailParams(DataProcessorParams):
    at: int = 13
    how: str = "raise"  # raise | kill | exit | unpicklable

    @staticmethod
    def cls():
        return Fail


class Fail(MappingDataProcessor[FailParams]):
    def apply(self, sample):
        if sample.targets["y"][0] == self.params.at:
            if self.params.how == "raise":
                raise KeyError("no such glyph")
            if self.params.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.params.how == "exit":
                os._exit(3)
            if self.params.how == "unpicklable":
                return sample.new_meta({"id": "bad", "fn": lambda: 0})
        return sample


@pai_dataclass
@dataclass
class BrokenInitParams(DataProcessorParams):
    @staticmethod
    def cls():
        return BrokenInit


class BrokenInit(MappingDataProcessor[BrokenInitParams]):
    def __init__(self, params, data_params, mode):
        super().__init__(params, data_params, mode)
        raise OSError("model file missing")

    def apply(self, sample):
        return sample


@pai_dataclass
@dataclass
class SlowParams(DataProcessorParams):
    seconds: float = 0.05

    @staticmethod
    def cls():
        return Slow


class Slow(MappingDataProcessor[SlowParams]):
    def apply(self, sample):
        time.sleep(self.params.seconds)
        return sample


@pai_dataclass
@dataclass
class BigParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Big


class Big(MappingDataProcessor[BigParams]):
    def apply(self, sample):
        i = sample.targets["y"][0]
        return sample.new_inputs({"x": sample.inputs["x"], "img": np.full((256, 256), i, dtype=np.float32)})


@pai_dataclass
@dataclass
class ToyDataParams(DataBaseParams):
    charset: Optional[Resource] = resource_field(help="A charset file.")
    processors: List[str] = field(default_factory=list, metadata=pai_meta(help="unused"))

    @staticmethod
    def cls():
        return ToyData


class ToyData(DataBase[ToyDataParams]):
    def _input_layer_specs(self):
        return {"x": Spec([None], "float32")}

    def _target_layer_specs(self):
        return {"y": Spec([1], "int64")}

    def _padding_values(self):
        return {"x": -1.0}

    def element_length(self, sample):
        return len(sample.inputs["x"])


TRAINING = PipelineMode.TRAINING


PULLED = []  # samples taken from CountingGenerator, in the parent


@pai_dataclass
@dataclass
class CountingGeneratorParams(DataGeneratorParams):
    n: int = 1000

    @staticmethod
    def cls():
        return CountingGenerator


class CountingGenerator(CountGenerator):
    def generate(self):
        for i in range(self.params.n):
            PULLED.append(i)
            yield make_sample(i)


@pai_dataclass
@dataclass
class MediumGeneratorParams(DataGeneratorParams):
    """Samples with ~14 KB inputs: inline messages (below the shared-memory threshold)."""

    n: int = 400

    @staticmethod
    def cls():
        return MediumGenerator


class MediumGenerator(CountGenerator):
    def generate(self):
        for i in range(self.params.n):
            yield Sample(inputs={"x": np.full(3500, i, dtype=np.float32)}, targets={"y": np.asarray([i])})


@pai_dataclass
@dataclass
class PlusOneParams(DataProcessorParams):
    @staticmethod
    def cls():
        return PlusOne


class PlusOne(MappingDataProcessor[PlusOneParams]):
    def apply(self, sample):
        return sample.new_inputs({"x": sample.inputs["x"] + 1})


def data_params(processors, parallel=True, **kwargs) -> ToyDataParams:
    """`ToyDataParams` whose pre-processing runs `processors` (in worker processes if `parallel`)."""
    return ToyDataParams(
        pre_proc=SequentialProcessorPipelineParams(run_parallel=parallel, processors=processors, **kwargs)
    )


def batches_of(params: ToyDataParams, n=50, **pipeline_kwargs) -> list:
    """All batches of `n` counted samples through `params` (2 processes, batch size 8 unless given)."""
    pipeline_kwargs.setdefault("num_processes", 2)
    pipeline_kwargs.setdefault("batch_size", 8)
    pipeline = params.create().create_pipeline(DataPipelineParams(**pipeline_kwargs), CountGeneratorParams(n=n))
    with pipeline.generate_input_batches() as batches:
        return list(batches)
