"""The SavedModel backend (TensorFlow): an export's scenario and its serving SavedModel, or a live keras Model.

export dir ── scenario_params.json ──► ScenarioBase.params_from_path (resources resolve to the export) ─► DataSide
          └─ serve/ (SavedModel) ────► its "serving_default" signature  ─┐
keras.Model ─────────────────────────► tf.function(model(x, training=False)) ─┴─► PredictionModel
"""

import dataclasses
import json
import os
from typing import Any, Dict, Optional, Tuple

import keras
import numpy as np
import tensorflow as tf

from tfaip.data import ConfigError, DataGeneratorParams
from tfaip.model import SERVE_DIR, TRAINER_PARAMS_FILE, DeviceConfig, ScenarioBase
from tfaip.serve.backends import SAVED_MODEL, InputCaster
from tfaip.serve.data_side import DataSide
from tfaip.serve.export_dir import ExportError, check_export_dir


def read_scenario(path: str) -> Tuple[Any, Any]:
    """The scenario class and params of the export at `path` (resources resolve inside it)."""
    path = check_export_dir(path)
    try:
        return ScenarioBase.from_path(path)
    except ImportError as e:
        raise ExportError(
            f"The export {path} was made by a scenario that cannot be imported here ({e}); install the scenario's "
            "package (or run from the directory that holds it)."
        ) from e
    except ConfigError as e:
        raise ExportError(f"The export {path} cannot be loaded: {e}") from e
    except (ValueError, KeyError, TypeError) as e:
        raise ExportError(
            f"The scenario params of the export {path} cannot be read ({e}); the export is corrupt or was written "
            "by an incompatible scenario version: export the model again."
        ) from e


def scenario_side(params: Any, scenario_cls: Any, model: Any, scenario_params: Any, backend: str) -> DataSide:
    """The data side of a predictor (`params`: PredictorParams), through the scenario (given, or the export's).

    With the SavedModel backend, the devices of `params.device` are set first, before TensorFlow
    loads a model.
    """
    if isinstance(model, str):
        if backend == SAVED_MODEL:
            DeviceConfig(params.device)
        if scenario_cls is None:
            scenario_cls, exported_params = read_scenario(model)
            scenario_params = scenario_params or exported_params
        if scenario_params is None:
            scenario_params = scenario_cls.params_from_path(model)
    if scenario_cls is None:
        raise ValueError("A Predictor of a keras Model needs the scenario class.")
    scenario_params = scenario_params or scenario_cls.default_params()
    if params.skip_invalid:
        data = dataclasses.replace(scenario_params.data, skip_invalid=True)
        scenario_params = dataclasses.replace(scenario_params, data=data)
    return DataSide.of_scenario(scenario_cls(scenario_params))


def recorded_lav_generator(path: str, scenario_cls: Any) -> Optional[DataGeneratorParams]:
    """The first LAV generator params recorded in the export's `trainer_params.json`, if any.

    Only the `gen` entry is read (with the scenario's own classes), so tfaip-train need not be
    installed.
    """
    trainer_params = os.path.join(path, TRAINER_PARAMS_FILE)
    if not os.path.isfile(trainer_params):
        return None
    try:
        with open(trainer_params, encoding="utf-8") as f:
            gen = json.load(f).get("gen")
        if gen is None:
            return None
        lav_gens = scenario_cls.trainer_pipeline_params_cls().from_dict(gen).lav_gen()
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ExportError(
            f"{trainer_params} cannot be read ({type(e).__name__}: {e}); the export is corrupt: export the model "
            "again, or pass the data with --data.*"
        ) from e
    return lav_gens[0] if lav_gens else None


class PredictionModel:
    """The prediction graph of an export (its `serving_default` signature) or of a keras Model, on numpy batches.

    Inputs are cast to the data's input specs; outputs come back as numpy arrays.

    Args:
        model: an export directory, or a keras Model (e.g. the RootGraph during training).
        input_specs: the data's input specs (name -> object with .shape/.dtype).
        run_eagerly: call a keras Model eagerly instead of through tf.function.
    """

    def __init__(self, model: Any, input_specs: Dict[str, Any], run_eagerly: bool = False):
        self.cast_inputs = InputCaster({name: tf.as_dtype(spec.dtype) for name, spec in input_specs.items()})
        if isinstance(model, str):
            self.saved_model = load_saved_model(model)  # keeps the restored variables alive
            signature = self.saved_model.signatures["serving_default"]  # less call overhead than `serve`
            self.fn = lambda inputs: signature(**inputs)
        elif isinstance(model, keras.Model):

            def call(inputs):
                return model(inputs, training=False)

            self.fn = call if run_eagerly else tf.function(call, reduce_retracing=True)
        elif callable(model):
            self.fn = model
        else:
            raise TypeError(f"A predictor needs an export directory or a keras Model, got {type(model).__name__}.")
        self.traceable = isinstance(model, (str, keras.Model))  # `fn` may run inside a tf.function

    def __call__(self, inputs: Dict[str, Any]) -> Dict[str, np.ndarray]:
        """The outputs (numpy) of a batch of inputs."""
        inputs = self.cast_inputs(inputs)
        if self.traceable:  # a signature's argument binding converts numpy arrays on a slow path (0.1 ms a call)
            inputs = {name: tf.constant(value) for name, value in inputs.items()}
        outputs = self.fn(inputs)
        return {name: np.asarray(outputs[name]) for name in sorted(outputs)}  # every backend in this order


def load_saved_model(path: str) -> Any:
    """The `serve` SavedModel of the export at `path`, with a clear error when it is missing or corrupt."""
    serve_dir = os.path.join(check_export_dir(path), SERVE_DIR)
    if not os.path.isfile(os.path.join(serve_dir, "saved_model.pb")):
        raise ExportError(
            f"The export {path} has no SavedModel in serve/ (it was exported with export_serve=False or is "
            "incomplete); export the model again."
        )
    try:
        loaded = tf.saved_model.load(serve_dir)
    except Exception as e:  # TensorFlow raises many types for a damaged file
        raise ExportError(
            f"The SavedModel {serve_dir} cannot be loaded ({type(e).__name__}: {str(e)[:200]}); the export is "
            "corrupt: export the model again."
        ) from e
    if "serving_default" not in loaded.signatures:
        raise ExportError(
            f"The SavedModel {serve_dir} has no 'serving_default' signature; it was not written by tfaip."
        )
    return loaded
