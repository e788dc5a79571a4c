"""Multi-worker training (`--trainer.dist_strategy multi_worker`) with workers on 127.0.0.1, as on a cluster.

Two workers train as well as one process after the same samples, only the chief writes, a killed worker
stops its peer within 60 s with a line naming it, and `tfaip-train-cluster --resume` finishes the
run as the unbroken one of the first test did.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tfaip.data.testing import run_script
from tfaip.train.checkpoint import read_training_state, read_variables
from tfaip.train.cli.cluster import free_ports, thread_pools

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
QUIET = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
# checkpoints inside the epochs (every 7 steps) and EMA: the state a resume must restore exactly
TUTORIAL = [
    "tutorial.min", "--trainer.epochs", "3", "--trainer.random_seed", "2", "--trainer.progress_bar", "False",
    "--train.num_processes", "1", "--val.num_processes", "1", "--trainer.checkpoint_every_n_steps", "7",
    "--trainer.calc_ema", "-1",
]  # fmt: skip


def cluster(*args, timeout=600) -> subprocess.CompletedProcess:
    command = [str(BIN / "tfaip-train-cluster"), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=QUIET)


def last_val_acc(log: str) -> float:
    return float(re.findall(r"val_acc: ([0-9.]+)", results(log)[-1])[0])


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """An unbroken run of two workers with batches of 16 each: its output dir and console output."""
    output_dir = tmp_path_factory.mktemp("two") / "two"
    two = cluster("--workers", 2, *TUTORIAL, "--train.batch_size", 16, "--trainer.output_dir", output_dir)
    assert two.returncode == 0, two.stderr[-3000:]
    return output_dir, two.stdout


def test_two_workers_train_as_well_as_one_and_only_the_chief_writes(tmp_path, two_workers):
    # the same samples per step: one process (in this one) with batches of 32, two workers with 16 each
    one = run_script("tfaip-train", *TUTORIAL, "--train.batch_size", 32, "--trainer.output_dir", tmp_path / "one")
    assert one.returncode == 0, one.stderr[-3000:]
    output_dir, two_stdout = two_workers
    acc_one, acc_two = last_val_acc(one.stdout), last_val_acc(two_stdout)
    assert acc_one > 0.85 and abs(acc_one - acc_two) <= 0.02, (acc_one, acc_two)
    assert "[worker 1] Results of epoch" not in two_stdout  # the other workers print warnings only
    assert sorted(p.name for p in output_dir.iterdir()) == [
        "best", "checkpoint", "export", "train", "train.log", "trainer_params.json", "validation",
    ]  # fmt: skip
    state = read_training_state(str(output_dir / "checkpoint"))
    assert state.epoch == 3
    train_log = (output_dir / "train.log").read_text()
    assert train_log.count("Results of epoch 3") == 1  # one writer


def start_workers(tmp_path, flags, output_dirs):
    """Two workers started by hand (as srun would), worker k writing its console to worker_k.log.

    Their thread pools are those tfaip-train-cluster gives them: the unbroken run to compare with
    runs under it, and other pools may sum floats in another order.
    """
    addresses = [f"127.0.0.1:{port}" for port in free_ports(2)]
    workers = []
    for index, output_dir in enumerate(output_dirs):
        config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
        log = open(tmp_path / f"worker_{index}.log", "w")
        command = [str(BIN / "tfaip-train"), *flags, "--trainer.dist_strategy", "multi_worker",
                   "--trainer.output_dir", str(output_dir)]  # fmt: skip
        workers.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**thread_pools(2), **QUIET,
                                        "TF_CONFIG": json.dumps(config)}))  # fmt: skip
    return addresses, workers


def test_a_killed_worker_stops_the_other_within_60_s_and_the_run_resumes_exactly(tmp_path, two_workers):
    out, elsewhere = tmp_path / "run", tmp_path / "worker_1_output"
    addresses, (chief, worker) = start_workers(tmp_path, [*TUTORIAL, "--train.batch_size", "16"], [out, elsewhere])
    try:
        deadline = time.monotonic() + 300
        while not inside_second_epoch(out / "checkpoint"):
            assert chief.poll() is None and worker.poll() is None, (tmp_path / "worker_0.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no checkpoint inside epoch 2 within 300 s"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        code = chief.wait(timeout=90)
        stopped = time.monotonic() - killed
    finally:
        for process in (chief, worker):
            process.kill()
            process.wait()
    log = (tmp_path / "worker_0.log").read_text()
    print(f"the chief stopped {stopped:.1f} s after its peer was killed", file=sys.stderr)
    assert code != 0 and stopped <= 60, (code, stopped, log[-3000:])
    errors = [line for line in log.splitlines() if line.startswith("tfaip-train: error: ")]
    assert len(errors) == 1 and f"Lost worker 1 ({addresses[1]}) of the 2 workers" in errors[0], log[-3000:]
    assert not elsewhere.exists()  # the other worker wrote nothing to its output dir
    state = read_training_state(str(out / "checkpoint"))
    assert state.epoch < 3

    resumed = cluster("--workers", 2, "--resume", out)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    where = f"after epoch {state.epoch}" + (f" and step {state.step} of epoch {state.epoch + 1}" if state.step else "")
    assert f"Resumed from {out / 'checkpoint'} {where}." in resumed.stdout
    assert (out / "export" / "serve").is_dir()
    # the run ends as the unbroken one: every worker continued its own shard where it stood
    unbroken, unbroken_stdout = two_workers
    expected, _ = read_variables(str(unbroken / "checkpoint"))
    actual, _ = read_variables(str(out / "checkpoint"))
    assert sorted(actual) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(actual[key], value, rtol=1e-6, atol=1e-7, err_msg=key)
    assert results(resumed.stdout)[-1] == results(unbroken_stdout)[-1]


def inside_second_epoch(checkpoint: Path) -> bool:
    try:
        state = json.loads((checkpoint / "training_state.json").read_text())
    except (OSError, ValueError):
        return False
    return state["epoch"] == 1 and state["step"] > 0


def results(log: str) -> list:
    return re.findall(r"Results of epoch \d+: .*", log)


def test_a_failing_worker_stops_the_cluster_with_its_exit_code(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "train").write_text("")  # a file where TensorBoard's folder goes: the chief fails alone
    flags = [TUTORIAL[0], "--trainer.epochs", "2", *TUTORIAL[3:], "--train_val.limit_to", "320", "--val.limit", "32"]
    result = cluster("--workers", 2, *flags, "--trainer.output_dir", tmp_path / "run", timeout=300)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "tfaip-train-cluster: worker 0 exited with code 1; stopping the other workers." in result.stderr
