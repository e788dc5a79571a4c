"""A rich progress bar around an iterator, and the throughput of a prediction or LAV run."""

import sys
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

T = TypeVar("T")
_REFRESH_SECONDS = 0.1


@dataclass
class Throughput:
    """Samples handled and the wall time they took (from the first request to the last sample)."""

    samples: int = 0
    seconds: float = 0.0

    @property
    def samples_per_second(self) -> float:
        """Samples per second (0 before anything ran)."""
        return self.samples / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        return f"{self.samples} samples in {self.seconds:.2f} s ({self.samples_per_second:.1f} samples/s)"


def known_length(items: Any) -> Optional[int]:
    """`len(items)`, or None for an iterable without a length (e.g. a pipeline over a generator)."""
    try:
        return len(items)
    except Exception:  # no length, or a generator that cannot tell: the progress shows no total
        return None


def measured(items: Iterable[T], throughput: Throughput) -> Iterator[T]:
    """Yield `items`, counting them into `throughput` (the time spent by the consumer included)."""
    start = time.perf_counter()
    throughput.samples, throughput.seconds = 0, 0.0
    for item in items:
        throughput.samples += 1
        throughput.seconds = time.perf_counter() - start
        yield item
    throughput.seconds = time.perf_counter() - start


def with_progress(items: Iterable[T], description: str, total: Optional[int], enabled: bool) -> Iterator[T]:
    """Yield `items` while a rich progress bar on stderr counts them (a no-op unless `enabled`)."""
    if not enabled:
        yield from items
        return
    console = Console(file=sys.stderr)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[rate]}"),
    ]
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total, rate="")
        start = last = time.perf_counter()
        n = shown = 0
        for n, item in enumerate(items, 1):
            now = time.perf_counter()
            if now - last > _REFRESH_SECONDS:  # updating per sample would cost more than a fast model
                progress.update(task, completed=n, rate=f"{n / (now - start):.1f} samples/s")
                last, shown = now, n
            yield item
        if n != shown:
            progress.update(task, completed=n)
