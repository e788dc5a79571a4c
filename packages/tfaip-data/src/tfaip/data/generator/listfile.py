"""List files: text files naming one sample (usually a file path) per line."""

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional

from paiargparse import pai_dataclass, pai_meta

from tfaip.data.errors import ConfigError
from tfaip.data.generator.base import DataGenerator, DataGeneratorParams
from tfaip.data.sample import PipelineMode, Sample


def read_list_file(path: str) -> List[str]:
    """The entries of a list file: stripped lines, skipping empty lines and `#` comments."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"List file {str(file.absolute())!r} does not exist; check the path given in `lists`.")
    with file.open(encoding="utf-8") as f:
        lines = (line.strip() for line in f)
        return [line for line in lines if line and not line.startswith("#")]


@pai_dataclass
@dataclass
class ListsFileGeneratorParams(DataGeneratorParams):
    """Samples from one or more list files, mixed by ratio during training."""

    lists: List[str] = field(default_factory=list, metadata=pai_meta(help="List files, one sample per line."))
    list_ratios: Optional[List[float]] = field(
        default=None,
        metadata=pai_meta(help="Relative frequency of each list during training (default: equal)."),
    )

    def __post_init__(self):
        if self.list_ratios and len(self.list_ratios) != len(self.lists):
            raise ConfigError(
                f"ListsFileGeneratorParams: {len(self.list_ratios)} list_ratios for {len(self.lists)} lists; "
                "give one ratio per list."
            )
        if self.list_ratios and any(r < 0 for r in self.list_ratios):
            raise ConfigError(f"ListsFileGeneratorParams: list_ratios must be >= 0, got {self.list_ratios}.")

    @staticmethod
    def cls():
        """ListsFileDataGenerator."""
        return ListsFileDataGenerator


class ListsFileDataGenerator(DataGenerator[ListsFileGeneratorParams]):
    """Yields `Sample(inputs=entry, targets=entry, meta={"id": entry})` per list entry.

    In TRAINING mode each list is shuffled and the lists are drawn from by `list_ratios`
    (one pass has as many samples as all lists together); otherwise the lists are read in
    order, one after the other.
    """

    def __init__(self, mode: PipelineMode, params: ListsFileGeneratorParams):
        super().__init__(mode, params)
        self._entries = [read_list_file(p) for p in params.lists]

    def __len__(self) -> int:
        """Entries of all lists."""
        return sum(len(e) for e in self._entries)

    def generate(self) -> Iterator[Sample]:
        """One sample per entry (see class doc for the order)."""
        for entry in self._entry_stream():
            yield Sample(inputs=entry, targets=entry, meta={"id": entry})

    def _entry_stream(self) -> Iterator[str]:
        if self.mode != PipelineMode.TRAINING:
            for entries in self._entries:
                yield from entries
            return
        rng = random.Random(random.getrandbits(64))
        ratios = self.params.list_ratios or [1.0] * len(self._entries)
        pools = [(list(e), r) for e, r in zip(self._entries, ratios) if e and r > 0]
        positions = [len(p) for p, _ in pools]  # exhausted: reshuffle on first draw
        for _ in range(len(self)):
            i = rng.choices(range(len(pools)), weights=[r for _, r in pools])[0]
            entries = pools[i][0]
            if positions[i] >= len(entries):
                rng.shuffle(entries)
                positions[i] = 0
            yield entries[positions[i]]
            positions[i] += 1
