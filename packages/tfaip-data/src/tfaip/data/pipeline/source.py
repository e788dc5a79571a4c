"""The input stream of a pipeline: generator passes, limit, shuffle buffer, repetition."""

from __future__ import annotations

import itertools
import random
from typing import Callable, Iterable, Iterator, List, Optional, TypeVar

T = TypeVar("T")


def shuffled(items: Iterable[T], buffer_size: int, rng: random.Random) -> Iterator[T]:
    """Shuffle a stream through a buffer of `buffer_size` items (as tf.data's `shuffle`)."""
    buffer: List[T] = []
    for item in items:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        i = rng.randrange(buffer_size)
        yield buffer[i]
        buffer[i] = item
    rng.shuffle(buffer)
    yield from buffer


class InputStream(Iterator[T]):
    """Samples of one pass of `make_pass()` (or endless passes if `repeat`), limited and shuffled.

    `limit` applies to each pass. The shuffle buffer draws its seed from Python's global
    `random`, so seeding that makes the order reproducible. `first_pass_size` is the number of
    samples of the first pass once it ended (None before).

    Example:
        >>> list(InputStream(lambda: range(5), limit=3))
        [0, 1, 2]
    """

    def __init__(
        self, make_pass: Callable[[], Iterable[T]], limit: int = -1, shuffle_buffer_size: int = -1, repeat: bool = False
    ):
        self.repeat = repeat
        self.first_pass_size: Optional[int] = None
        self._items = self._passes(make_pass, limit, shuffle_buffer_size, repeat)

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        """Stop the stream (closes the generator of the current pass)."""
        self._items.close()

    def _passes(self, make_pass: Callable[[], Iterable[T]], limit: int, shuffle_buffer_size: int, repeat: bool):
        rng = random.Random(random.getrandbits(64))
        passes = itertools.count() if repeat else range(1)
        for _ in passes:
            items = iter(make_pass())
            if limit >= 0:
                items = itertools.islice(items, limit)
            if shuffle_buffer_size > 1:
                items = shuffled(items, shuffle_buffer_size, rng)
            count = 0
            for item in items:
                count += 1
                yield item
            if self.first_pass_size is None:
                self.first_pass_size = count
            if count == 0 and repeat:
                raise ValueError("the data generator produced no samples, so it cannot be repeated")
