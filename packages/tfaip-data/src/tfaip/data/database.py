"""`DataBaseParams` and `DataBase`: a scenario's data, its specs and its pre-/post-processing."""

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Dict, Generic, Optional, Type, TypeVar, Union

from paiargparse import pai_dataclass, pai_meta

from tfaip.data.generator.base import DataGeneratorParams
from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.params import DataPipelineParams
from tfaip.data.processor.pipeline_params import (
    ComposedProcessorPipelineParams,
    DataProcessorPipelineParams,
    SequentialProcessorPipelineParams,
)
from tfaip.data.resource.manager import ResourceManager
from tfaip.data.sample import PipelineMode, Sample
from tfaip.data.util.generics import bind_params_class, resolve_generic


@pai_dataclass
@dataclass
class DataBaseParams:
    """Params of a scenario's data: the pre- and post-processing pipelines (plus your fields).

    `cls()` is the DataBase subclass that names these params as its generic argument
    (`class Data(DataBase[DataParams])`), unless you implement it.
    """

    pre_proc: DataProcessorPipelineParams = field(
        default_factory=SequentialProcessorPipelineParams,
        metadata=pai_meta(
            help="Pre-processing applied to the generated samples before the model.",
            choices=[SequentialProcessorPipelineParams, ComposedProcessorPipelineParams],
        ),
    )
    post_proc: DataProcessorPipelineParams = field(
        default_factory=SequentialProcessorPipelineParams,
        metadata=pai_meta(
            help="Post-processing applied to the model's (un-batched) predictions.",
            choices=[SequentialProcessorPipelineParams, ComposedProcessorPipelineParams],
        ),
    )
    skip_invalid: bool = field(
        default=False,
        metadata=pai_meta(
            help="Skip a sample whose processor fails (an image that cannot be decoded, a missing label, ...) and "
            "count it in one warning per pass, instead of stopping with the error."
        ),
    )
    resource_base_path: str = field(
        default_factory=os.getcwd,
        metadata=pai_meta(mode="ignore", help="Directory that relative resource paths are resolved against."),
    )

    @staticmethod
    def cls() -> Type["DataBase"]:
        """The DataBase class these params configure."""
        raise NotImplementedError(
            "No DataBase names these params: define `class MyData(DataBase[MyDataParams])` or implement `cls()`."
        )

    def create(self) -> "DataBase":
        """Create the DataBase."""
        return self.cls()(params=self)


TDP = TypeVar("TDP", bound=DataBaseParams)


def _validated_specs(specs: Any, owner: str) -> Dict[str, Any]:
    if not isinstance(specs, dict):
        raise TypeError(f"{owner} must return a dict of name -> spec, got {type(specs).__name__}.")
    for name, spec in specs.items():
        if not (hasattr(spec, "shape") and hasattr(spec, "dtype")):
            raise TypeError(
                f"{owner}: the spec of {name!r} needs .shape and .dtype (e.g. tf.TensorSpec), got {spec!r}."
            )
        if spec.shape is None or len(spec.shape) == 0:
            raise ValueError(
                f"{owner}: {name!r} has a scalar shape {tuple(spec.shape or ())}. Specs exclude the batch "
                "dimension and need at least one axis: use shape [1] for a single value."
            )
    return specs


class DataBase(Generic[TDP], ABC):
    """A scenario's data: input/target specs, padding values and pipelines per mode.

    Implement `_input_layer_specs` and `_target_layer_specs`; optionally `_padding_values`,
    `element_length` (bucketing) and `default_params` (the default processors).

    Example:
        >>> class Data(DataBase[DataParams]):
        ...     def _input_layer_specs(self):
        ...         return {"img": tf.TensorSpec([28, 28], "uint8")}
        ...     def _target_layer_specs(self):
        ...         return {"gt": tf.TensorSpec([1], "int32")}
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TDP)

    @classmethod
    def params_cls(cls) -> Type[TDP]:
        """The params class bound by `DataBase[Params]`."""
        return resolve_generic(cls, TDP)

    @classmethod
    def default_params(cls) -> TDP:
        """Default params; override to set up the default `pre_proc`/`post_proc` processors."""
        return cls.params_cls()()

    @classmethod
    def data_pipeline_cls(cls) -> Type[DataPipeline]:
        """The DataPipeline class (override to customise it)."""
        return DataPipeline

    def __init__(self, params: TDP):
        self._params = params
        self.resources = ResourceManager(params.resource_base_path)
        self.resources.register_all(params)

    @property
    def params(self) -> TDP:
        """The params of this data."""
        return self._params

    def input_layer_specs(self) -> Dict[str, Any]:
        """The validated input specs (name -> object with .shape/.dtype, batch axis excluded)."""
        return _validated_specs(self._input_layer_specs(), f"{type(self).__name__}._input_layer_specs")

    def target_layer_specs(self) -> Dict[str, Any]:
        """The validated target specs (name -> object with .shape/.dtype, batch axis excluded)."""
        return _validated_specs(self._target_layer_specs(), f"{type(self).__name__}._target_layer_specs")

    @abstractmethod
    def _input_layer_specs(self) -> Dict[str, Any]:
        """Name -> spec of the model inputs, e.g. `{"img": tf.TensorSpec([28, 28], "uint8")}`."""

    @abstractmethod
    def _target_layer_specs(self) -> Dict[str, Any]:
        """Name -> spec of the targets, e.g. `{"gt": tf.TensorSpec([1], "int32")}`."""

    def padding_values(self) -> Dict[str, Any]:
        """Padding value per input/target name (missing names pad with 0)."""
        return dict(self._padding_values())

    def _padding_values(self) -> Dict[str, Any]:
        """Override to pad some arrays with other values than 0, e.g. `{"img": 255}`."""
        return {}

    def element_length(self, sample: Sample) -> int:
        """Length of a sample, used to bucket samples (`DataPipelineParams.bucket_boundaries`)."""
        raise NotImplementedError(
            f"{type(self).__name__}.element_length(sample) is needed to bucket by length: override it to "
            "return e.g. len(sample.inputs['text'])."
        )

    def create_pipeline(
        self,
        pipeline_params: Union[DataPipelineParams, PipelineMode],
        generator_params: Optional[DataGeneratorParams],
    ) -> DataPipeline:
        """A DataPipeline for a mode (default params) or for the given DataPipelineParams."""
        if isinstance(pipeline_params, PipelineMode):
            pipeline_params = DataPipelineParams(mode=pipeline_params)
        return self.data_pipeline_cls()(pipeline_params, self, generator_params)
