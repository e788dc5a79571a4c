"""`DataProcessorParams` and the two kinds of processors a user implements.

A processor is configured by its params and created from them inside the process that
runs it, so only the (picklable) params travel to worker processes, never the processor.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Generic, Iterable, Set, Type, TypeVar

from paiargparse import pai_dataclass, pai_meta

from tfaip.data.sample import GENERAL_PROCESSOR, PipelineMode, Sample, is_valid_sample
from tfaip.data.util.generics import bind_params_class


@pai_dataclass
@dataclass
class DataProcessorParams:
    """Parameters of a DataProcessor; subclass it and add fields.

    `cls()` is the processor that names these params as its generic argument (`class
    Scale(MappingDataProcessor[ScaleParams])`), unless you implement it.

    Example:
        >>> @pai_dataclass
        ... @dataclass
        ... class ScaleParams(DataProcessorParams):
        ...     factor: float = 2.0
    """

    modes: Set[PipelineMode] = field(
        default_factory=lambda: set(GENERAL_PROCESSOR),
        metadata=pai_meta(help="The pipeline modes in which this processor runs (e.g. only training)."),
    )

    @staticmethod
    def cls() -> Type["DataProcessorBase"]:
        """The processor class these params configure."""
        raise NotImplementedError(
            "No processor names these params: define `class MyProcessor(MappingDataProcessor[MyParams])` (or "
            "GeneratingDataProcessor) or implement `cls()`."
        )

    def create(self, data_params: Any, mode: PipelineMode) -> "DataProcessorBase":
        """Create the processor for `mode` (it must be one of `modes`)."""
        if mode not in self.modes:
            raise ValueError(
                f"{type(self).__name__} is not meant to run in mode {mode!s}; its modes are "
                f"{sorted(m.value for m in self.modes)}."
            )
        processor_cls = self.cls()
        if not issubclass(processor_cls, (MappingDataProcessor, GeneratingDataProcessor)):
            raise TypeError(
                f"{type(self).__name__}.cls() returned {processor_cls!r}; it must be a subclass of "
                "MappingDataProcessor or GeneratingDataProcessor."
            )
        return processor_cls(params=self, data_params=data_params, mode=mode)


TP = TypeVar("TP", bound=DataProcessorParams)


class DataProcessorBase(Generic[TP], ABC):
    """Common base of the processors: holds `params`, `data_params` and `mode`.

    Implement `MappingDataProcessor` or `GeneratingDataProcessor`, not this class.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TP)

    def __init__(self, params: TP, data_params: Any, mode: PipelineMode):
        self.params: TP = params
        self.data_params = data_params
        self.mode = mode

    def is_valid_sample(self, sample: Sample) -> bool:
        """Whether `sample` has what this processor's mode needs."""
        return is_valid_sample(sample, self.mode)


class MappingDataProcessor(DataProcessorBase[TP]):
    """A 1-to-1 processor: override `apply`.

    Return a new sample (see `Sample.new_inputs`), or None / `sample.new_invalid()` to drop it.

    Example:
        >>> class Scale(MappingDataProcessor[ScaleParams]):
        ...     def apply(self, sample):
        ...         return sample.new_inputs(sample.inputs * self.params.factor)
    """

    @abstractmethod
    def apply(self, sample: Sample) -> Sample:
        """Transform one sample."""


class GeneratingDataProcessor(DataProcessorBase[TP]):
    """An N-to-M processor: override `generate` to consume samples and yield any number.

    `generate` is called once per chunk of consecutive input samples (one batch worth,
    `DataPipelineParams.batch_size`), in serial and in parallel pipelines alike, so the
    output does not depend on `run_parallel`.

    Example:
        >>> class SplitLines(GeneratingDataProcessor):
        ...     def generate(self, samples):
        ...         for sample in samples:
        ...             for line in sample.inputs:
        ...                 yield sample.new_inputs(line)
    """

    @abstractmethod
    def generate(self, samples: Iterable[Sample]) -> Iterable[Sample]:
        """Consume `samples`, yield the produced samples."""
