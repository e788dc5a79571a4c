"""A pipeline run whose batches are converted ahead of use, with the position after each batch handed out."""

from __future__ import annotations

import collections
from typing import Any, Callable, Deque, Dict, Iterator, TypeVar

from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.positions import BatchPositions
from tfaip.data.sample import Sample

T = TypeVar("T")


class BatchesAhead(Iterator[T]):
    """The batches of `pipeline`, each `convert`ed up to `ahead` batches before it is asked for.

    `state_dict()` is the pipeline's position after the last batch handed out, not after the
    ones converted ahead of it (`BatchPositions` keeps it), so a loop that saves it continues
    exactly with the next batch it has not seen (`pipeline.load_state_dict`, then a new
    BatchesAhead). The run starts at once; use it in a `with` block or `close()` it to stop the
    pipeline's worker processes.
    """

    def __init__(
        self, pipeline: DataPipeline, convert: Callable[[Sample], T], ahead: int = 2, auto_repeat: bool = False
    ):
        self._pipeline, self._convert, self._ahead = pipeline, convert, max(0, ahead)
        self._positions = BatchPositions(pipeline, auto_repeat)
        self._batches = self._positions.batches()
        self._queue: Deque[T] = collections.deque()
        self._done = False
        self._handed_out = 0
        self._fill()

    def _fill(self) -> None:
        while not self._done and len(self._queue) <= self._ahead:
            batch = next(self._batches, None)
            if batch is None:
                self._done = True
            else:
                self._queue.append(self._convert(batch))

    def __next__(self) -> T:
        self._fill()
        if not self._queue:
            self.close()
            raise StopIteration
        self._handed_out += 1
        self._positions.used(self._handed_out)
        return self._queue.popleft()

    def state_dict(self) -> Dict[str, Any]:
        """The pipeline's position after the last batch handed out (see `DataPipeline.state_dict`)."""
        state = self._positions.state_dict()
        return state if state is not None else self._pipeline.state_dict()  # the latter says why there is none

    def close(self) -> None:
        """Stop the pipeline run (its worker processes)."""
        self._batches.close()

    def __enter__(self) -> "BatchesAhead[T]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
