"""A pipeline run whose batches are converted ahead of use, with the position after each batch handed out."""

from __future__ import annotations

import collections
from typing import Any, Callable, Deque, Dict, Iterator, Optional, Tuple, TypeVar

from tfaip.data.errors import DataPipelineError
from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.sample import Sample

T = TypeVar("T")


class BatchesAhead(Iterator[T]):
    """The batches of `pipeline`, each `convert`ed up to `ahead` batches before it is asked for.

    `state_dict()` is the pipeline's position after the last batch handed out, not after the
    ones converted ahead of it, so a loop that saves it continues exactly with the next batch it
    has not seen (`pipeline.load_state_dict`, then a new BatchesAhead). Use it in a `with` block
    or `close()` it to stop the pipeline's worker processes.
    """

    def __init__(
        self, pipeline: DataPipeline, convert: Callable[[Sample], T], ahead: int = 2, auto_repeat: bool = False
    ):
        self._pipeline, self._convert, self._ahead = pipeline, convert, max(0, ahead)
        self._run = pipeline.generate_input_batches(auto_repeat=auto_repeat)
        self._batches = self._run.__enter__()
        self._queue: Deque[Tuple[T, Optional[Dict[str, Any]]]] = collections.deque()
        self._done = False
        try:
            self._state: Optional[Dict[str, Any]] = pipeline.state_dict()  # before the first batch: the start
        except DataPipelineError:  # a pipeline without a position (several stages): state_dict() says so
            self._state = None
        self._has_position = self._state is not None

    def _position(self) -> Optional[Dict[str, Any]]:
        return self._pipeline.state_dict() if self._has_position else None

    def __next__(self) -> T:
        while not self._done and len(self._queue) <= self._ahead:
            batch = next(self._batches, None)
            if batch is None:
                self._done = True
                break
            self._queue.append((self._convert(batch), self._position()))
        if not self._queue:
            self.close()
            raise StopIteration
        item, self._state = self._queue.popleft()
        return item

    def state_dict(self) -> Dict[str, Any]:
        """The pipeline's position after the last batch handed out (see `DataPipeline.state_dict`)."""
        return self._state if self._state is not None else self._pipeline.state_dict()  # the latter says why not

    def close(self) -> None:
        """Stop the pipeline run (its worker processes)."""
        self._run.__exit__(None, None, None)

    def __enter__(self) -> "BatchesAhead[T]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
