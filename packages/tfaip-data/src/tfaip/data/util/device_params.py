"""`DeviceConfigParams`: which GPUs a process uses, and how (flags `--device.*`).

Only the standard library and paiargparse: tfaip-serve's params hold them without TensorFlow.
`tfaip.model.DeviceConfig(params)` applies them to TensorFlow.
"""

import os
from dataclasses import dataclass, field
from enum import Enum
from typing import List, Optional

from paiargparse import pai_dataclass, pai_meta


class DistributionStrategy(str, Enum):
    """How training uses several devices."""

    DEFAULT = "default"
    CENTRAL_STORAGE = "central_storage"
    MIRROR = "mirror"
    MULTI_WORKER = "multi_worker"

    def __str__(self) -> str:
        return self.value


def default_gpus() -> List[int]:
    """The GPUs of `CUDA_VISIBLE_DEVICES` (renumbered from 0, as TensorFlow sees them), else none."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if not visible or visible == "-1":
        return []
    return list(range(len(visible.split(","))))


@pai_dataclass
@dataclass
class DeviceConfigParams:
    """The devices of a process: by default no GPU unless `CUDA_VISIBLE_DEVICES` names some."""

    gpus: Optional[List[int]] = field(
        default=None, metadata=pai_meta(help="Indices of the GPUs to use (default: those of CUDA_VISIBLE_DEVICES).")
    )
    gpu_memory: Optional[int] = field(
        default=None, metadata=pai_meta(help="Memory limit per GPU in MB (default: grow as needed).")
    )
    gpu_auto_tune: bool = field(default=False, metadata=pai_meta(help="Let cuDNN auto-tune its algorithms."))
    soft_device_placement: bool = field(
        default=True, metadata=pai_meta(help="Run ops without a kernel for the chosen device on another device.")
    )
    dist_strategy: DistributionStrategy = field(
        default=DistributionStrategy.DEFAULT,
        metadata=pai_meta(
            help="Multi-device strategy: default, mirror or central_storage (one machine), multi_worker (several)."
        ),
    )
