"""The cluster of a multi-worker training, from TF_CONFIG or from Slurm's environment (no processes started)."""

import json

import pytest

from tfaip.data import ConfigError
from tfaip.model import current_cluster
from tfaip.model.cluster import cluster_resolver

CLUSTER_VARIABLES = ("TF_CONFIG", "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_STEP_NODELIST",
                     "SLURM_STEP_TASKS_PER_NODE", "SLURM_JOB_ID", "TFAIP_PORT_BASE")  # fmt: skip


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch):
    for name in CLUSTER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_tf_config_gives_the_workers_and_this_index(monkeypatch):
    config = {"cluster": {"worker": ["a:1", "b:2", "c:3"]}, "task": {"type": "worker", "index": 2}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    cluster = current_cluster()
    assert (cluster.workers, cluster.index, cluster.is_chief) == (["a:1", "b:2", "c:3"], 2, False)


def test_a_chief_job_comes_first(monkeypatch):
    config = {"cluster": {"chief": ["c:1"], "worker": ["w:1", "w:2"]}, "task": {"type": "worker", "index": 0}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    cluster = current_cluster()
    assert cluster.workers == ["c:1", "w:1", "w:2"] and cluster.index == 1
    assert cluster.tasks == [("chief", 0), ("worker", 0), ("worker", 1)]


def test_slurm_tasks_become_workers_on_the_job_ports(monkeypatch):
    monkeypatch.setenv("SLURM_PROCID", "3")
    monkeypatch.setenv("SLURM_STEP_NUM_TASKS", "4")
    monkeypatch.setenv("SLURM_STEP_NODELIST", "gpu[07-08]")
    monkeypatch.setenv("SLURM_STEP_TASKS_PER_NODE", "2(x2)")
    monkeypatch.setenv("SLURM_JOB_ID", "123456")
    cluster = current_cluster()
    port = 20000 + 123456 % 20000
    assert cluster.workers == [f"gpu07:{port}", f"gpu07:{port + 1}", f"gpu08:{port}", f"gpu08:{port + 1}"]
    assert cluster.index == 3
    # the strategy asks the resolver for this worker's devices: the GPUs it chose, not one per task
    assert cluster_resolver(gpus=1).num_accelerators() == {"GPU": 1}
    assert cluster_resolver().num_accelerators() == {}  # the CPU


@pytest.mark.parametrize(
    "tf_config, message",
    [
        (None, "--trainer.dist_strategy multi_worker needs a cluster: set TF_CONFIG"),
        ("{not json", "TF_CONFIG is not a cluster description"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {}}', "TF_CONFIG is not a cluster description"),
        ('{"cluster": {"worker": ["a:1"], "ps": ["p:1"]}, "task": {"type": "worker", "index": 0}}',
         "multi-worker training needs 'worker'"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}}', "This process is task worker 1"),
    ],
)  # fmt: skip
def test_no_or_a_broken_cluster_is_a_config_error(monkeypatch, tf_config, message):
    if tf_config is not None:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        current_cluster()
