"""`ScenarioBase[ScenarioParams, TrainerPipelineParams]`: glues data, model, evaluator and export."""

import contextlib
import inspect
import json
import os
import pickle
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Generic, List, Optional, Tuple, Type, TypeVar, get_origin

import numpy as np

from tfaip.data import ConfigError, DataBase, DataGeneratorParams, DataPipelineParams, PipelineMode, resolve_generic
from tfaip.data.cli import current_directory_importable
from tfaip.data.util.files import (
    ADDITIONAL_SERVE_DIR,
    DEPLOY_FILE,
    SCENARIO_PARAMS_FILE,
    SERVE_DIR,
    TRAINER_PARAMS_FILE,
    VOTER_FILE,
    write_atomically,
    write_json_atomically,
)
from tfaip.model.evaluator import EvaluatorBase, EvaluatorParams
from tfaip.model.export import atomic_directory, write_saved_model
from tfaip.model.formats import (
    SAVED_MODEL,
    ExportFormatError,
    check_export_formats,
    check_format_packages,
    convertible_ops,
    format_paths,
    saved_model_outputs,
    verify_format,
    write_format,
)
from tfaip.model.modelbase import ModelBase
from tfaip.model.rootgraph import RootGraph
from tfaip.model.scenario.params import ScenarioBaseParams
from tfaip.model.scenario.trainer_pipeline import TDataGeneratorVal, TrainerPipelineParamsBase, TrainValPipelineParams

if TYPE_CHECKING:
    import keras

TScenarioParams = TypeVar("TScenarioParams", bound=ScenarioBaseParams)
# a DataGeneratorParams class binds it too: one generator for training and validation
TTrainerPipelineParams = TypeVar("TTrainerPipelineParams", bound=TrainerPipelineParamsBase)


class ScenarioBase(Generic[TScenarioParams, TTrainerPipelineParams]):
    """A task: its data, model and evaluator, created from `ScenarioParams`; trained and exported.

    The classes come from the generic arguments: `data_cls()` and `model_cls()` from those of
    `ScenarioParams` (`ScenarioBaseParams[Data or DataParams, Model or ModelParams]`), the
    training data from the second argument: a `TrainerPipelineParamsBase` subclass, or the
    params of one generator for training and validation (`TrainValPipelineParams`). Override
    `create_data` / `create_model` to pass static parameters (e.g. a codec from the data to
    the model).

    Example:
        >>> class TutorialScenario(ScenarioBase[TutorialScenarioParams, TutorialDataGeneratorParams]):
        ...     pass
        >>> scenario = TutorialScenario(TutorialScenario.default_params())
        >>> scenario.root_graph.compile(optimizer="adam")  # a keras Model with losses and metrics
        >>> scenario.root_graph.fit(dataset, epochs=2)
        >>> scenario.export("model/export")
    """

    # ---- classes and params ---------------------------------------------------------------------

    @classmethod
    def params_cls(cls) -> Type[TScenarioParams]:
        """The scenario params class."""
        return resolve_generic(cls, TScenarioParams)

    @classmethod
    def trainer_pipeline_params_cls(cls) -> Type[TrainerPipelineParamsBase]:
        """The params class of the training data (train/val/LAV generators)."""
        bound = resolve_generic(cls, TTrainerPipelineParams)
        return TrainValPipelineParams if issubclass(bound, DataGeneratorParams) else bound

    @classmethod
    def data_cls(cls) -> Type[DataBase]:
        """The DataBase class."""
        return cls.params_cls().data_class()

    @classmethod
    def model_cls(cls) -> Type[ModelBase]:
        """The ModelBase class."""
        return cls.params_cls().model_class()

    @classmethod
    def evaluator_cls(cls) -> Type[EvaluatorBase]:
        """The Evaluator class (override to add pure-Python metrics to LAV)."""
        return EvaluatorBase

    @classmethod
    def predict_generator_params_cls(cls) -> Type[DataGeneratorParams]:
        """The generator params of prediction and LAV data (`--data.*` of tfaip-predict; default: the validation's)."""
        bound = resolve_generic(cls, TTrainerPipelineParams)
        if get_origin(bound) is not None:  # e.g. TrainerPipelineParams[TrainGen, ValGen], written in place
            return resolve_generic(bound, TDataGeneratorVal)
        return bound if issubclass(bound, DataGeneratorParams) else bound.val_cls()

    @classmethod
    def default_params(cls) -> TScenarioParams:
        """Default params: the data's default processors, the evaluator's params and this scenario's id."""
        params = cls.params_cls()()
        data_defaults = cls.data_cls().default_params()
        if isinstance(data_defaults, type(params.data)):  # a params subclass may reuse another DataBase
            params.data = data_defaults
        params.evaluator = cls.evaluator_cls().default_params()
        cls._stamp(params)
        return params

    @classmethod
    def default_trainer_pipeline_params(cls) -> TTrainerPipelineParams:
        """Default params of the training data."""
        bound = resolve_generic(cls, TTrainerPipelineParams)
        if issubclass(bound, DataGeneratorParams):
            return TrainValPipelineParams(train_val=bound())
        return bound()

    @classmethod
    def _stamp(cls, params: ScenarioBaseParams) -> None:
        params.scenario_id = _class_id(cls)
        params.scenario_base_path = inspect.getfile(cls)

    # ---- reading params of an export or a training run ------------------------------------------

    @staticmethod
    def read_params_dict_from_path(path: str) -> Dict[str, Any]:
        """The scenario params dict of an export or output dir (or of a params .json file).

        Resource paths then resolve relative to that directory.
        """
        path = os.path.abspath(path)
        if os.path.isdir(path):
            candidates = [os.path.join(path, n) for n in (SCENARIO_PARAMS_FILE, TRAINER_PARAMS_FILE)]
            found = next((c for c in candidates if os.path.isfile(c)), None)
            if found is None:
                raise ConfigError(
                    f"{path} holds neither {SCENARIO_PARAMS_FILE} nor {TRAINER_PARAMS_FILE}; pass an export directory "
                    "(e.g. OUTPUT_DIR/export or OUTPUT_DIR/best)."
                )
            path = found
        elif not os.path.isfile(path):
            raise ConfigError(f"{path} does not exist; pass an export directory or a params .json file.")
        try:
            with open(path, encoding="utf-8") as f:
                params = json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path} is not valid JSON ({e}); the export is corrupt, export the model again.") from e
        params = params.get("scenario", params)  # trainer params hold the scenario params
        params.setdefault("data", {})["resource_base_path"] = os.path.dirname(path)
        return params

    @classmethod
    def params_from_path(cls, path: str) -> TScenarioParams:
        """The scenario params stored at `path` (see `read_params_dict_from_path`)."""
        return cls.params_cls().from_dict(cls.read_params_dict_from_path(path))

    @staticmethod
    def from_path(path: str) -> Tuple[Type["ScenarioBase"], ScenarioBaseParams]:
        """The scenario class and params stored at `path` (an export or output dir).

        The params name their classes by module path; the current directory is importable.
        """
        current_directory_importable()
        params = ScenarioBaseParams.from_dict(ScenarioBase.read_params_dict_from_path(path))
        return params.cls(), params

    # ---- objects of the upper layers, created through params that know their class --------------

    @classmethod
    def create_trainer(cls, trainer_params: Any, restore: bool = False) -> Any:
        """The Trainer of `trainer_params` (a tfaip.train TrainerParams) for this scenario."""
        return trainer_params.create(scenario=cls(trainer_params.scenario), restore=restore)

    @classmethod
    def create_predictor(cls, model: "str | keras.Model", params: Any) -> Any:
        """The Predictor of `params` (a tfaip.serve PredictorParams) for an export dir or a keras Model."""
        return params.create(scenario_cls=cls, model=model)

    @classmethod
    def create_multi_predictor(cls, models: "List[str | keras.Model]", params: Any) -> Any:
        """The MultiModelPredictor of `params` (a tfaip.serve PredictorParams) voting several models."""
        return params.create_multi(scenario_cls=cls, models=models)

    @classmethod
    def create_lav(cls, model: "str | keras.Model", params: Any) -> Any:
        """The LAV of `params` (a tfaip.serve LAVParams) for an export dir or a keras Model."""
        return params.create(scenario_cls=cls, model=model)

    @classmethod
    def create_voter(cls, data: DataBase) -> Any:
        """How a MultiModelPredictor combines the post-processed samples of several models.

        Return a tfaip.serve `MultiModelVoter` (e.g. averaging class probabilities), or None
        for the default, which averages float outputs and takes the majority of the others.
        """
        del data
        return None

    @classmethod
    def create_evaluator(cls, params: EvaluatorParams) -> EvaluatorBase:
        """The evaluator of this scenario."""
        return cls.evaluator_cls()(params)

    # ---- instance -------------------------------------------------------------------------------

    def __init__(self, params: TScenarioParams):
        if params.scenario_id is None:
            self._stamp(params)
        self._params = params
        self._data: Optional[DataBase] = None
        self._model: Optional[ModelBase] = None
        self._root_graph: Optional[RootGraph] = None

    @property
    def params(self) -> TScenarioParams:
        """The scenario params."""
        return self._params

    @property
    def data(self) -> DataBase:
        """The DataBase (created on first use)."""
        if self._data is None:
            self._data = self.create_data()
        return self._data

    @property
    def model(self) -> ModelBase:
        """The ModelBase (created on first use, after the data)."""
        if self._model is None:
            self._model = self.create_model()
        return self._model

    @property
    def root_graph(self) -> RootGraph:
        """The keras Model of the scenario, built and checked (created on first use)."""
        if self._root_graph is None:
            self._root_graph = self.create_root_graph()
        return self._root_graph

    def create_data(self) -> DataBase:
        """Create the DataBase (override to pass static parameters)."""
        return self._params.create_data()

    def create_model(self) -> ModelBase:
        """Create the ModelBase (override to pass static parameters, e.g. from `self.data`)."""
        return self._params.create_model()

    def create_root_graph(self) -> RootGraph:
        """Create the root graph of the model on the data's specs."""
        return self.model.root_graph_cls()(self.model, self.data)

    def best_logging_settings(self) -> Tuple[str, str]:
        """`("min"|"max", key)` of the model."""
        return self.model.best_logging_settings()

    def export(
        self,
        path: str,
        trainer_params: Any = None,
        export_resources: bool = True,
        overwrite: bool = False,
        verify_with: Optional[DataGeneratorParams] = None,
    ) -> None:
        """Export the model to `path`: SavedModels, the other `export_formats`, `scenario_params.json`, resources.

        `path/serve` holds the "default" graph of `ModelBase._export_graphs`, `path/additional/<label>`
        the others; `path/model.tflite` and `path/model.onnx` the "default" graph in the formats of
        `params.export_formats`, each checked against the SavedModel on a batch of samples.
        Everything is written to a temporary directory beside `path` and renamed into place, so a
        crash or a failed check never leaves half an export.

        Args:
            path: the export directory; it must not exist or be empty unless `overwrite`.
            trainer_params: also write these as `trainer_params.json` (e.g. for `best/`).
            export_resources: copy the data's resources into `path/resources`.
            overwrite: replace an existing export at `path`.
            verify_with: the data that checks the converted formats (default: the validation data of
                `trainer_params`, else `predict_generator_params_cls()()`).
        """
        params_dict = self._params.to_dict()
        trainer_dict = trainer_params.to_dict() if trainer_params is not None else None
        converted = self._converted_formats()
        graphs = self.root_graph.export_graphs() if self._params.export_serve else {}
        if converted:
            inputs = self._verification_inputs(verify_with, trainer_params, graphs["default"])
            voter = self._pickled_voter()
        with atomic_directory(path, overwrite=overwrite) as tmp:
            if export_resources:
                self.data.resources.dump(tmp, params_dict["data"])
            with convertible_ops() if converted else contextlib.nullcontext():  # the same graph in every format
                for label, keras_model in graphs.items():
                    sub_dir = SERVE_DIR if label == "default" else os.path.join(ADDITIONAL_SERVE_DIR, label)
                    write_saved_model(keras_model, os.path.join(tmp, sub_dir))
            if converted:
                self._write_formats(tmp, graphs["default"], converted)
                self._verify_formats(tmp, converted, inputs)
                if voter is not None:
                    write_atomically(os.path.join(tmp, VOTER_FILE), voter)
            if graphs:
                write_json_atomically(os.path.join(tmp, DEPLOY_FILE), self._deploy_manifest(graphs["default"]))
            # synced like every file tfaip writes, so the renamed directory never holds an empty file
            write_json_atomically(os.path.join(tmp, SCENARIO_PARAMS_FILE), params_dict)
            if trainer_dict is not None:
                trainer_dict["scenario"] = params_dict
                write_json_atomically(os.path.join(tmp, TRAINER_PARAMS_FILE), trainer_dict)

    def check_export_formats(self) -> None:
        """Convert the export graph (as it is, e.g. untrained) to each format of `export_formats` but the SavedModel.

        The trainer calls this before the first epoch, so a graph that cannot be converted
        fails at once instead of at the first export.
        """
        converted = self._converted_formats()
        if not converted:
            return
        graph = self.root_graph.export_graphs()["default"]
        with tempfile.TemporaryDirectory() as tmp:
            with convertible_ops():
                write_saved_model(graph, os.path.join(tmp, SERVE_DIR))
            self._write_formats(tmp, graph, converted)

    def _converted_formats(self) -> List[str]:
        """The formats of `export_formats` besides the SavedModel, checked again (they may be set after `__init__`)."""
        formats = check_export_formats(self._params.export_formats)
        converted = [f for f in formats if f != SAVED_MODEL]
        if converted and not self._params.export_serve:
            raise ConfigError(
                f"export_formats {formats} need the SavedModel, but export_serve is False: the other formats are "
                "converted from it. Set export_serve True or export_formats saved_model."
            )
        check_format_packages(converted)
        return converted

    @staticmethod
    def _write_formats(export_dir: str, graph: "keras.Model", formats: List[str]) -> None:
        for fmt, file in format_paths(export_dir, formats).items():
            write_format(fmt, graph, os.path.join(export_dir, SERVE_DIR), file)

    def _verify_formats(self, export_dir: str, formats: List[str], inputs: Dict[str, np.ndarray]) -> None:
        reference = saved_model_outputs(os.path.join(export_dir, SERVE_DIR), inputs)
        for fmt, file in format_paths(export_dir, formats).items():
            verify_format(fmt, file, reference, inputs, self._params.export_tolerance)

    def _verification_inputs(
        self, verify_with: Optional[DataGeneratorParams], trainer_params: Any, graph: "keras.Model"
    ) -> Dict[str, np.ndarray]:
        """One pre-processed batch (up to 16 samples) of real data, in the graph's input dtypes."""
        if verify_with is None and trainer_params is not None:
            verify_with = trainer_params.gen.val_gen()
        if verify_with is None:
            verify_with = self.predict_generator_params_cls()()
        pipeline_params = DataPipelineParams(mode=PipelineMode.PREDICTION, batch_size=16, limit=16, num_processes=1)
        try:
            with self.data.create_pipeline(pipeline_params, verify_with).generate_input_batches() as batches:
                batch = next(iter(batches), None)
        except Exception as e:  # whatever the scenario's generator or processors raise
            raise ExportFormatError(
                f"The samples that check the converted formats cannot be loaded ({type(e).__name__}: {e}); pass "
                "data that loads as export(..., verify_with=generator_params)."
            ) from e
        if batch is None:
            raise ExportFormatError(
                f"{type(verify_with).__name__} yields no samples to check the converted formats with; pass data as "
                "export(..., verify_with=generator_params)."
            )
        dtypes = {t.name: np.dtype(t.dtype) for t in graph.inputs}
        return {name: np.asarray(batch.inputs[name], dtype) for name, dtype in dtypes.items()}

    def _pickled_voter(self) -> Optional[bytes]:
        """The scenario's voter (`create_voter`) pickled for voting without the scenario module, or None."""
        voter = self.create_voter(self.data)
        if voter is None:
            return None
        try:
            return pickle.dumps(voter)
        except Exception as e:  # pickle raises several types for what it cannot store
            raise ExportFormatError(
                f"The voter {type(voter).__name__} of create_voter cannot be pickled ({e}), which prediction "
                "without TensorFlow needs; define it at module level and keep only picklable state in it."
            ) from e

    def _deploy_manifest(self, graph: "keras.Model") -> Dict[str, Any]:
        """What prediction without TensorFlow reads: the formats and the classes of the data side."""
        if type(self).create_data is not ScenarioBase.create_data:
            data_cls = None  # rebuilt by the scenario alone, which needs TensorFlow
        else:
            data_cls = _class_id(type(self.data))
        return {
            "formats": list(self._params.export_formats),
            "data": data_cls,
            "predict_generator": _class_id(self.predict_generator_params_cls()),
            "inputs": {t.name: {"shape": list(t.shape[1:]), "dtype": str(np.dtype(t.dtype))} for t in graph.inputs},
        }


def _class_id(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"
