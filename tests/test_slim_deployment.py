"""tfaip-serve deploys without tfaip-train: its metadata, and tfaip-predict / tfaip-lav where it cannot be imported."""

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tfaip.serve import LAVParams, PredictorParams
from tfaip.serve.testing.scenario import DigitsGeneratorParams, DigitsScenario, RecordedTrainerParams, train_and_export

pytestmark = pytest.mark.slow

BLOCKER = """
import os, sys

class BlockTrainer:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[:2] in (["tfaip", "train"], ["tfaip", "experimenter"]):
            with open(os.environ["TFAIP_BLOCK_LOG"], "a") as f:
                f.write(name + "\\n")
            raise ImportError(f"{name} is blocked: this process must run with tfaip-serve alone")

sys.meta_path.insert(0, BlockTrainer())
"""


def script(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    root = tmp_path_factory.mktemp("slim")
    recorded = RecordedTrainerParams()
    recorded.gen.val.limit_to = 40  # tfaip-lav's default data
    train_and_export(str(root / "export"), seed=5, trainer_params=recorded)
    (root / "site").mkdir()
    (root / "site" / "sitecustomize.py").write_text(BLOCKER)
    return root


def run_blocked(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root / "site")
    env["TFAIP_BLOCK_LOG"] = str(root / "blocked.log")
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, cwd=root, env=env)


def test_the_serve_dist_does_not_depend_on_the_trainer():
    requirements = importlib.metadata.requires("tfaip-serve")
    names = {r.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip() for r in requirements}
    assert {"tfaip-model", "tfaip-data"} <= names
    assert not {"tfaip-train", "tfaip-experimenter"} & names
    entry_points = {
        e.name for e in importlib.metadata.entry_points(group="console_scripts") if e.value.startswith("tfaip.serve")
    }
    assert entry_points == {"tfaip-predict", "tfaip-lav"}


def test_tfaip_predict_runs_without_the_trainer_and_matches_the_in_process_predictor(export):
    result = run_blocked(
        export, script("tfaip-predict"), "--export_dir", str(export / "export"),
        "--data.limit_to", "25", "--pipeline.batch_size", "8", "--pipeline.num_processes", "2",
        "--predict.progress_bar", "False", "--output", str(export / "pred.jsonl"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (export / "blocked.log").exists()
    assert result.stdout.count("\n") == 26 and "Prediction: 25 samples" in result.stdout
    records = [json.loads(line) for line in (export / "pred.jsonl").read_text().splitlines()]
    predictor = DigitsScenario.create_predictor(str(export / "export"), PredictorParams(progress_bar=False))
    expected = list(predictor.predict(DigitsGeneratorParams(limit_to=25)))
    assert [r["id"] for r in records] == [s.meta["id"] for s in expected]
    assert [r["outputs"]["word"] for r in records] == [s.outputs["word"] for s in expected]
    np.testing.assert_allclose(
        [r["outputs"]["probs"] for r in records], [s.outputs["probs"] for s in expected], atol=1e-6
    )


def test_tfaip_lav_runs_without_the_trainer_on_the_recorded_lav_data(export):
    result = run_blocked(
        export, script("tfaip-lav"), "--export_dir", str(export / "export"),
        "--lav.batch_size", "16", "--lav.progress_bar", "False", "--json", str(export / "lav.json"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (export / "blocked.log").exists()
    assert "LAV results:" in result.stdout and "eval_edit_distance" in result.stdout
    (cli_result,) = json.loads((export / "lav.json").read_text())
    lav = DigitsScenario.create_lav(str(export / "export"), LAVParams(progress_bar=False, silent=True))
    (expected,) = lav.run(DigitsGeneratorParams(limit_to=40))  # the generator recorded in trainer_params.json
    assert set(cli_result) == set(expected)
    for key, value in expected.items():
        assert cli_result[key] == pytest.approx(value, rel=1e-5)


def test_bad_command_lines_exit_2_with_one_clear_line(export):
    missing = run_blocked(export, script("tfaip-predict"), "--export_dir", str(export / "nope"))
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr.strip().splitlines()[-1]
    unknown = run_blocked(export, script("tfaip-lav"), "--export_dir", str(export / "export"), "--lav.batch_sise", "4")
    assert unknown.returncode == 2
    assert "--lav.batch_sise" in unknown.stderr and "--lav.batch_size" in unknown.stderr
