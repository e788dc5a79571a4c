"""Reading a run's progress from its log: `Start of epoch i/N` and `Results of epoch N: loss: ... - acc: ...`."""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

START = re.compile(r"Start of epoch (\d+)/(\d+)")
RESULTS = re.compile(r"Results of epoch (\d+): (.*)$")


@dataclass
class EpochProgress:
    """The progress of a run: the epoch under way, the epochs in all, the last epoch's losses and metrics.

    Example:
        >>> progress = EpochProgress()
        >>> progress.feed("Results of epoch 2: acc: 0.9100 - loss: 0.3020")
        >>> progress.done, progress.metrics
        (2, {'acc': 0.91, 'loss': 0.302})
    """

    current: int = 0
    epochs: Optional[int] = None
    done: int = 0
    metrics: Dict[str, float] = field(default_factory=dict)

    def feed(self, line: str) -> None:
        """Take one log line into account."""
        start = START.search(line)
        if start:
            self.current, self.epochs = int(start.group(1)), int(start.group(2))
            return
        results = RESULTS.search(line)
        if results:
            self.done = self.current = int(results.group(1))
            self.metrics = parse_metrics(results.group(2))


def parse_metrics(text: str) -> Dict[str, float]:
    """`acc: 0.9100 - loss: 0.3020` as a dict; pieces that are no `name: number` are left out."""
    metrics = {}
    for piece in text.split(" - "):
        name, _, value = piece.rpartition(": ")
        try:
            metrics[name.strip()] = float(value)
        except ValueError:
            continue
    return {name: value for name, value in metrics.items() if name}


class LogFollower:
    """Reads the lines a growing log file gained since the last call (a partial last line waits)."""

    def __init__(self, path: Path, offset: int = 0):
        self.path = path
        self._offset = offset
        self._partial = b""
        self._inode: Optional[int] = None

    def new_lines(self) -> List[str]:
        """The complete lines written since the last call; a replaced or truncated file is read from its start."""
        try:
            with self.path.open("rb") as f:
                status = os.fstat(f.fileno())
                if self._inode not in (None, status.st_ino) or status.st_size < self._offset:
                    self._offset, self._partial = 0, b""
                self._inode = status.st_ino
                f.seek(self._offset)
                data = f.read()
        except OSError:
            return []
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        return [line.decode("utf-8", "replace").rstrip("\r") for line in lines]


def read_progress(lines: Iterable[str]) -> EpochProgress:
    """The progress that `lines` of a log show."""
    progress = EpochProgress()
    for line in lines:
        progress.feed(line)
    return progress
