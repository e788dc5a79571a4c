"""Serving without TensorFlow: `pip install tfaip-data "tfaip-serve[litert,onnx]"` in a clean venv, then tfaip-predict.

The tutorial's exports (made here, with TensorFlow) are predicted in a virtual environment that
has neither tensorflow nor keras: on LiteRT, on ONNX and voting two models; the samples equal
those of the SavedModel backend.
"""

import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import keras
import numpy as np
import pytest
from tfaip_scenarios.tutorial.datasets import load_split
from tfaip_scenarios.tutorial.min.data import TutorialDataGeneratorParams
from tfaip_scenarios.tutorial.min.scenario import TutorialScenario

from tfaip.serve import PredictorParams

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = 12


def export_tutorial(path: Path, seed: int) -> None:
    keras.utils.set_random_seed(seed)
    params = TutorialScenario.default_params()
    params.export_formats = ["saved_model", "litert", "onnx"]
    scenario = TutorialScenario(params)
    images, labels = load_split("digits", training=True, limit=300)
    scenario.root_graph.compile(optimizer="adam")
    scenario.root_graph.fit({"img": images}, {"gt": labels[:, None]}, batch_size=32, epochs=1, verbose=0)
    scenario.export(str(path))


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("tf_free")
    paths = [root / "a", root / "b"]
    for seed, path in enumerate(paths):
        export_tutorial(path, seed)
    return [str(p) for p in paths]


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory):
    """A venv with tfaip-data and tfaip-serve[litert,onnx] (and the digits' scikit-learn), but no TensorFlow."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(env_dir, with_pip=True)
    serve = ROOT / "packages" / "tfaip-serve"
    packages = [str(ROOT / "packages" / "tfaip-data"), f"{serve}[litert,onnx]", "scikit-learn"]
    install = subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", *packages],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return env_dir / "bin"


def run_tf_free(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scenarios" / "src")}  # the scenario's data module, not installed
    return subprocess.run([str(bin_dir / "tfaip-predict"), *args], capture_output=True, text=True, timeout=300, env=env)


def reference(paths, multi: bool = False):
    params = PredictorParams(progress_bar=False, backend="saved_model")
    generator = TutorialDataGeneratorParams(limit_to=SAMPLES)
    if multi:
        return [voted.outputs for voted, _ in TutorialScenario.create_multi_predictor(paths, params).predict(generator)]
    return [s.outputs for s in TutorialScenario.create_predictor(paths[0], params).predict(generator)]


def read_jsonl(path: Path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_venv_has_no_tensorflow_and_serve_imports_none(venv_bin):
    code = (
        "import importlib.util, sys; import tfaip.serve; from tfaip.serve import Predictor, MultiModelPredictor; "
        "print(all(importlib.util.find_spec(m) is None for m in ('tensorflow', 'keras', 'tfaip.model')), "
        "'tensorflow' in sys.modules)"
    )
    result = subprocess.run([str(venv_bin / "python"), "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["True", "False"], result.stderr


@pytest.mark.parametrize("backend", ["litert", "onnx", "auto"])
def test_tfaip_predict_gives_the_saved_models_samples(venv_bin, exports, tmp_path, backend):
    out = tmp_path / "out.jsonl"
    start = time.perf_counter()
    result = run_tf_free(venv_bin, "--export_dir", exports[0], "--data.limit_to", str(SAMPLES),
                         "--predict.backend", backend, "--predict.silent", "True", "--output", str(out))  # fmt: skip
    print(f"tfaip-predict on {backend} without TensorFlow: {time.perf_counter() - start:.2f} s", file=sys.stderr)
    assert result.returncode == 0, result.stderr
    assert f"Prediction: {SAMPLES} samples" in result.stdout
    records, expected = read_jsonl(out), reference(exports[:1])
    assert [r["outputs"]["class"] for r in records] == [int(e["class"]) for e in expected]
    np.testing.assert_allclose([r["outputs"]["pred"] for r in records], [e["pred"] for e in expected], atol=1e-4)


def test_voting_two_models_without_tensorflow(venv_bin, exports, tmp_path):
    out = tmp_path / "voted.jsonl"
    result = run_tf_free(venv_bin, "--export_dir", *exports, "--data.limit_to", str(SAMPLES), "--predict.backend",
                         "onnx", "--predict.progress_bar", "False", "--output", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    records, expected = read_jsonl(out), reference(exports, multi=True)
    assert [len(r["individual"]) for r in records] == [2] * SAMPLES
    np.testing.assert_allclose([r["outputs"]["pred"] for r in records], [e["pred"] for e in expected], atol=1e-4)


def test_the_saved_model_backend_without_tensorflow_says_what_to_install(venv_bin, exports):
    result = run_tf_free(venv_bin, "--export_dir", exports[0], "--predict.backend", "saved_model")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        'tfaip-predict: error: --predict.backend saved_model needs pip install "tfaip-serve[tf]".'
    ]
