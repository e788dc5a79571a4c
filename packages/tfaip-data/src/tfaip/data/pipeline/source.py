"""The input stream of a pipeline: generator passes, limit, shuffle buffer, repetition, and a position in them."""

from __future__ import annotations

import itertools
import random
from typing import Callable, Iterable, Iterator, List, NamedTuple, Optional, Tuple, TypeVar

T = TypeVar("T")


class StreamPosition(NamedTuple):
    """A place in an input stream: the pass (0, 1, ... when repeating) and the items of it already taken."""

    pass_index: int = 0
    index: int = 0


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


def pass_seed(seed: int, pass_index: int) -> int:
    """The seed of one pass's shuffling: each pass is shuffled on its own, so a position is reached without replay."""
    return (seed * 0x2545F4914F6CDD1D + pass_index * 0x9E3779B97F4A7C15) % 2**64


class InputStream(Iterator[T]):
    """Samples of one pass of `make_pass()` (or endless passes if `repeat`), limited and shuffled.

    `limit` applies to each pass; `shard` (index, count) then keeps items index, index + count,
    ... of it (one disjoint shard per process). Each pass is shuffled with its own generator seeded from
    `seed` and the pass number (default: a draw from Python's global `random`, so seeding that
    makes the order reproducible). `first_pass_size` is the number of samples of the first
    pass once it ended (None before); `position` is where the next item comes from.

    A stream can start at a `StreamPosition` (`start`): the items of the pass before it are
    skipped without being returned. With `get_item` and `length` (random access, e.g. a
    generator's `__getitem__` and `__len__`), only their indices are shuffled and skipped, so
    no item before the position is ever read; otherwise the pass is read up to the position.

    Example:
        >>> list(InputStream(lambda: range(5), limit=3))
        [0, 1, 2]
        >>> list(InputStream(lambda: range(5), start=StreamPosition(0, 3)))
        [3, 4]
    """

    def __init__(
        self,
        make_pass: Callable[[], Iterable[T]],
        limit: int = -1,
        shuffle_buffer_size: int = -1,
        repeat: bool = False,
        seed: Optional[int] = None,
        start: Optional[StreamPosition] = None,
        get_item: Optional[Callable[[int], T]] = None,
        length: Optional[Callable[[], int]] = None,
        shard: Tuple[int, int] = (0, 1),
    ):
        self.repeat = repeat
        self.seed = random.getrandbits(64) if seed is None else seed
        self.first_pass_size: Optional[int] = None
        self._pass_index, self._index = start if start is not None else (0, 0)
        self._make_pass, self._limit, self._buffer, self._shard = make_pass, limit, shuffle_buffer_size, shard
        self._get_item, self._length = (
            (get_item, length) if get_item is not None and length is not None else (None, None)
        )
        self._items = self._passes()

    def __next__(self) -> T:
        return next(self._items)

    def take(self, n: int) -> List[T]:
        """Up to `n` next items, all of one pass (fewer at the end of a pass; none at the end of the stream)."""
        pass_index = self._pass_index
        items: List[T] = []
        for item in self._items:
            items.append(item)
            if len(items) == n or self._pass_index != pass_index:
                break
        return items

    @property
    def position(self) -> StreamPosition:
        """Where the next item comes from."""
        return StreamPosition(self._pass_index, self._index)

    def close(self) -> None:
        """Stop the stream (closes the generator of the current pass)."""
        self._items.close()

    def _pass_items(self, pass_index: int, skip: int) -> Iterator[T]:
        rng = random.Random(pass_seed(self.seed, pass_index))
        if self._get_item is not None:
            n = self._length() if self._limit < 0 else min(self._length(), self._limit)
            indices: Iterable[int] = range(self._shard[0], n, self._shard[1])
            if self._buffer > 1:
                indices = shuffled(indices, self._buffer, rng)
            return map(self._get_item, itertools.islice(indices, skip, None))
        items = iter(self._make_pass())
        if self._limit >= 0:
            items = itertools.islice(items, self._limit)
        if self._shard[1] > 1:
            items = itertools.islice(items, self._shard[0], None, self._shard[1])
        if self._buffer > 1:
            items = shuffled(items, self._buffer, rng)
        return itertools.islice(items, skip, None)

    def _passes(self) -> Iterator[T]:
        start = self.position
        passes = itertools.count(start.pass_index) if self.repeat else range(start.pass_index, 1)
        for pass_index in passes:
            skip = start.index if pass_index == start.pass_index else 0
            self._pass_index, self._index = pass_index, skip
            items = self._pass_items(pass_index, skip)
            count = skip
            item = next(items, _END)
            while item is not _END:
                following = next(items, _END)  # looked ahead: after a pass's last item the position is the next pass
                count += 1
                self._pass_index, self._index = (pass_index + 1, 0) if following is _END else (pass_index, count)
                yield item
                item = following
            if self.first_pass_size is None:
                self.first_pass_size = count
            if count == 0 and self.repeat:
                raise ValueError("the data generator produced no samples, so it cannot be repeated")
            self._pass_index, self._index = pass_index + 1, 0


_END = object()
