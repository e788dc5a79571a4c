"""tfaip-experimenter driving the real tfaip-train on the tutorial scenario: runs on two CPU slots next to a
failing script, `--update` with their last epoch, and Ctrl-C followed by a rerun that resumes."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# one tiny epoch of the tutorial: a few batches, 1 worker each
TINY = [("trainer", "epochs"), (None, "progress_bar"), (None, "random_seed"), ("train_val", "limit_to"),
        ("val", "limit"), (None, "num_processes"), ("train", "num_processes")]  # fmt: skip
TINY_VALUES = [1, False, 3, 160, 48, 1, 1]


def write_sheet(path: Path, params, runs) -> Path:
    """Row 1 markers, row 2 groups, row 3 names, then one row per (ID, SCRIPT, CLEANUP, values)."""
    workbook = openpyxl.Workbook()
    markers = ["USER", "RESULT", "SKIP", "SCRIPT", "ID", "CLEANUP"]
    for row in (
        [*markers, "PARAMS", *[None] * (len(params) - 1)],
        [*[None] * len(markers), *(group for group, _ in params)],
        [*[None] * len(markers), *(name for _, name in params)],
        *([None, None, None, script, run_id, cleanup, *values] for run_id, script, cleanup, values in runs),
    ):
        workbook.active.append(row)
    workbook.save(path)
    return path


def experimenter(*args) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "tfaip-experimenter", *map(str, args)], capture_output=True, text=True, timeout=300)


def last_results(train_log: Path) -> dict:
    line = [line for line in train_log.read_text().splitlines() if "Results of epoch" in line][-1]
    values = line.split("Results of epoch 1: ")[1].split(" - ")
    return {name: float(value) for name, value in (piece.split(": ") for piece in values)}


def test_tutorial_runs_a_failing_script_and_the_results_sheet(tmp_path):
    failing = tmp_path / "failing.py"
    failing.write_text("import sys\nprint('preparing', flush=True)\nraise RuntimeError('no GPU left')\n")
    path = write_sheet(tmp_path / "runs.xlsx", TINY, [
        (1, "tfaip-train tutorial.min", None, TINY_VALUES),
        (2, str(failing), None, []),
        (3, "tfaip-train tutorial.min", "x", [*TINY_VALUES[:2], 4, *TINY_VALUES[3:]]),  # CLEANUP
    ])  # fmt: skip
    result = experimenter("--xlsx", path, "--cpus", "0", "1", "--update")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "run 2: failed (exit 1): RuntimeError: no GPU left" in result.stdout
    out = tmp_path / "runs"
    for run_id in (1, 3):
        assert (out / str(run_id) / "export" / "serve" / "saved_model.pb").is_file(), result.stdout
        assert json.loads((out / str(run_id) / "experimenter.json").read_text())["state"] == "finished"
    assert (out / "1" / "checkpoint").is_dir() and not (out / "3" / "checkpoint").exists()
    assert "Traceback" in (out / "2" / "experimenter.log").read_text()

    workbook = openpyxl.load_workbook(path)
    title = workbook.sheetnames[1]
    rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
    header = rows[0]
    assert header[:10] == ["ID", "state", "epoch", "trainer.epochs", "trainer.progress_bar", "trainer.random_seed",
                           "train_val.limit_to", "val.limit", "val.num_processes", "train.num_processes"]  # fmt: skip
    for row in (rows[1], rows[3]):
        assert row[1:3] == ["finished", 1]
        expected = last_results(out / str(row[0]) / "train.log")
        assert {name: row[header.index(name)] for name in expected} == expected
        assert {"loss", "val_loss", "val_acc"} <= set(expected)
    assert rows[2][:3] == [2, "failed", None]
    with open(tmp_path / f"runs {title}.csv", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == header
    assert [row[:3] for row in table[1:]] == [["1", "finished", "1"], ["2", "failed", ""], ["3", "finished", "1"]]


def _epoch_done(output_dir: Path) -> int:
    """Epochs in the run's checkpoint; 0 once the run wrote its params, -1 before."""
    try:
        return json.loads((output_dir / "checkpoint" / "training_state.json").read_text())["epoch"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return 0 if (output_dir / "trainer_params.json").is_file() else -1


def test_ctrl_c_interrupts_training_and_the_rerun_resumes_it(tmp_path):
    values = [2, False, 3, 160, 48, 1, 1, 4000]  # 250 batches an epoch: long enough to be inside epoch 2
    path = write_sheet(tmp_path / "runs.xlsx", [*TINY, ("trainer", "samples_per_epoch")],
                       [(1, "tfaip-train tutorial.min", None, values)])  # fmt: skip
    out = tmp_path / "runs" / "1"
    first = subprocess.Popen(
        [BIN / "tfaip-experimenter", "--xlsx", path, "--cpus", "0", "--grace", "60"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 240
        while _epoch_done(out) < 1 and first.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert _epoch_done(out) == 1, first.communicate(timeout=5)
        first.send_signal(signal.SIGINT)
        stdout, stderr = first.communicate(timeout=90)
    finally:
        first.kill()
    assert first.returncode == 130, stdout + stderr
    record = json.loads((out / "experimenter.json").read_text())
    assert record["state"] == "interrupted", record
    assert record["returncode"] != -signal.SIGKILL, record  # it stopped on SIGINT, within the grace period
    print(record)
    try:  # the run and its data workers are gone
        os.killpg(record["pid"], 0)
        raise AssertionError(f"the run's process group {record['pid']} is still alive")
    except ProcessLookupError:
        pass

    rerun = experimenter("--xlsx", path, "--cpus", "0")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"run 1: started on cpu 0: tfaip-resume-training {out}" in rerun.stdout
    assert _epoch_done(out) == 2
    assert json.loads((out / "experimenter.json").read_text())["state"] == "finished"
    log = (out / "train.log").read_text()
    assert "Results of epoch 1:" in log and "Results of epoch 2:" in log
    assert (out / "export" / "serve" / "saved_model.pb").is_file()
