"""The synthetic workload shared by the data-pipeline benchmark and its baselines.

Samples carry a variable-length integer sequence; the processor runs a pure-Python loop
over it (about 1 ms per sample, GIL-bound like real Python pre-processing) and returns a
float32 array of the same length, so batches need padding.
"""

from dataclasses import dataclass

import numpy as np
from paiargparse import pai_dataclass

from tfaip.data import (
    ArraySpec,
    DataBase,
    DataBaseParams,
    DataGenerator,
    DataGeneratorParams,
    DataProcessorParams,
    MappingDataProcessor,
    Sample,
    pad_and_stack,
)

ROUNDS = 240  # ~1 ms per sample on this 2-core VM (about 40 values x 240 rounds)


def make_sample(i: int) -> Sample:
    length = 16 + (i * 7919) % 48
    return Sample(
        inputs={"seq": np.arange(i, i + length, dtype=np.int64) % 251},
        targets={"label": np.asarray([i % 10], dtype=np.int64)},
        meta={"id": i},
    )


def heavy(seq: np.ndarray, rounds: int = ROUNDS) -> np.ndarray:
    out = []
    for v in seq.tolist():
        acc = v
        for k in range(rounds):
            acc = (acc * 31 + k) % 1000003
        out.append(acc / 1000003.0)
    return np.asarray(out, dtype=np.float32)


def large(i: int) -> np.ndarray:
    """A 512x512 float32 array (1 MiB), cheap to make: the cost is moving it."""
    return np.full((512, 512), i % 97, dtype=np.float32) * np.float32(0.5)


def collate(samples):
    """Pad and batch like tfaip does (numpy), for the baselines."""
    return (
        pad_and_stack([s[0] for s in samples]),
        pad_and_stack([s[1] for s in samples]),
    )


@pai_dataclass
@dataclass
class HeavyParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Heavy


class Heavy(MappingDataProcessor[HeavyParams]):
    def apply(self, sample):
        return sample.new_inputs({"seq": heavy(sample.inputs["seq"])})


@pai_dataclass
@dataclass
class LargeParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Large


class Large(MappingDataProcessor[LargeParams]):
    def apply(self, sample):
        return sample.new_inputs({"img": large(sample.meta["id"])})


@pai_dataclass
@dataclass
class BenchDataParams(DataBaseParams):
    @staticmethod
    def cls():
        return BenchData


class BenchData(DataBase[BenchDataParams]):
    def _input_layer_specs(self):
        return {"seq": ArraySpec([None], "float32"), "img": ArraySpec([512, 512], "float32")}

    def _target_layer_specs(self):
        return {"label": ArraySpec([1], "int64")}


@pai_dataclass
@dataclass
class BenchGeneratorParams(DataGeneratorParams):
    n: int = 20000

    @staticmethod
    def cls():
        return BenchGenerator


class BenchGenerator(DataGenerator[BenchGeneratorParams]):
    def __len__(self):
        return self.params.n

    def generate(self):
        return (make_sample(i) for i in range(self.params.n))
