"""`DeviceConfig`: applies `DeviceConfigParams` (which GPUs TensorFlow uses, and how).

Apply a DeviceConfig before any TensorFlow operation runs in the process (TensorFlow fixes its
devices on first use); trainers, LAV and predictors do so before building a model.
"""

import logging
import os
from typing import List, Optional

import tensorflow as tf

from tfaip.data import ConfigError
from tfaip.data.util.device_params import DeviceConfigParams, DistributionStrategy, default_gpus
from tfaip.model.cluster import Cluster, cluster_of, cluster_resolver

__all__ = ["DeviceConfig", "DeviceConfigParams", "DistributionStrategy", "default_gpus"]

logger = logging.getLogger(__name__)


class DeviceConfig:
    """Applies DeviceConfigParams to TensorFlow and holds the distribution strategy.

    Example:
        >>> device_config = DeviceConfig(DeviceConfigParams(gpus=[0]))
        >>> with device_config.scope():
        ...     root = scenario.root_graph
    """

    def __init__(self, params: DeviceConfigParams):
        self.params = params
        self.gpus = params.gpus if params.gpus is not None else default_gpus()
        os.environ["TF_CUDNN_USE_AUTOTUNE"] = "1" if params.gpu_auto_tune else "0"
        tf.config.set_soft_device_placement(params.soft_device_placement)
        physical = tf.config.list_physical_devices("GPU")
        missing = [i for i in self.gpus if not 0 <= i < len(physical)]
        if missing and not physical:
            raise ConfigError(
                f"--device.gpus {' '.join(map(str, self.gpus))}: TensorFlow sees no GPU on this machine; leave "
                "--device.gpus out to train on the CPU."
            )
        if missing:
            raise ConfigError(
                f"GPU(s) {missing} requested, but TensorFlow sees {len(physical)} GPU(s); pass indices below "
                f"{len(physical)} to --device.gpus (CUDA_VISIBLE_DEVICES renumbers GPUs from 0)."
            )
        selected = [physical[i] for i in self.gpus]
        self._configure(physical, selected)
        self._gpu_count = len(selected)
        self.cluster: Optional[Cluster] = None  # multi_worker: the workers and this process's index
        self.strategy = self._create_strategy()
        logger.debug("Device config: GPUs %s, strategy %s", self.gpus, params.dist_strategy)

    def _configure(self, physical: list, selected: list) -> None:
        try:
            tf.config.set_visible_devices(selected, "GPU")
            for device in selected:
                if self.params.gpu_memory is None:
                    tf.config.experimental.set_memory_growth(device, True)
                else:
                    tf.config.set_logical_device_configuration(
                        device, [tf.config.LogicalDeviceConfiguration(memory_limit=self.params.gpu_memory)]
                    )
        except RuntimeError as e:
            if physical and tf.config.get_visible_devices("GPU") != selected:
                raise RuntimeError(
                    "TensorFlow already initialised its devices, so the GPUs cannot be chosen any more: create the "
                    "DeviceConfig before any TensorFlow operation runs in this process."
                ) from e

    @property
    def devices(self) -> List[str]:
        """The devices of this process: its GPUs, else the CPU's logical devices (one unless tf.config split it)."""
        # listing the logical devices starts TensorFlow's runtime: MultiWorkerMirroredStrategy must be created before
        return [f"/gpu:{i}" for i in range(self._gpu_count)] or [
            device.name for device in tf.config.list_logical_devices("CPU")
        ]

    def _create_strategy(self) -> Optional[tf.distribute.Strategy]:
        strategy = DistributionStrategy(self.params.dist_strategy)
        if strategy == DistributionStrategy.DEFAULT:
            return None
        if strategy == DistributionStrategy.MIRROR:
            return tf.distribute.MirroredStrategy(devices=self.devices)
        if strategy == DistributionStrategy.MULTI_WORKER:
            if self._gpu_count > 1:
                raise ConfigError(
                    f"--device.dist_strategy multi_worker runs one worker per GPU, this one got {self._gpu_count}: "
                    "start a worker for each GPU, each with its own CUDA_VISIBLE_DEVICES (with Slurm: "
                    "--ntasks-per-node=GPUS --gpus-per-task=1)."
                )
            resolver = cluster_resolver(self._gpu_count)
            self.cluster = cluster_of(resolver)
            return tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
        return tf.distribute.experimental.CentralStorageStrategy(compute_devices=self.devices)

    def scope(self):
        """The strategy's scope (create models and optimizers inside it), or a no-op scope."""
        return (self.strategy or tf.distribute.get_strategy()).scope()
