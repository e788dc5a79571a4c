"""The cluster of a multi-worker training: which processes take part, and which one this is.

TensorFlow describes a cluster with a `ClusterResolver`. Two sources are read, in this order:

- `TF_CONFIG` (JSON): `{"cluster": {"worker": ["host1:port", "host2:port"]}, "task": {"type": "worker",
  "index": 0}}`, as `tfaip-train-cluster` and most launchers set it;
- Slurm: inside an `srun` job step (`SLURM_PROCID`, `SLURM_STEP_NUM_TASKS`, ...), one task per worker.
  The ports are `TFAIP_PORT_BASE`, or 20000 + the job id modulo 20000, plus the task's rank on its
  node, so that two jobs on one node do not collide.
"""

import json
import os
from dataclasses import dataclass
from typing import Dict, List, Tuple

import tensorflow as tf

from tfaip.data import ConfigError

NO_CLUSTER = (
    "--trainer.dist_strategy multi_worker needs a cluster: set TF_CONFIG in each worker's environment, start the "
    "workers with Slurm's srun, or let tfaip-train-cluster --workers N start them on this machine."
)


@dataclass(frozen=True)
class Cluster:
    """The workers of a training and this process's place among them.

    Args:
        workers: the address of each worker, the chief first.
        tasks: the TensorFlow task of each worker: ("worker", 0), or ("chief", 0) where the cluster has a chief job.
        index: this worker's index in `workers` (its data shard).
    """

    workers: List[str]
    tasks: List[Tuple[str, int]]
    index: int

    @property
    def is_chief(self) -> bool:
        """Whether this worker writes the training's files (worker 0)."""
        return self.index == 0


def cluster_resolver(gpus: int = 0) -> tf.distribute.cluster_resolver.ClusterResolver:
    """The resolver of `TF_CONFIG`, else of Slurm's environment; a ConfigError where neither describes a cluster.

    `gpus` is the number of GPUs this process uses (MultiWorkerMirroredStrategy asks a Slurm
    resolver for it; with `TF_CONFIG` it counts the visible GPUs itself).
    """
    if os.environ.get("TF_CONFIG"):
        try:
            config = json.loads(os.environ["TF_CONFIG"])
            if not config["cluster"] or "type" not in config["task"]:
                raise KeyError("cluster or task.type")
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"TF_CONFIG is not a cluster description ({e}): {os.environ['TF_CONFIG']!r}.") from e
        return tf.distribute.cluster_resolver.TFConfigClusterResolver()
    if "SLURM_PROCID" in os.environ and "SLURM_STEP_NUM_TASKS" in os.environ:
        port_base = os.environ.get("TFAIP_PORT_BASE") or 20000 + int(os.environ.get("SLURM_JOB_ID", "0")) % 20000
        # the GPUs stay those of --device.gpus / CUDA_VISIBLE_DEVICES (auto_set_gpu=False); the resolver pairs
        # each task of a node with a GPU slot, so it is given more slots than a node has tasks
        return _SlurmWorkers(gpus, port_base=int(port_base), gpus_per_node=1024, gpus_per_task=1, auto_set_gpu=False)
    raise ConfigError(NO_CLUSTER)


class _SlurmWorkers(tf.distribute.cluster_resolver.SlurmClusterResolver):
    """Slurm's cluster, with the GPUs this process chose (the resolver would claim one per task)."""

    def __init__(self, gpus: int, **kwargs):
        super().__init__(**kwargs)
        self._gpus = gpus

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None) -> Dict[str, int]:
        """The GPUs of this worker."""
        return {"GPU": self._gpus} if self._gpus else {}


def current_cluster() -> Cluster:
    """The cluster this process belongs to (`TF_CONFIG` or Slurm); a ConfigError where there is none."""
    return cluster_of(cluster_resolver())


def cluster_of(resolver: tf.distribute.cluster_resolver.ClusterResolver) -> Cluster:
    """The workers (a `chief` job first, then `worker`) and this task's index among them."""
    spec: Dict[str, List[str]] = resolver.cluster_spec().as_dict()
    jobs = [job for job in ("chief", "worker") if job in spec]
    if not jobs or set(spec) - {"chief", "worker"}:
        raise ConfigError(
            f"The cluster has the jobs {sorted(spec)}: multi-worker training needs 'worker' (and at most one "
            "'chief'), no parameter servers or evaluators."
        )
    tasks, workers = [], []
    for job in jobs:
        addresses = spec[job] if isinstance(spec[job], dict) else dict(enumerate(spec[job]))
        tasks += [(job, int(i)) for i in sorted(addresses)]
        workers += [addresses[i] for i in sorted(addresses)]
    own = (resolver.task_type, int(resolver.task_id or 0))
    if own not in tasks:
        raise ConfigError(f"This process is task {own[0]} {own[1]}, which the cluster {spec} does not hold.")
    return Cluster(workers, tasks, tasks.index(own))
