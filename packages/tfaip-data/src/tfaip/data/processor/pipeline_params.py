"""Params of processor pipelines: a flat `SequentialProcessorPipelineParams` or a composition."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, List, Optional, Type, TypeVar

from paiargparse import pai_dataclass, pai_meta

from tfaip.data.processor.base import DataProcessorParams

if TYPE_CHECKING:
    from tfaip.data.pipeline.params import DataPipelineParams
    from tfaip.data.pipeline.processor_pipeline import DataProcessorPipeline

TP = TypeVar("TP", bound=DataProcessorParams)


@pai_dataclass
@dataclass
class DataProcessorPipelineParams(ABC):
    """The processors of a pipeline as one or more sequential stages, each run in-process or in parallel."""

    @abstractmethod
    def stages(self) -> List["SequentialProcessorPipelineParams"]:
        """The sequential stages this pipeline runs, in order."""

    def flatten_processors(self) -> List[DataProcessorParams]:
        """All processor params of all stages, in order."""
        return [p for stage in self.stages() for p in stage.processors]

    def processors_of_type(self, t: Type[TP]) -> List[TP]:
        """All processor params that are instances of `t`."""
        return [p for p in self.flatten_processors() if isinstance(p, t)]

    def has_processor(self, t: Type[DataProcessorParams]) -> bool:
        """Whether a processor of type `t` is anywhere in the pipeline."""
        return bool(self.processors_of_type(t))

    def erase_all(self, t: Type[DataProcessorParams]) -> None:
        """Remove every processor of type `t`."""
        for stage in self.stages():
            stage.processors = [p for p in stage.processors if not isinstance(p, t)]

    def replace_all(self, t: Type[DataProcessorParams], replacement: DataProcessorParams) -> None:
        """Replace every processor of type `t` by `replacement`."""
        for stage in self.stages():
            stage.processors = [replacement if isinstance(p, t) else p for p in stage.processors]

    def create(self, data_pipeline_params: "DataPipelineParams", data_params: Any) -> "DataProcessorPipeline":
        """Create the runnable pipeline, e.g. for standalone use with `pipeline.apply(samples)`."""
        from tfaip.data.pipeline.processor_pipeline import DataProcessorPipeline  # params know their class

        return DataProcessorPipeline(self.stages(), data_pipeline_params, data_params)


@pai_dataclass
@dataclass
class SequentialProcessorPipelineParams(DataProcessorPipelineParams):
    """A flat list of mapping and generating processors, run one after the other.

    In parallel mode each worker process runs the whole list on a chunk of samples.
    """

    run_parallel: bool = field(default=True, metadata=pai_meta(help="Run the processors in worker processes."))
    num_processes: int = field(
        default=-1,
        metadata=pai_meta(
            help="Number of worker processes of this pipeline; -1 uses the num_processes of the data pipeline."
        ),
    )
    max_tasks_per_process: int = field(
        default=250,
        metadata=pai_meta(
            help="A worker process is replaced by a fresh one after this many chunks (one batch of samples "
            "each) to bound leaked memory; 0 or less never replaces it."
        ),
    )
    processors: List[DataProcessorParams] = field(
        default_factory=list, metadata=pai_meta(help="The processors, applied in this order.")
    )
    num_threads: Optional[int] = field(
        default=None,
        metadata=pai_meta(help="The original tfaip's name of num_processes (it counts processes, not threads)."),
    )

    def __post_init__(self):
        if self.num_threads is not None:  # the old name, in flags or in the JSON of older versions
            self.num_processes, self.num_threads = self.num_threads, None

    def stages(self) -> List["SequentialProcessorPipelineParams"]:
        """A one-stage list: this pipeline itself."""
        return [self]


@pai_dataclass
@dataclass
class ComposedProcessorPipelineParams(DataProcessorPipelineParams):
    """Several sequential pipelines in a row, each with its own run_parallel / num_processes.

    Use it to run, for example, a cheap stage in-process and an expensive one in parallel.
    """

    pipelines: List[SequentialProcessorPipelineParams] = field(
        default_factory=list, metadata=pai_meta(help="The sequential pipelines, run in this order.")
    )

    def stages(self) -> List["SequentialProcessorPipelineParams"]:
        """The composed pipelines."""
        return list(self.pipelines)
