"""LiteRT and ONNX backends: the same samples as the SavedModel, the backend choice, and their errors."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tfaip.serve import ExportError, MultiModelPredictor, Predictor, PredictorParams
from tfaip.serve.backends import choose_backend, read_deploy_manifest
from tfaip.serve.testing.scenario import load_split

TF_FREE = ("litert", "onnx")


def quiet(backend: str) -> PredictorParams:
    return PredictorParams(progress_bar=False, backend=backend)


def predictions(predictor, images):
    return list(predictor.predict_raw([{"img": img} for img in images]))


@pytest.mark.parametrize("backend", TF_FREE)
def test_the_tf_free_backends_predict_what_the_saved_model_predicts(exports, backend):
    path, _ = exports["a"]
    images, _ = load_split("test")
    reference = predictions(Predictor(quiet("saved_model"), None, path), images[:60])
    predictor = Predictor(quiet(backend), None, path)
    assert predictor.backend == backend and predictor.scenario is None  # the data side came from deploy.json
    predicted = predictions(predictor, images[:60])
    np.testing.assert_allclose([s.outputs["probs"] for s in predicted], [s.outputs["probs"] for s in reference], 1e-4)
    assert [s.outputs["word"] for s in predicted] == [s.outputs["word"] for s in reference]  # post_proc ran
    assert list(predicted[0].outputs) == list(reference[0].outputs)


def test_voting_on_onnx_uses_the_exported_voter_and_matches_the_saved_model(exports):
    paths = [exports["a"][0], exports["b"][0]]
    images, _ = load_split("test")
    by_backend = {}
    for backend in ("saved_model", "onnx"):
        predictor = MultiModelPredictor(quiet(backend), None, paths)
        by_backend[backend] = list(predictor.predict_raw([{"img": img} for img in images[:40]]))
    assert type(MultiModelPredictor(quiet("onnx"), None, paths).voter).__name__ == "ProbabilityVoter"
    voted = {b: [v.outputs["class"] for v, _ in samples] for b, samples in by_backend.items()}
    assert voted["onnx"] == voted["saved_model"]


def test_auto_takes_the_saved_model_where_tensorflow_is_and_a_format_must_be_in_the_export(exports, monkeypatch):
    with_formats, saved_model_only = exports["a"][0], exports["c"][0]
    assert choose_backend("auto", with_formats, read_deploy_manifest(with_formats)) == "saved_model"
    with pytest.raises(ExportError, match=r"holds no litert .*--scenario.export_formats saved_model litert"):
        Predictor(quiet("litert"), None, saved_model_only)
    monkeypatch.setattr("tfaip.serve.backends.installed", lambda backend: backend == "onnx")
    assert choose_backend("auto", with_formats, read_deploy_manifest(with_formats)) == "onnx"
    with pytest.raises(ExportError, match=r'--predict.backend litert needs pip install "tfaip-serve\[litert\]"'):
        choose_backend("litert", with_formats, read_deploy_manifest(with_formats))
    with pytest.raises(ExportError, match=r'none of their runtimes is installed. .*"tfaip-serve\[tf\]"'):
        choose_backend("auto", saved_model_only, read_deploy_manifest(saved_model_only))


@pytest.mark.parametrize("backend, file", [("litert", "model.tflite"), ("onnx", "model.onnx")])
def test_a_corrupt_model_file_is_a_clear_error(exports, tmp_path, backend, file):
    copy = tmp_path / "export"
    shutil.copytree(exports["a"][0], copy)
    (copy / file).write_bytes(b"\x00" * 64)
    with pytest.raises(ExportError, match=f"The {backend} model .*{file} cannot be loaded .* export the model again"):
        Predictor(quiet(backend), None, str(copy))
    os.remove(copy / file)
    with pytest.raises(ExportError, match=f"lacks {file}"):
        Predictor(quiet(backend), None, str(copy))


def test_without_tensorflow_a_data_module_that_imports_it_is_named(exports):
    """The test scenario keeps its data beside its keras model: without TensorFlow its module cannot be imported."""
    code = textwrap.dedent(
        """
        import sys
        for name in ("tensorflow", "keras", "tfaip.model"):
            sys.modules[name] = None  # as if not installed
        from tfaip.serve.cli.predict import run
        run()
        """
    )
    args = ["--export_dir", exports["a"][0], "--predict.backend", "litert"]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "The module tfaip.serve.testing.scenario of the export" in lines[0]
    assert re.search(r"imports (keras|tensorflow), which is not installed", lines[0])
    assert "tfaip.data.ArraySpec" in lines[0]


def test_given_scenario_params_and_a_data_side_only_the_scenario_can_build(exports, tmp_path):
    path, scenario = exports["a"]
    params = scenario.params
    predictor = Predictor(quiet("onnx"), None, path, scenario_params=params)
    assert predictor.scenario is None and predictor.data.params is params.data  # used, not read again
    copy = tmp_path / "export"
    shutil.copytree(path, copy)
    manifest = json.loads((copy / "deploy.json").read_text())
    (copy / "deploy.json").write_text(json.dumps({**manifest, "data": None}))  # as if it overrode create_data
    predictor = Predictor(quiet("onnx"), None, str(copy))
    assert predictor.backend == "onnx" and predictor.scenario is not None  # TensorFlow is here: the scenario builds it
