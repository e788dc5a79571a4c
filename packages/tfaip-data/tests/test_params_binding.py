"""A class generic in its params (`DataBase[P]`, `DataGenerator[P]`, processors) is `P.cls()`."""

from dataclasses import dataclass

import pytest
from paiargparse import pai_dataclass

from tfaip.data import (
    DataBase,
    DataBaseParams,
    DataGenerator,
    DataGeneratorParams,
    DataPipelineParams,
    DataProcessorParams,
    MappingDataProcessor,
    PipelineMode,
    Sample,
    SequentialProcessorPipelineParams,
)


class _Specs:
    def _input_layer_specs(self):
        return {}

    def _target_layer_specs(self):
        return {}


def test_a_generic_binds_the_params_to_the_class():
    @pai_dataclass
    @dataclass
    class Params(DataBaseParams):
        size: int = 3

    class Data(_Specs, DataBase[Params]):
        pass

    assert Params.cls() is Data and Params().cls() is Data
    assert type(Params(size=4).create()) is Data and Data.params_cls() is Params


def test_a_subclass_keeps_the_binding_and_a_params_subclass_gets_its_own():
    @pai_dataclass
    @dataclass
    class Params(DataGeneratorParams):
        pass

    @pai_dataclass
    @dataclass
    class MoreParams(Params):
        more: int = 1

    class Generator(DataGenerator[Params]):
        def __len__(self):
            return 0

        def generate(self):
            return iter([])

    class MoreGenerator(Generator, DataGenerator[MoreParams]):
        pass

    class Subclass(Generator):  # binds nothing of its own
        pass

    assert Params.cls() is Generator and MoreParams.cls() is MoreGenerator and Subclass is not Generator
    assert type(MoreParams().create(PipelineMode.TRAINING)) is MoreGenerator


def test_an_explicit_cls_wins():
    @pai_dataclass
    @dataclass
    class Params(DataGeneratorParams):
        @staticmethod
        def cls():
            return Explicit

    class Explicit(DataGenerator[Params]):
        def __len__(self):
            return 0

        def generate(self):
            return iter([])

    class Other(Explicit, DataGenerator[Params]):
        pass

    assert Params.cls() is Explicit and Other is not Explicit


def test_a_second_class_binding_the_same_params_is_refused():
    @pai_dataclass
    @dataclass
    class Params(DataBaseParams):
        pass

    class First(_Specs, DataBase[Params]):
        pass

    with pytest.raises(TypeError, match=r"Params.cls\(\) is already .*First.*Second binds it again"):

        class Second(_Specs, DataBase[Params]):
            pass

    assert Params.cls() is First


def test_a_processor_needs_no_cls_and_runs_from_its_params():
    @pai_dataclass
    @dataclass
    class TimesParams(DataProcessorParams):
        factor: int = 2

    class Times(MappingDataProcessor[TimesParams]):
        def apply(self, sample: Sample) -> Sample:
            return sample.new_inputs(sample.inputs * self.params.factor)

    assert TimesParams.cls() is Times
    pipeline = SequentialProcessorPipelineParams(run_parallel=False, processors=[TimesParams(factor=3)])
    runner = pipeline.create(DataPipelineParams(mode=PipelineMode.PREDICTION), DataBaseParams())
    assert [s.inputs for s in runner.apply([Sample(inputs=1), Sample(inputs=2)])] == [3, 6]
