"""LiteRT and ONNX exports: converted from the export graph, checked against the SavedModel, or a clear error."""

import contextlib
import json
import os

import keras
import numpy as np
import pytest

from tfaip.data import ConfigError
from tfaip.model import ExportFormatError
from tfaip.model.formats import compare_outputs, convertible_ops, run_format, saved_model_outputs, verify_format
from tfaip.model.testing.tutorial import TutorialScenario, load_split

ALL = ["saved_model", "litert", "onnx"]


def scenario_with(formats):
    keras.utils.set_random_seed(3)
    params = TutorialScenario.default_params()
    params.export_formats = list(formats)
    scenario = TutorialScenario(params)
    scenario.root_graph  # builds the weights
    return scenario


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    path = tmp_path_factory.mktemp("formats") / "export"
    scenario_with(ALL).export(str(path))
    return path


def test_each_format_computes_what_the_saved_model_computes(exported):
    assert {"model.tflite", "model.onnx", "deploy.json", "serve"} <= set(os.listdir(exported))
    manifest = json.loads((exported / "deploy.json").read_text())
    assert manifest["formats"] == ALL
    assert manifest["inputs"] == {"img": {"shape": [8, 8], "dtype": "uint8"}}
    assert manifest["data"] == "tfaip.model.testing.tutorial:TutorialData"
    assert manifest["predict_generator"] == "tfaip.model.testing.tutorial:TutorialDataGeneratorParams"
    images, _ = load_split(training=False)
    inputs = {"img": images[:40]}  # other samples and another batch size than the export's check
    reference = saved_model_outputs(str(exported / "serve"), inputs)
    for fmt, file in (("litert", "model.tflite"), ("onnx", "model.onnx")):
        outputs = run_format(fmt, str(exported / file), inputs)
        assert compare_outputs(reference, outputs, 1e-4) == "", fmt
        np.testing.assert_array_equal(outputs["class"], reference["class"])


def test_a_converted_model_that_computes_something_else_fails_the_export_and_leaves_nothing(tmp_path, monkeypatch):
    real = run_format

    def off_by_a_little(fmt, path, inputs):
        outputs = real(fmt, path, inputs)
        return {**outputs, "pred": outputs["pred"] + (0.01 if fmt == "onnx" else 0.0)}

    monkeypatch.setattr("tfaip.model.formats.run_format", off_by_a_little)
    with pytest.raises(ExportFormatError, match=r"The onnx model does not compute .*'pred' differs by up to 0\.01"):
        scenario_with(ALL).export(str(tmp_path / "export"))
    assert os.listdir(tmp_path) == []


def test_a_graph_litert_cannot_take_fails_naming_the_op_before_training_and_at_export(tmp_path, monkeypatch):
    # without convertible_ops, keras' argmax brings bit operations that LiteRT has no builtin kernel for
    monkeypatch.setattr("tfaip.model.scenario.scenariobase.convertible_ops", contextlib.nullcontext)
    scenario = scenario_with(["saved_model", "litert"])
    with pytest.raises(ExportFormatError, match=r"to litert failed: the op\(s\) tf\.Bitwise\w+.* have no LiteRT"):
        scenario.check_export_formats()
    with pytest.raises(ExportFormatError, match=r"tf\.Bitwise"):
        scenario.export(str(tmp_path / "export"))
    assert os.listdir(tmp_path) == []


def test_a_corrupt_converted_model_is_a_clear_error(tmp_path):
    broken = tmp_path / "model.tflite"
    broken.write_bytes(b"not a flatbuffer")
    with pytest.raises(ExportFormatError, match="The litert model cannot be run by its runtime"):
        verify_format("litert", str(broken), {"a": np.zeros(1)}, {"img": np.zeros((1, 8, 8), "uint8")}, 1e-4)


@pytest.mark.parametrize(
    "formats, message",
    [
        (["saved_model", "tflite"], r"Unknown export format\(s\) \['tflite'\]"),
        (["onnx"], "lack saved_model"),
        (["saved_model", "onnx", "onnx"], "name a format twice"),
    ],
)
def test_export_formats_are_checked_with_the_params_and_again_at_export(formats, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        TutorialScenario.params_cls()(export_formats=formats)
    scenario = scenario_with(["saved_model"])
    scenario.params.export_formats = formats  # set after the params were made
    with pytest.raises(ConfigError, match=message):
        scenario.export(str(tmp_path / "export"))
    assert os.listdir(tmp_path) == []


def test_converted_formats_need_the_saved_model(tmp_path):
    scenario = scenario_with(ALL)
    scenario.params.export_serve = False
    with pytest.raises(ConfigError, match="export_serve is False"):
        scenario.check_export_formats()


def test_compare_outputs_names_what_differs():
    ok = {"p": np.array([0.5, 100.0], "float32"), "c": np.array([1, 2])}
    assert compare_outputs(ok, {"p": ok["p"] + [1e-5, 5e-3], "c": ok["c"]}, 1e-4) == ""  # relative to max(1, |e|)
    assert "missing" in compare_outputs(ok, {"p": ok["p"]}, 1e-4)
    assert "shape (1,) instead of (2,)" in compare_outputs(ok, {"p": ok["p"][:1], "c": ok["c"]}, 1e-4)
    assert "differs in 1 of 2 values" in compare_outputs(ok, {"p": ok["p"], "c": np.array([1, 3])}, 1e-4)
    many = {"c": np.arange(200)}  # an argmax or a decoding: float32 near-ties may flip 1 % of the values
    assert compare_outputs(many, {"c": np.where(np.arange(200) < 2, -1, np.arange(200))}, 1e-4) == ""
    assert "differs in 3 of 200" in compare_outputs(many, {"c": np.where(np.arange(200) < 3, -1, np.arange(200))}, 0)
    assert "differs by up to nan" in compare_outputs(ok, {"p": ok["p"] * np.nan, "c": ok["c"]}, 1e-4)


@pytest.mark.parametrize("axis, keepdims", [(None, False), (None, True), (-1, False), (0, True), (1, True)])
def test_convertible_ops_compute_keras_argmax_and_argmin(axis, keepdims):
    x = np.random.default_rng(0).normal(size=(4, 5, 6)).astype("float32")
    for op in (keras.ops.argmax, keras.ops.argmin):
        expected = keras.ops.convert_to_numpy(op(x, axis=axis, keepdims=keepdims))
        with convertible_ops():
            plain = keras.ops.convert_to_numpy(op(x, axis=axis, keepdims=keepdims))
        np.testing.assert_array_equal(plain, expected)
    assert keras.ops.argmax is not None and "plain" not in keras.src.backend.numpy.argmax.__qualname__


def test_an_onnx_export_leaves_the_environment_as_it_was(exported):
    # tf2onnx sets TF_CPP_MIN_LOG_LEVEL on import, which the console scripts' children would inherit
    assert os.environ.get("TF_CPP_MIN_LOG_LEVEL") != "3"
