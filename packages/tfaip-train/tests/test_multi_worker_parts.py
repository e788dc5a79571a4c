"""The parts of multi-worker training that need no second process: naming a lost worker, each worker's position."""

import tensorflow as tf

from tfaip.model import Cluster
from tfaip.train.data_position import worker_position
from tfaip.train.multi_worker.lost import lost_worker

CLUSTER = Cluster(["10.0.0.1:2222", "10.0.0.2:2222", "10.0.0.3:2222"], [("worker", i) for i in range(3)], 0)


def test_a_lost_peer_is_named_with_its_address():
    heartbeat = tf.errors.UnavailableError(
        None, None, "Collective ops is aborted by: The following tasks are unhealthy (stopped sending heartbeats):\n"
        "/job:worker/replica:0/task:2\nThe tasks have crashed.",
    )  # fmt: skip
    lost = lost_worker(heartbeat, CLUSTER)
    assert str(lost).startswith("Lost worker 2 (10.0.0.3:2222) of the 3 workers: it stopped answering")
    assert "so worker 0 stops too" in str(lost) and "tfaip-resume-training OUTPUT_DIR on every worker" in str(lost)


def test_the_chief_lost_and_errors_of_other_kinds():
    closed = tf.errors.UnavailableError(None, None, "Socket closed, remote target /job:worker/replica:0/task:0")
    assert str(lost_worker(closed, Cluster(CLUSTER.workers, CLUSTER.tasks, 1))).startswith("Lost worker 0 (10.0.0.1")
    assert str(lost_worker(tf.errors.UnavailableError(None, None, "?"), CLUSTER)).startswith("Lost another worker")
    assert lost_worker(tf.errors.InvalidArgumentError(None, None, "shapes"), CLUSTER) is None


def test_each_worker_resumes_its_own_position():
    positions = [{"version": 1, "train": {"shard": i}, "identity": {"samples": 5}} for i in range(2)]
    written = {**positions[0], "workers": positions}
    assert worker_position(written, 1, 2) == positions[1]
    assert worker_position(positions[0], 0, 1) == positions[0]  # a run of one process
    assert worker_position(None, 1, 2) is None  # a checkpoint older than positions
    changed = worker_position(written, 0, 3)  # another number of workers: other shards
    assert changed["train"] is None and "written by 2 worker(s), this run has 3" in changed["no_train"]
