"""tfaip.data: samples, DataProcessors and parallel pre-processing pipelines.

Needs no TensorFlow; `tfaip.data.tf` (extra `tfaip-data[tf]`) turns a pipeline into a
`tf.data.Dataset`, and `tfaip.data.cli` holds what the console scripts share.
"""

__version__ = "0.4.5"

from tfaip.data.batching import Batcher, pad_and_stack
from tfaip.data.database import DataBase, DataBaseParams
from tfaip.data.errors import ConfigError, DataPipelineError, DataProcessorError, StoppedError, WorkerCrashedError
from tfaip.data.generator.base import DataGenerator, DataGeneratorParams, RawDataGenerator
from tfaip.data.generator.listfile import ListsFileDataGenerator, ListsFileGeneratorParams, read_list_file
from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.params import DataPipelineParams
from tfaip.data.pipeline.positions import BatchPositions
from tfaip.data.pipeline.processor_pipeline import DataProcessorPipeline
from tfaip.data.processor.base import (
    DataProcessorBase,
    DataProcessorParams,
    GeneratingDataProcessor,
    MappingDataProcessor,
)
from tfaip.data.processor.pipeline_params import (
    ComposedProcessorPipelineParams,
    DataProcessorPipelineParams,
    SequentialProcessorPipelineParams,
)
from tfaip.data.resource.manager import ResourceManager
from tfaip.data.resource.resource import Resource, resource_field
from tfaip.data.sample import GENERAL_PROCESSOR, INPUT_PROCESSOR, TARGETS_PROCESSOR, PipelineMode, Sample
from tfaip.data.spec import ArraySpec
from tfaip.data.util.generics import bind_params_class, resolve_generic, specialize_generic_fields

__all__ = [
    "ArraySpec",
    "GENERAL_PROCESSOR",
    "INPUT_PROCESSOR",
    "TARGETS_PROCESSOR",
    "BatchPositions",
    "Batcher",
    "ComposedProcessorPipelineParams",
    "ConfigError",
    "DataBase",
    "DataBaseParams",
    "DataGenerator",
    "DataGeneratorParams",
    "DataPipeline",
    "DataPipelineError",
    "DataPipelineParams",
    "DataProcessorBase",
    "DataProcessorError",
    "DataProcessorParams",
    "DataProcessorPipeline",
    "DataProcessorPipelineParams",
    "GeneratingDataProcessor",
    "ListsFileDataGenerator",
    "ListsFileGeneratorParams",
    "MappingDataProcessor",
    "PipelineMode",
    "RawDataGenerator",
    "Resource",
    "ResourceManager",
    "Sample",
    "SequentialProcessorPipelineParams",
    "StoppedError",
    "WorkerCrashedError",
    "__version__",
    "bind_params_class",
    "pad_and_stack",
    "read_list_file",
    "resolve_generic",
    "resource_field",
    "specialize_generic_fields",
]
