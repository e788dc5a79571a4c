"""Scheduling runs of a fake training script through the real `tfaip-experimenter` command: slots,
parallelism, logs, failures, Ctrl-C and the rerun after it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tfaip.experimenter import RunState, read_record
from tfaip.experimenter.testing import fake_script, write_sheet

EXPERIMENTER = [str(Path(sys.executable).parent / "tfaip-experimenter")]


def experimenter(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*EXPERIMENTER, *map(str, args)], capture_output=True, text=True, timeout=120, **kwargs)


def fake(run_dir: Path) -> dict:
    return json.loads((run_dir / "fake.json").read_text())


def test_two_cpu_slots_run_two_at_once_and_one_slot_runs_one(tmp_path):
    barrier = tmp_path / "barrier"
    barrier.mkdir()

    def runs(wait: str):  # each run waits up to `wait` seconds for both to have started
        return [dict(ID=i, SCRIPT=fake_script("--barrier", str(barrier), "2", wait)) for i in (1, 2)]

    path = write_sheet(tmp_path / "two.xlsx", [("trainer", "epochs")], runs("60"))
    result = experimenter("--xlsx", path, "--cpus", "0", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {fake(tmp_path / "two" / str(i))["CUDA_VISIBLE_DEVICES"] for i in (1, 2)} == {""}

    for started in barrier.iterdir():
        started.unlink()
    path = write_sheet(tmp_path / "one.xlsx", [("trainer", "epochs")], runs("2"))
    result = experimenter("--xlsx", path, "--cpus", "0")
    assert result.returncode == 1
    # run 1 waited in vain for a second run; run 2 started after it ended
    assert "only 1 of 2 runs started" in (tmp_path / "one" / "1" / "experimenter.log").read_text()
    assert read_record(tmp_path / "one" / "1").state == RunState.FAILED
    assert read_record(tmp_path / "one" / "2").state == RunState.FINISHED


def test_each_run_sees_only_its_gpu_and_logs_to_its_output_dir(tmp_path):
    runs = [dict(ID=i, SCRIPT=fake_script(), values=[i]) for i in (1, 2, 3, 4)]
    path = write_sheet(tmp_path / "runs.xlsx", [("default", "epochs")], runs)
    result = experimenter("--xlsx", path, "--gpus", "0", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    for i in (1, 2, 3, 4):
        run_dir = tmp_path / "runs" / str(i)
        assert fake(run_dir)["CUDA_VISIBLE_DEVICES"] in ("0", "1")
        assert (fake(run_dir)["ID"], fake(run_dir)["PYTHON"]) == (str(i), sys.executable)
        assert fake(run_dir)["argv"] == ["--epochs", str(i), "--trainer.output_dir", str(run_dir)]
        log = (run_dir / "experimenter.log").read_text()
        assert log.startswith("# tfaip-experimenter ") and f"Results of epoch {i}: acc:" in log
        record = read_record(run_dir)
        assert record.state == RunState.FINISHED and record.slot in ("gpu 0", "gpu 1") and record.returncode == 0
    assert "run 4: finished" in result.stdout
    table = result.stdout[result.stdout.index("tfaip-experimenter") :]
    assert "4/4" in table and "acc 0.54" in table  # the final table: epochs and the last metrics


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path):
    runs = [dict(ID=1, SCRIPT=fake_script(), values=[4]), dict(ID=2, SCRIPT=fake_script(), values=[1]),
            dict(ID=3, SCRIPT=fake_script(), values=[0])]  # fmt: skip
    path = write_sheet(tmp_path / "runs.xlsx", [("default", "exit")], runs)
    result = experimenter("--xlsx", path, "--cpus", "0")
    assert result.returncode == 1
    assert "run 1: failed (exit 1): ValueError: fake failure with exit code 4" in result.stdout
    assert "Not finished: run 1 (failed), run 2 (failed); their logs hold the reason." in result.stdout
    failed = read_record(tmp_path / "runs" / "1")
    assert (failed.state, failed.returncode) == (RunState.FAILED, 1)
    assert failed.error.endswith("ValueError: fake failure with exit code 4")
    assert read_record(tmp_path / "runs" / "3").state == RunState.FINISHED


def test_a_script_that_cannot_start_fails_alone(tmp_path):
    broken = tmp_path / "broken.sh"
    broken.write_text("#!/no/such/interpreter\n")
    broken.chmod(0o755)
    runs = [dict(ID=1, SCRIPT=str(broken)), dict(ID=2, SCRIPT=fake_script())]
    path = write_sheet(tmp_path / "runs.xlsx", [("default", "epochs")], runs)
    result = experimenter("--xlsx", path, "--cpus", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "run 1: failed (not started): OSError: [Errno 2] No such file or directory" in result.stdout
    assert read_record(tmp_path / "runs" / "2").state == RunState.FINISHED


def _wait_for(condition, seconds=60):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "hang-up"])
def test_ctrl_c_stops_every_run_and_a_rerun_goes_on(tmp_path, stop_signal):
    runs = [dict(ID=1, SCRIPT=fake_script()), dict(ID=2, SCRIPT=fake_script("--ignore-sigint")),
            dict(ID=3, SCRIPT=fake_script())]  # fmt: skip
    path = write_sheet(tmp_path / "runs.xlsx", [("default", "epochs")], runs)
    out = tmp_path / "runs"
    first = subprocess.Popen(
        [*EXPERIMENTER, "--xlsx", str(path), "--cpus", "0", "1", "--grace", "2"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "FAKE_SLEEP": "60"}, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: (out / "1" / "fake.json").exists() and (out / "2" / "fake.json").exists())
        time.sleep(0.3)  # both are in their first epoch
        first.send_signal(stop_signal)
        stdout, stderr = first.communicate(timeout=30)
    finally:
        first.kill()
    assert first.returncode == 130, stdout + stderr
    assert "Run the same command again to go on" in stderr
    for i in (1, 2):  # run 2 ignored SIGINT and was killed after the grace period
        assert not _group_alive(fake(out / str(i))["pgid"])
        assert read_record(out / str(i)).state == RunState.INTERRUPTED
    assert read_record(out / "2").returncode == -signal.SIGKILL
    assert not (out / "3").exists()

    rerun = experimenter("--xlsx", path, "--cpus", "0", "1")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert all(read_record(out / str(i)).state == RunState.FINISHED for i in (1, 2, 3))
    log = (out / "1" / "experimenter.log").read_text()
    assert log.count("# tfaip-experimenter") == 2  # the rerun appended to the log

    again = experimenter("--xlsx", path, "--cpus", "0", "1", "--dry-run")
    assert again.stdout.count("(skip: finished)") == 3
