"""tfaip-train as a user runs it: its help, and SIGTERM (SIGKILL and resume: test_exact_resume.py)."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tfaip.data.testing import run_script

BIN = Path(sys.executable).parent
TINY = [
    "--trainer.progress_bar", "False", "--train_val.limit_to", "160", "--val.limit", "48",
    "--train.num_processes", "2", "--val.num_processes", "1", "--trainer.random_seed", "3",
]  # fmt: skip


def script(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    assert path, f"{name} is not installed next to {sys.executable}"
    return path


def test_help_lists_every_flag_with_its_default():
    result = run_script("tfaip-train", "tutorial.min", "--help")
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


@pytest.mark.slow
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
