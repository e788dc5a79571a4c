"""What runs an export's model: the choice of backend, and the two that need no TensorFlow (LiteRT, ONNX).

    --predict.backend auto ─► saved_model  where tfaip-model (TensorFlow) is installed
                           └► litert, onnx  the first the export holds (deploy.json) and this environment can run
    LiteRTModel: model.tflite on ai-edge-litert     OnnxModel: model.onnx on onnxruntime (CPU)

The SavedModel backend is `tfaip.serve.export_loader.PredictionModel` (TensorFlow).
"""

import importlib.util
import json
import os
import threading
from typing import Any, Dict, Optional

import numpy as np

from tfaip.data.util.files import DEPLOY_FILE, LITERT_FILE, ONNX_FILE
from tfaip.serve.export_dir import ExportError

AUTO, SAVED_MODEL, LITERT, ONNX = "auto", "saved_model", "litert", "onnx"
BACKENDS = (AUTO, SAVED_MODEL, LITERT, ONNX)
_RUNTIMES = {SAVED_MODEL: "tfaip.model", LITERT: "ai_edge_litert", ONNX: "onnxruntime"}
_EXTRAS = {SAVED_MODEL: "tf", LITERT: "litert", ONNX: "onnx"}
_FILES = {LITERT: LITERT_FILE, ONNX: ONNX_FILE}


def read_deploy_manifest(path: str) -> Optional[Dict[str, Any]]:
    """The export's `deploy.json` (formats, data classes, input specs), or None for an export without one."""
    file = os.path.join(path, DEPLOY_FILE)
    if not os.path.isfile(file):
        return None
    try:
        with open(file, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise ExportError(f"{file} cannot be read ({e}); the export is corrupt: export the model again.") from e


def installed(backend: str) -> bool:
    """Whether this environment can run `backend` (its runtime is importable)."""
    return importlib.util.find_spec(_RUNTIMES[backend]) is not None


def choose_backend(requested: str, path: str, manifest: Optional[Dict[str, Any]]) -> str:
    """The backend that runs the export at `path`, or an ExportError saying what to install or export."""
    formats = list(manifest["formats"]) if manifest else [SAVED_MODEL]
    available = [b for b in (SAVED_MODEL, LITERT, ONNX) if b in formats and installed(b)]
    if requested == AUTO:
        if available:
            return available[0]
        raise ExportError(
            f"No backend here can run the export {path}: it holds {', '.join(formats)}, and none of their runtimes "
            f"is installed. Install one: {', '.join(_install_hint(f) for f in formats)}."
        )
    if requested not in BACKENDS:
        raise ExportError(f"Unknown backend {requested!r}: choose one of {', '.join(BACKENDS)}.")
    unknown = [f for f in formats if f not in _RUNTIMES]
    if unknown:
        raise ExportError(f"{path} names the formats {unknown}, which this tfaip-serve does not know: update it.")
    if requested not in formats:
        raise ExportError(
            f"The export {path} holds no {requested} model (it holds {', '.join(formats)}); export it with "
            f"--scenario.export_formats {' '.join([*formats, requested])}, or choose --predict.backend "
            f"{' or '.join(formats)}."
        )
    if not installed(requested):
        raise ExportError(f"--predict.backend {requested} needs {_install_hint(requested)}.")
    return requested


def _install_hint(backend: str) -> str:
    return f'pip install "tfaip-serve[{_EXTRAS[backend]}]"'


def uses_tf_free_data(backend: str, scenario_cls: Any, manifest: Optional[Dict[str, Any]]) -> bool:
    """Whether a predictor builds its data side from the export alone (`DataSide.of_export`), without TensorFlow.

    Not on the SavedModel backend, nor with a scenario class given, nor where the export's data
    needs its scenario (it overrides `create_data`) and TensorFlow is at hand to import it.
    """
    if backend == SAVED_MODEL or scenario_cls is not None:
        return False
    return not (manifest.get("data") is None and installed(SAVED_MODEL))


def model_file(path: str, backend: str) -> str:
    """The file of the LiteRT or ONNX model in the export at `path`, checked to exist."""
    file = os.path.join(path, _FILES[backend])
    if not os.path.exists(file):
        raise ExportError(f"The export {path} lacks {os.path.basename(file)}; it is incomplete: export it again.")
    return file


class InputCaster:
    """Casts a batch's model inputs to the declared dtypes (other keys are dropped).

    Args:
        dtypes: input name -> dtype (anything `np.dtype` takes, or a `tf.DType`).
    """

    def __init__(self, dtypes: Dict[str, Any]):
        self.dtypes = {name: np.dtype(getattr(d, "as_numpy_dtype", d)) for name, d in dtypes.items()}

    def __call__(self, inputs: Dict[str, Any]) -> Dict[str, np.ndarray]:
        """The model inputs of a batch, in the declared dtypes."""
        missing = sorted(set(self.dtypes) - set(inputs))
        if missing:
            raise KeyError(f"The batch lacks the model inputs {missing}; the pre-processing produced {sorted(inputs)}.")
        return {name: np.asarray(inputs[name], dtype) for name, dtype in self.dtypes.items()}


def _loaded(backend: str, file: str, load) -> Any:
    try:
        return load()
    except Exception as e:  # the runtimes raise their own types for a damaged file
        raise ExportError(
            f"The {backend} model {file} cannot be loaded ({type(e).__name__}: {str(e)[:200]}); the export is "
            "corrupt: export the model again."
        ) from e


class LiteRTModel:
    """An export's `model.tflite` on the LiteRT runtime (ai-edge-litert), on numpy batches.

    Args:
        path: the export directory.
        input_dtypes: input name -> dtype.
    """

    def __init__(self, path: str, input_dtypes: Dict[str, Any]):
        from ai_edge_litert.interpreter import Interpreter

        file = model_file(path, LITERT)
        self.cast_inputs = InputCaster(input_dtypes)
        interpreter = _loaded(LITERT, file, lambda: Interpreter(model_path=file, num_threads=os.cpu_count()))
        self.runner = _loaded(LITERT, file, lambda: interpreter.get_signature_runner("serving_default"))
        self.lock = threading.Lock()  # an interpreter runs one call at a time; onnxruntime's session is thread-safe

    def __call__(self, inputs: Dict[str, Any]) -> Dict[str, np.ndarray]:
        """The outputs of a batch of inputs."""
        with self.lock:
            outputs = self.runner(**self.cast_inputs(inputs))
            return {name: np.array(outputs[name]) for name in sorted(outputs)}  # every backend in this order


class OnnxModel:
    """An export's `model.onnx` on onnxruntime (CPU), on numpy batches.

    Args:
        path: the export directory.
        input_dtypes: input name -> dtype.
    """

    def __init__(self, path: str, input_dtypes: Dict[str, Any]):
        import onnxruntime

        file = model_file(path, ONNX)
        self.cast_inputs = InputCaster(input_dtypes)
        self.session = _loaded(
            ONNX, file, lambda: onnxruntime.InferenceSession(file, providers=["CPUExecutionProvider"])
        )
        self.output_names = sorted(o.name for o in self.session.get_outputs())  # every backend in this order

    def __call__(self, inputs: Dict[str, Any]) -> Dict[str, np.ndarray]:
        """The outputs of a batch of inputs."""
        return dict(zip(self.output_names, self.session.run(self.output_names, self.cast_inputs(inputs))))


def tf_free_model(backend: str, path: str, input_dtypes: Dict[str, Any]) -> Any:
    """The LiteRT or ONNX model of the export at `path`."""
    return (LiteRTModel if backend == LITERT else OnnxModel)(path, input_dtypes)
