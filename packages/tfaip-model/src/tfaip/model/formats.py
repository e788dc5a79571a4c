"""Export formats for serving without TensorFlow: LiteRT and ONNX, converted from the export graph and verified.

    export graph (keras) ─► SavedModel serve/ ─► TFLiteConverter (builtin ops only) ─► model.tflite
                        └─────────────────────► tf2onnx ──────────────────────────────► model.onnx
    each converted file ─► its runtime (ai-edge-litert / onnxruntime) on a real batch ─► equal to serve/?

Both converters take a TensorFlow graph; `convertible_ops` traces keras' `argmax`/`argmin` as
the plain TensorFlow ops, because keras' own (which tell -0.0 from 0.0 with bit operations)
exist in neither LiteRT's builtin ops nor ONNX. The result differs only where -0.0 and 0.0 tie
for the maximum.
"""

import contextlib
import logging
import os
import re
from typing import Any, Callable, Dict, Iterator, List, Sequence

import numpy as np
import tensorflow as tf
from keras.src import backend as keras_backend

from tfaip.data import ConfigError
from tfaip.data.util.files import LITERT_FILE, ONNX_FILE, write_atomically

SAVED_MODEL = "saved_model"
LITERT = "litert"
ONNX = "onnx"
EXPORT_FORMATS = (SAVED_MODEL, LITERT, ONNX)
FORMAT_FILES = {LITERT: LITERT_FILE, ONNX: ONNX_FILE}
ONNX_OPSET = 17
# what each format needs at export time (conversion and the runtime that verifies it), and its pip extra
_FORMAT_PACKAGES = {LITERT: ("ai_edge_litert",), ONNX: ("tf2onnx", "onnxruntime")}

Outputs = Dict[str, np.ndarray]


class ExportFormatError(ConfigError):
    """A model cannot be converted to an export format, or the converted model computes something else."""


def check_export_formats(formats: Sequence[str]) -> List[str]:
    """The requested formats, checked: known, no duplicates, SavedModel included (it is the reference)."""
    formats = list(formats)
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ConfigError(f"Unknown export format(s) {unknown}: choose from {' '.join(EXPORT_FORMATS)}.")
    if SAVED_MODEL not in formats:
        raise ConfigError(
            f"export_formats {formats} lack saved_model: the SavedModel is what the other formats are converted "
            "from and checked against, and what training, LAV and warm-starts load. Add saved_model."
        )
    if len(set(formats)) != len(formats):
        raise ConfigError(f"export_formats {formats} name a format twice.")
    return formats


def check_format_packages(formats: Sequence[str]) -> None:
    """A ConfigError naming the missing packages (and the pip extra) of formats that cannot be written here."""
    for fmt in formats:
        missing = [m for m in _FORMAT_PACKAGES.get(fmt, ()) if not _importable(m)]
        if missing:
            raise ExportFormatError(
                f"Exporting {fmt} needs {' and '.join(missing)}, which are not installed: "
                f'pip install "tfaip-model[{fmt}]" (or drop {fmt} from --scenario.export_formats).'
            )


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@contextlib.contextmanager
def convertible_ops() -> Iterator[None]:
    """Trace keras' `argmax`/`argmin` as TensorFlow's own ops inside this block (see the module docstring)."""
    numpy_ops = keras_backend.numpy
    saved = numpy_ops.argmax, numpy_ops.argmin
    numpy_ops.argmax = _plain_arg(tf.math.argmax)
    numpy_ops.argmin = _plain_arg(tf.math.argmin)
    try:
        yield
    finally:
        numpy_ops.argmax, numpy_ops.argmin = saved


def _plain_arg(op: Callable) -> Callable:
    def arg(x, axis=None, keepdims=False):
        x = tf.convert_to_tensor(x)
        index = op(tf.reshape(x, [-1]) if axis is None else x, axis=0 if axis is None else axis, output_type="int32")
        if keepdims:
            index = tf.reshape(index, [1] * len(x.shape)) if axis is None else tf.expand_dims(index, axis)
        return index

    return arg


def write_format(fmt: str, keras_model: Any, serve_dir: str, path: str) -> None:
    """Convert the export graph to `fmt` (litert from the SavedModel at `serve_dir`, onnx from `keras_model`)."""
    if not isinstance(keras_model.output, dict):
        raise ExportFormatError(
            f"A {fmt} export needs a graph with named outputs (a dict), but the export graph returns "
            f"{type(keras_model.output).__name__}: return a dict from build_graph / _export_graphs."
        )
    try:
        data = _to_litert(serve_dir) if fmt == LITERT else _to_onnx(keras_model)
    except ExportFormatError:
        raise
    except Exception as e:  # the converters raise many types, with the op buried in long messages
        raise ExportFormatError(f"Converting the model to {fmt} failed: {_conversion_cause(fmt, str(e))}") from e
    write_atomically(path, data)


def _to_litert(serve_dir: str) -> bytes:
    converter = tf.lite.TFLiteConverter.from_saved_model(serve_dir, signature_keys=["serving_default"])
    # builtin ops only: TF ("flex") ops would need TensorFlow's kernels in the runtime
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def _to_onnx(keras_model: Any) -> bytes:
    with _environment_kept("TF_CPP_MIN_LOG_LEVEL"):  # tf2onnx sets it on import, for every later child process
        import tf2onnx

    signature = [tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype, name=t.name), keras_model.input)]
    function = tf.function(lambda inputs: keras_model(inputs, training=False), input_signature=signature)
    with convertible_ops():
        function.get_concrete_function()  # traced here; tf2onnx reuses this trace
    with _captured_log("tf2onnx") as messages, _environment_kept("TF_CPP_MIN_LOG_LEVEL"):
        model_proto, _ = tf2onnx.convert.from_function(function, input_signature=signature, opset=ONNX_OPSET)
    unsupported = [m for m in messages if "nsupported op" in m]
    if unsupported:
        raise ExportFormatError(f"Converting the model to onnx failed: {'; '.join(unsupported)}")
    return model_proto.SerializeToString()


@contextlib.contextmanager
def _environment_kept(name: str) -> Iterator[None]:
    """Undo what the block does to the environment variable `name`."""
    saved = os.environ.get(name)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@contextlib.contextmanager
def _captured_log(name: str) -> Iterator[List[str]]:
    """The messages of logger `name` (and its children) at warning and above, which are not printed."""
    messages: List[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger(name)
    handler, level, propagate = Capture(logging.WARNING), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _conversion_cause(fmt: str, message: str) -> str:
    """The ops (and layers) the converter names in its long message, else the message's first line."""
    ops = sorted(set(re.findall(r"'(tf\.\w+)' op", message)))
    paths = re.findall(r"functional\w*/([\w/]+)/[^/@\"]+@", message)  # functional_1/atr_1/bilstm_1/.../Op@...
    layers = sorted({re.sub(r"_\d+(?=/|$)", "", path) for path in paths})
    if ops:
        where = f" in the layer(s) {', '.join(layers)}" if layers else ""
        missing = (
            "have no LiteRT builtin kernel (TensorFlow's own kernels, which LiteRT's Python runtime lacks, would be "
            "needed)"
            if fmt == LITERT
            else "cannot be converted"
        )
        return (
            f"the op(s) {', '.join(ops)}{where} {missing}. Compute such a step in numpy in the data's post_proc "
            f"instead of in the graph (docs/serve.md, Deploy without TensorFlow), or drop {fmt} from "
            "--scenario.export_formats."
        )
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0][:300] if lines else message[:300]


def saved_model_outputs(serve_dir: str, inputs: Dict[str, np.ndarray]) -> Outputs:
    """The outputs of the SavedModel at `serve_dir` (its serving signature) on a batch of inputs."""
    signature = tf.saved_model.load(serve_dir).signatures["serving_default"]
    return {name: value.numpy() for name, value in signature(**inputs).items()}


def run_format(fmt: str, path: str, inputs: Dict[str, np.ndarray]) -> Outputs:
    """The outputs of the converted model at `path` (its own runtime) on a batch of inputs.

    tfaip-serve's `LiteRTModel` and `OnnxModel` serve these files; tfaip-model cannot import them
    (serve is the layer above), hence these few lines of its own.
    """
    if fmt == LITERT:
        from ai_edge_litert.interpreter import Interpreter

        runner = Interpreter(model_path=path).get_signature_runner("serving_default")
        return {k: np.asarray(v) for k, v in runner(**inputs).items()}
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs)))


def verify_format(fmt: str, path: str, reference: Outputs, inputs: Dict[str, np.ndarray], tolerance: float) -> None:
    """An ExportFormatError unless the converted model's outputs equal `reference` (floats: to `tolerance`)."""
    try:
        outputs = run_format(fmt, path, inputs)
    except Exception as e:  # the runtimes raise their own types for a model they cannot load or run
        raise ExportFormatError(
            f"The {fmt} model cannot be run by its runtime ({type(e).__name__}: {str(e)[:300]})."
        ) from e
    problem = compare_outputs(reference, outputs, tolerance)
    if problem:
        raise ExportFormatError(f"The {fmt} model does not compute what the SavedModel computes: {problem}.")


def compare_outputs(expected: Outputs, actual: Outputs, tolerance: float) -> str:
    """'' if `actual` equals `expected`, else what differs.

    Floats must agree to |a - e| <= tolerance * max(1, |e|). Integers (an argmax, a decoding) may
    differ in at most 1 % of their values (none of fewer than 100): float32 near-ties flip them.
    """
    missing = sorted(set(expected) - set(actual))
    if missing:
        return f"the outputs {missing} are missing (it has {sorted(actual)})"
    for name in sorted(expected):
        e, a = np.asarray(expected[name]), np.asarray(actual[name])
        if e.shape != a.shape:
            return f"output {name!r} has the shape {a.shape} instead of {e.shape}"
        if e.dtype.kind == "f":
            diff = np.abs(a.astype("float64") - e) / np.maximum(1.0, np.abs(e))
            worst = float(np.max(diff, initial=0.0))
            if not worst <= tolerance:  # NaN fails too
                return (
                    f"output {name!r} differs by up to {worst:.3g} (relative to max(1, |value|); allowed {tolerance})"
                )
        else:
            differing = int(np.sum(a.astype(e.dtype) != e))
            if differing > e.size // 100:
                return f"output {name!r} differs in {differing} of {e.size} values"
    return ""


def format_paths(export_dir: str, formats: Sequence[str]) -> Dict[str, str]:
    """Format -> the file it is written to in `export_dir` (SavedModel excluded)."""
    return {fmt: os.path.join(export_dir, FORMAT_FILES[fmt]) for fmt in formats if fmt in FORMAT_FILES}
