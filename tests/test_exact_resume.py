"""Exact resume: a run SIGKILLed at any moment and continued with tfaip-resume-training ends as the unbroken run.

The scenario has what makes this hard: random augmentation in two worker processes, a shuffle
buffer, epochs that end inside a pass over the data, dropout and EMA. The epochs of 40 steps run
10 steps per call into TensorFlow (the default `--trainer.steps_per_execution`); a checkpoint is
due every 7 steps, so one is written at steps 10, 20 and 30 and after each epoch. The kills come
before the first checkpoint, between epochs (right after the first one: validation, the best
export and the checkpoint are around that moment), inside an epoch, and inside the writing of a
checkpoint; the resumed run's export then predicts.
"""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tfaip.data.testing import run_script
from tfaip.train.checkpoint import read_variables

pytestmark = pytest.mark.slow

SCENARIO = Path(__file__).parent / "scenarios" / "jittered_tutorial.py"
FLAGS = [
    str(SCENARIO), "--trainer.epochs", "3", "--trainer.samples_per_epoch", "640", "--train_val.limit_to", "300",
    "--val.limit", "48", "--train.num_processes", "2", "--train.shuffle_buffer_size", "50",
    "--trainer.random_seed", "5", "--trainer.calc_ema", "-1", "--trainer.checkpoint_every_n_steps", "7",
    "--trainer.progress_bar", "False",
]  # fmt: skip
BIN = Path(sys.executable).parent
# a tfaip-train that SIGKILLs itself while it writes its 7th checkpoint (step 30 of epoch 2): after
# variables.npz and the data position, before training_state.json
DIES_IN_CHECKPOINT = textwrap.dedent("""
    import os, signal, sys
    import tfaip.train.checkpoint as checkpoint
    from tfaip.train.cli.train import main
    written, write = [], checkpoint.write_json_atomically
    def dying_write(path, data):
        written.append(path)
        if len(written) == 2 * 6 + 1:
            os.kill(os.getpid(), signal.SIGKILL)
        write(path, data)
    checkpoint.write_json_atomically = dying_write
    sys.exit(main(sys.argv[1:]))
""")


def _train(output_dir: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "tfaip-train"), *FLAGS, "--trainer.output_dir", str(output_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **popen,
    )  # fmt: skip


def _state(output_dir: Path):
    try:
        return json.loads((output_dir / "checkpoint" / "training_state.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _results(output_dir: Path) -> dict:
    """Epoch -> its logged results (the last line of each epoch: a resumed run logs after the killed one)."""
    lines = re.findall(r"Results of epoch (\d+): (.*)", (output_dir / "train.log").read_text())
    return dict(lines)


def _weights(output_dir: Path) -> dict:
    return read_variables(str(output_dir / "checkpoint"))[0]


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory) -> Path:
    """The run as it goes when nothing stops it (in this process; the runs that are killed need their own)."""
    out = tmp_path_factory.mktemp("unbroken") / "run"
    result = run_script("tfaip-train", *FLAGS, "--trainer.output_dir", out)
    assert result.returncode == 0, result.stderr
    return out


# moment -> whether it has come, given the output dir and its checkpoint's state (None before the first)
KILLS = {
    "before the first checkpoint": lambda out, state: state is None and (out / "trainer_params.json").is_file(),
    "between epochs": lambda out, state: state is not None and (state["epoch"], state["step"]) == (1, 0),
    "inside an epoch": lambda out, state: state is not None and state["epoch"] == 1 and state["step"] >= 21,
}


@pytest.mark.parametrize("moment", [*KILLS, "while writing a checkpoint"])
def test_a_run_killed_at_any_moment_resumes_to_the_unbroken_runs_weights_and_results(unbroken, tmp_path, moment):
    out = tmp_path / "run"
    if moment in KILLS:
        run = _train(out)
        deadline = time.time() + 240
        while run.poll() is None and time.time() < deadline:
            if KILLS[moment](out, _state(out)):
                os.killpg(run.pid, signal.SIGKILL)
                break
            time.sleep(0.01)
        run.wait()
    else:
        died = subprocess.run(
            [sys.executable, "-c", DIES_IN_CHECKPOINT, *FLAGS, "--trainer.output_dir", str(out)],
            capture_output=True, timeout=300,
        )  # fmt: skip
        assert died.returncode == -signal.SIGKILL
        assert [p.name for p in out.glob(".checkpoint*")], "the killed write left its temporary directory"
    state = _state(out)
    if moment == "before the first checkpoint":
        assert state is None and not (out / "checkpoint").exists(), "the run was not killed before its checkpoint"
    else:
        assert state is not None and state["epoch"] < 3, "the run was not killed before its end"
    if moment == "while writing a checkpoint":
        assert (state["epoch"], state["step"]) == (1, 20)  # the checkpoint before the one being written
    resumed = run_script("tfaip-resume-training", out)
    assert resumed.returncode == 0, resumed.stderr
    assert _state(out)["epoch"] == 3
    assert not list(out.glob(".*"))  # no temporary directories left
    for name in ("best", "export"):
        assert (out / name / "serve" / "saved_model.pb").is_file(), name
    expected, got = _weights(unbroken), _weights(out)
    assert sorted(got) == sorted(expected)  # model, seeds (dropout), optimizer (EMA, step), best
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6, atol=1e-7, err_msg=key)
    assert _results(out) == _results(unbroken)
    log = (out / "train.log").read_text()
    assert "no longer" not in log  # the same data and code: exact
    if moment == "before the first checkpoint":
        assert "training starts from the first epoch" in resumed.stdout and "Resumed from" not in log
        return
    assert "Resumed from" in log
    if moment == "between epochs":
        # from the scenario's directory, which makes its module importable
        predicted = run_script("tfaip-predict", "--export_dir", out / "export", "--data.limit_to", "5",
                               "--predict.progress_bar", "False", cwd=SCENARIO.parent)  # fmt: skip
        assert predicted.returncode == 0, predicted.stderr
        assert predicted.stdout.count('"class"') == 5
