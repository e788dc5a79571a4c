"""A worker of a multi-worker training that is gone: which one, said in one line."""

import re
from typing import Optional

import tensorflow as tf

from tfaip.data import StoppedError
from tfaip.model import Cluster

# errors of collective operations whose peer died or cannot be reached
PEER_ERRORS = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.AbortedError)
_TASK = re.compile(r"/job:(chief|worker)/(?:replica:\d+/)?task:(\d+)")


class WorkerLost(StoppedError):
    """Another worker of the training stopped answering; this one stops too."""


def lost_worker(error: tf.errors.OpError, cluster: Cluster) -> Optional[WorkerLost]:
    """The `WorkerLost` that `error` reports, naming the worker; None for any other error."""
    if not isinstance(error, PEER_ERRORS):
        return None
    named = [(job, int(task)) for job, task in _TASK.findall(getattr(error, "message", str(error)))]
    indices = sorted({cluster.tasks.index(task) for task in named if task in cluster.tasks} - {cluster.index})
    who = " and ".join(f"worker {i} ({cluster.workers[i]})" for i in indices) or "another worker"
    return WorkerLost(
        f"Lost {who} of the {len(cluster.workers)} workers: it stopped answering (its process ended or its machine "
        f"is unreachable), so worker {cluster.index} stops too. Continue from the last checkpoint with "
        "tfaip-resume-training OUTPUT_DIR on every worker (on one machine: tfaip-train-cluster --workers N "
        "--resume OUTPUT_DIR)."
    )
