"""The training console scripts as a user runs them: help, SIGKILL and resume, predicting the export."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TINY = [
    "--trainer.progress_bar", "False", "--train_val.limit_to", "160", "--val.limit", "48",
    "--train.num_processes", "2", "--val.num_processes", "1", "--trainer.random_seed", "3",
]  # fmt: skip


def script(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    assert path, f"{name} is not installed next to {sys.executable}"
    return path


def run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)


def test_help_lists_every_flag_with_its_default():
    result = run(script("tfaip-train"), "tutorial.min", "--help")
    assert result.returncode == 0
    for flag in ("--trainer.epochs", "--optimizer", "--learning_rate.lr", "--warmstart.model",
                 "--early_stopping.n_to_go", "--device.gpus", "--train.batch_size", "--trainer.calc_ema",
                 "--scenario.export_formats", "--scenario.export_tolerance"):  # fmt: skip
        assert flag in result.stdout, flag


def _epoch_done(output_dir: Path) -> int:
    """Epochs in the run's checkpoint; 0 once the run wrote its params, -1 before."""
    try:
        return json.loads((output_dir / "checkpoint" / "training_state.json").read_text())["epoch"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return 0 if (output_dir / "trainer_params.json").is_file() else -1


# inside an epoch and while writing a checkpoint: test_exact_resume.py
KILL_MOMENTS = {
    "before the first checkpoint": 0,  # as soon as the run wrote its params
    "right after the first epoch": 1,  # validation, best export and checkpoint are around this moment
}


def test_sigterm_stops_a_run_as_ctrl_c_does(tmp_path):
    out = tmp_path / "run"
    train = subprocess.Popen(
        [script("tfaip-train"), "tutorial.min", "--trainer.epochs", "3", "--trainer.output_dir", str(out), *TINY,
         "--trainer.samples_per_epoch", "4000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 240
        while _epoch_done(out) < 1 and train.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        train.send_signal(signal.SIGTERM)  # as Slurm's scancel or a time limit
        _, stderr = train.communicate(timeout=120)
    finally:
        train.kill()
    assert train.returncode == 130, stderr
    assert "tfaip-train: interrupted; continue with tfaip-resume-training OUTPUT_DIR" in stderr.splitlines()
    assert (out / "best" / "serve" / "saved_model.pb").is_file()


@pytest.mark.parametrize("moment", list(KILL_MOMENTS))
def test_a_sigkilled_run_resumes_to_completion(tmp_path, moment):
    epoch = KILL_MOMENTS[moment]
    out = tmp_path / "run"
    train = subprocess.Popen(
        [script("tfaip-train"), "tutorial.min", "--trainer.epochs", "3", "--trainer.output_dir", str(out), *TINY,
         "--trainer.samples_per_epoch", "2000"],  # 125 batches
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 240
        while _epoch_done(out) < epoch and train.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        assert _epoch_done(out) >= epoch, "the run did not get that far"
    finally:
        os.killpg(train.pid, signal.SIGKILL)
        train.wait()
    assert _epoch_done(out) < 3
    resumed = run(script("tfaip-resume-training"), out)
    assert resumed.returncode == 0, resumed.stderr
    assert _epoch_done(out) == 3
    log = (out / "train.log").read_text()
    assert "Results of epoch 3:" in log
    assert not list(out.glob(".*"))  # no temporary directories left
    for name in ("best", "export"):
        assert (out / name / "serve" / "saved_model.pb").is_file(), name
    if moment == "right after the first epoch":
        assert "no longer" not in log  # the same data and code: exact
        predicted = run(script("tfaip-predict"), "--export_dir", out / "export", "--data.limit_to", "5",
                        "--predict.progress_bar", "False")  # fmt: skip
        assert predicted.returncode == 0, predicted.stderr
        assert predicted.stdout.count('"class"') == 5
