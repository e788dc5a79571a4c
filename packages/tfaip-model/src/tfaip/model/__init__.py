"""tfaip.model: the model layer of a scenario on TensorFlow 2 / Keras 3.

A scenario is a `DataBase` (tfaip.data) plus a `ModelBase` and its graph; `ScenarioBase`
glues them together, builds the keras `RootGraph` for `fit` and exports SavedModels.
"""

__version__ = "0.4.0"

from tfaip.data.util.files import ADDITIONAL_SERVE_DIR, SCENARIO_PARAMS_FILE, SERVE_DIR, TRAINER_PARAMS_FILE
from tfaip.model.cluster import Cluster, current_cluster
from tfaip.model.device import DeviceConfig, DeviceConfigParams, DistributionStrategy
from tfaip.model.evaluator import Evaluator, EvaluatorBase, EvaluatorParams
from tfaip.model.export import atomic_directory, recover_directory, write_saved_model
from tfaip.model.formats import EXPORT_FORMATS, ExportFormatError
from tfaip.model.graph.graphbase import GenericGraphBase, GraphBase
from tfaip.model.graph.layer import TFAIPLayerBase
from tfaip.model.graph.tensorboard import TensorboardWriter
from tfaip.model.metric_definition import MetricDefinition
from tfaip.model.modelbase import ModelBase
from tfaip.model.params import ModelBaseParams
from tfaip.model.rootgraph import RootGraph
from tfaip.model.scenario.listfile import ListFileScenario, ListFileTrainerPipelineParams
from tfaip.model.scenario.lookup import import_scenario
from tfaip.model.scenario.params import ScenarioBaseParams
from tfaip.model.scenario.scenariobase import ScenarioBase
from tfaip.model.scenario.trainer_pipeline import (
    TrainerPipelineParams,
    TrainerPipelineParamsBase,
    TrainerPipelines,
    TrainValPipelineParams,
)

__all__ = [
    "ADDITIONAL_SERVE_DIR",
    "SCENARIO_PARAMS_FILE",
    "SERVE_DIR",
    "TRAINER_PARAMS_FILE",
    "Cluster",
    "DeviceConfig",
    "DeviceConfigParams",
    "DistributionStrategy",
    "EXPORT_FORMATS",
    "ExportFormatError",
    "Evaluator",
    "EvaluatorBase",
    "EvaluatorParams",
    "GenericGraphBase",
    "GraphBase",
    "ListFileScenario",
    "ListFileTrainerPipelineParams",
    "MetricDefinition",
    "ModelBase",
    "ModelBaseParams",
    "RootGraph",
    "ScenarioBase",
    "ScenarioBaseParams",
    "TFAIPLayerBase",
    "TensorboardWriter",
    "TrainerPipelineParams",
    "TrainerPipelineParamsBase",
    "TrainerPipelines",
    "TrainValPipelineParams",
    "__version__",
    "atomic_directory",
    "current_cluster",
    "import_scenario",
    "recover_directory",
    "write_saved_model",
]
