"""The input stream of a pipeline: generator passes, limit, shuffle buffer, repetition."""

from __future__ import annotations

import itertools
import random
from typing import Callable, Iterable, Iterator, List, TypeVar

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


def input_stream(
    make_pass: Callable[[], Iterable[T]], limit: int = -1, shuffle_buffer_size: int = -1, repeat: bool = False
) -> Iterator[T]:
    """Samples of one pass of `make_pass()` (or endless passes if `repeat`), limited and shuffled.

    `limit` applies to each pass. The shuffle buffer draws its seed from Python's global
    `random`, so seeding that makes the order reproducible.
    """
    rng = random.Random(random.getrandbits(64))
    passes = itertools.count() if repeat else range(1)
    for _ in passes:
        items = iter(make_pass())
        if limit >= 0:
            items = itertools.islice(items, limit)
        if shuffle_buffer_size > 1:
            items = shuffled(items, shuffle_buffer_size, rng)
        empty = True
        for item in items:
            empty = False
            yield item
        if empty and repeat:
            raise ValueError("the data generator produced no samples, so it cannot be repeated")
