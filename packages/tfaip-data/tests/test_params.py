"""Params are paiargparse dataclasses: JSON round trips with concrete classes, and the CLI."""

import json
from dataclasses import dataclass, field
from typing import List

import pytest
from paiargparse import PAIArgumentParser, pai_dataclass, pai_meta

from tfaip.data import (
    ComposedProcessorPipelineParams,
    DataPipelineParams,
    PipelineMode,
    SequentialProcessorPipelineParams,
)
from tfaip.data.testing import AddParams, NoiseParams, ToArrayParams, ToyDataParams


def test_json_round_trip_keeps_concrete_classes():
    params = ToyDataParams(
        pre_proc=SequentialProcessorPipelineParams(
            run_parallel=False, processors=[ToArrayParams(), AddParams(value=3, modes={PipelineMode.TRAINING})]
        )
    )
    restored = ToyDataParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert restored == params
    assert type(restored.pre_proc.processors[1]) is AddParams and restored.pre_proc.processors[1].value == 3
    assert restored.pre_proc.processors[1].modes == {PipelineMode.TRAINING}
    assert params.to_dict()["pre_proc"]["processors"][0]["__cls__"].endswith(":ToArrayParams")


@pai_dataclass
@dataclass
class GraphParams:
    pass


@pai_dataclass(alt="MLP")
@dataclass
class MLPGraphParams(GraphParams):
    nodes: List[int] = field(default_factory=lambda: [10], metadata=pai_meta(help="Nodes per layer."))


@pai_dataclass
@dataclass
class ModelParams:
    graph: GraphParams = field(default_factory=GraphParams, metadata=pai_meta(choices=[MLPGraphParams]))


@pai_dataclass
@dataclass
class RootParams:
    model: ModelParams = field(default_factory=ModelParams)
    data: ToyDataParams = field(default_factory=ToyDataParams)
    pipeline: DataPipelineParams = field(default_factory=DataPipelineParams)


def parse(*argv):
    parser = PAIArgumentParser()
    parser.add_root_argument("root", RootParams, flat=True)
    return parser.parse_args(list(argv)).root


def test_command_line_selects_subclasses_and_sets_nested_fields():
    root = parse(
        "--model.graph", "MLP", "--model.graph.nodes", "200", "100",
        "--data.pre_proc", "ComposedProcessorPipelineParams",
        "--pipeline.batch_size", "7", "--pipeline.num_processes", "3",
    )  # fmt: skip
    assert isinstance(root.model.graph, MLPGraphParams) and root.model.graph.nodes == [200, 100]
    assert isinstance(root.data.pre_proc, ComposedProcessorPipelineParams)
    assert (root.pipeline.batch_size, root.pipeline.num_processes) == (7, 3)
    assert parse("--data.pre_proc.run_parallel", "False").data.pre_proc.run_parallel is False


def test_bad_values_are_rejected():
    with pytest.raises(ValueError, match="num_processes must be >= 1"):
        DataPipelineParams(num_processes=0)
    with pytest.raises(ValueError, match="bucket_batch_sizes needs"):
        DataPipelineParams(bucket_boundaries=[2, 4], bucket_batch_sizes=[1])
    with pytest.raises(ValueError, match="start_method must be one of"):
        DataPipelineParams(start_method="thread")
    with pytest.raises(ValueError, match="Must be 'path.to.module:class_name' or in"):
        parse("--model.graph", "CNN")


def test_processor_mode_check():
    with pytest.raises(ValueError, match="not meant to run in mode prediction"):
        NoiseParams(modes={PipelineMode.TRAINING}).create(ToyDataParams(), PipelineMode.PREDICTION)


def test_generic_fields_take_the_bound_classes():
    from typing import Generic, TypeVar

    from tfaip.data import DataBaseParams, resolve_generic, specialize_generic_fields

    T = TypeVar("T", bound=DataBaseParams)

    @pai_dataclass
    @dataclass
    class Holder(Generic[T]):
        data: DataBaseParams = field(default_factory=DataBaseParams, metadata=pai_meta(help="the data"))
        other: int = 1

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)
            specialize_generic_fields(cls, {"data": T})

    @pai_dataclass
    @dataclass
    class Concrete(Holder[ToyDataParams]):
        pass

    assert resolve_generic(Concrete, T) is ToyDataParams
    assert resolve_generic(Holder[ToyDataParams], T) is ToyDataParams  # an alias written in place
    assert type(Concrete().data) is ToyDataParams and type(Holder().data) is DataBaseParams
    assert Concrete.__dataclass_fields__["data"].metadata["help"] == "the data"
    assert [f for f in Concrete.__dataclass_fields__] == ["data", "other"]  # the field keeps its place


def test_num_threads_is_the_old_name_of_num_processes():
    old_json = {"run_parallel": True, "num_threads": 3, "max_tasks_per_process": 250, "processors": []}
    assert SequentialProcessorPipelineParams.from_dict(old_json).num_processes == 3
    assert SequentialProcessorPipelineParams(num_threads=2).num_processes == 2
    parser = PAIArgumentParser()
    parser.add_root_argument("root", SequentialProcessorPipelineParams)
    parsed = parser.parse_args(["--root.num_threads", "5"]).root
    assert parsed.num_processes == 5 and parsed.num_threads is None


def test_a_composed_pipeline_has_no_settings_of_its_own():
    old_json = {"run_parallel": True, "num_threads": -1, "pipelines": [{"num_threads": 2, "processors": []}]}
    composed = ComposedProcessorPipelineParams.from_dict(old_json)
    assert set(composed.to_dict()) == {"pipelines", "__cls__"}
    assert composed.stages()[0].num_processes == 2
