"""Device slots: where runs execute. A slot runs one run at a time; runs see only their slot's GPU."""

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

GPU_LABEL = re.compile(r"(\d+)([A-Za-z_]\w*)?")


class SlotError(ValueError):
    """Slots given wrongly on the command line."""


@dataclass(frozen=True)
class Slot:
    """One place to run a run.

    Args:
        label: As given on the command line: `0`, `3a` (a second slot on GPU 3 is `3b`), or a CPU slot name.
        gpu: The GPU's index, None for a CPU slot.
    """

    label: str
    gpu: Optional[int] = None

    def environment(self) -> Dict[str, str]:
        """The variables that confine a run to this slot: `CUDA_VISIBLE_DEVICES` is the GPU, or empty on a CPU slot."""
        return {"CUDA_VISIBLE_DEVICES": "" if self.gpu is None else str(self.gpu)}

    def __str__(self) -> str:
        return f"gpu {self.label}" if self.gpu is not None else f"cpu {self.label}"


def parse_slots(gpus: Optional[Sequence[str]], cpus: Optional[Sequence[str]]) -> List[Slot]:
    """The slots of `--gpus` or `--cpus` (one of the two).

    Example:
        >>> parse_slots(["10", "3a", "3b"], None)
        [Slot(label='10', gpu=10), Slot(label='3a', gpu=3), Slot(label='3b', gpu=3)]

    Raises:
        SlotError: for both or neither flag, a repeated label, or a GPU label that does not start with its number.
    """
    if gpus and cpus:
        raise SlotError("give either --gpus or --cpus, not both: a run goes to one kind of slot.")
    if not gpus and not cpus:
        raise SlotError("no slots to run on: give --gpus (e.g. --gpus 0 1) or --cpus (e.g. --cpus 0 1).")
    labels = list(gpus or cpus or [])
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise SlotError(f"slot {repeated[0]} is given twice; two runs on one GPU need two labels, e.g. --gpus 0a 0b.")
    if cpus:
        return [Slot(label) for label in labels]
    slots = []
    for label in labels:
        match = GPU_LABEL.fullmatch(label)
        if not match:
            raise SlotError(f"--gpus {label}: a GPU slot is the GPU's index, optionally with a suffix (0, 3a, 3b).")
        slots.append(Slot(label, int(match.group(1))))
    return slots
