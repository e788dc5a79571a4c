"""`BatchPositions`: the position of a pipeline after the batches its consumer used, though it prefetches.

A consumer such as tf.data or keras `fit` asks for batches ahead of the step that uses them, so
the pipeline's own position (`DataPipeline.state_dict`) is ahead of the training. A checkpoint
after n steps needs the position after exactly n batches: `BatchPositions` keeps the position
after each batch of its run until the consumer reports that it used them (`used(n)`).
"""

from __future__ import annotations

import collections
import contextlib
import threading
from typing import Any, Deque, Dict, Iterator, List, Optional

from tfaip.data.errors import DataPipelineError
from tfaip.data.pipeline.datapipeline import DataPipeline, cut_state
from tfaip.data.pipeline.processor_pipeline import PipelineCut
from tfaip.data.sample import Sample


class BatchPositions:
    """Runs of a pipeline's batches that all start at the same position, and the position after each batch.

    Each `batches()` call starts a run at the same position: the state loaded into the pipeline
    before the first call (`pipeline.load_state_dict`), or where the first run started. A consumer
    that restarts its input (keras builds a distributed model from one batch, then starts over)
    so sees the same batches again. Once the consumer reports `used(n)`, `state_dict()` is the
    position after the first `n` batches of the latest run.

    Example:
        >>> positions = BatchPositions(pipeline, auto_repeat=True)
        >>> dataset = tfaip.data.tf.create_dataset(pipeline, auto_repeat=True, positions=positions)
        >>> ...                                     # the model trained on 500 batches of dataset
        >>> positions.used(500)
        >>> state = positions.state_dict()          # pipeline.load_state_dict(state) continues with batch 501
    """

    def __init__(self, pipeline: DataPipeline, auto_repeat: bool = False):
        self.pipeline, self.auto_repeat = pipeline, auto_repeat
        self._start: Optional[Dict[str, Any]] = None
        self._run: Optional[_RunLog] = None  # the latest run
        self._live: List[_RunLog] = []  # the runs still going (keras runs one per replica)
        self._lock = threading.Lock()
        self._starting = threading.Lock()

    def batches(self) -> Iterator[Sample]:
        """A run of the pipeline's batches from the start position (stops its worker processes when closed)."""
        with contextlib.ExitStack() as stack:
            with self._starting:  # runs that start together (keras' replicas) start at the same position
                if self._start is not None:
                    self.pipeline.load_state_dict(self._start)
                stream = stack.enter_context(self.pipeline.generate_input_batches(auto_repeat=self.auto_repeat))
                if self._start is None and stream.cut is not None:
                    self._start = cut_state(stream.cut)
            log = _RunLog(stream.cut)
            with self._lock:
                self._run = log
                self._live.append(log)
            try:
                for batch in stream:
                    with self._lock:
                        log.cuts.append(stream.cut)
                    yield batch
            finally:
                with self._lock:
                    self._live.remove(log)

    def used(self, n: int) -> None:
        """The consumer used the first `n` batches of the latest run; the positions before are dropped.

        Raises:
            DataPipelineError: if the run did not return `n` batches, or `n` is below an earlier call's.
        """
        with self._lock:
            if self._run is None and n == 0:
                return  # before the consumer asked for the first batch
            run = self._latest()
            if n < run.used or n > run.used + len(run.cuts):
                raise DataPipelineError(
                    f"The consumer cannot have used {n} batches: the run returned {run.used + len(run.cuts)}, and "
                    f"{run.used} were used already."
                )
            for log in {id(log): log for log in [run, *self._live]}.values():  # copies that run alongside it too
                log.forget(min(n, log.used + len(log.cuts)))

    def state_dict(self) -> Optional[Dict[str, Any]]:
        """The pipeline's position after the batches used (see `used`); None for a pipeline without a position."""
        with self._lock:
            last = self._latest().last
        return cut_state(last) if last is not None else None  # several stages: DataPipeline.state_dict() says why

    def _latest(self) -> "_RunLog":
        if self._run is None:
            raise DataPipelineError("The pipeline has not run yet, so it has no position after any batch.")
        return self._run


class _RunLog:
    """The positions of one run: `last` after `used` batches, then `cuts` after each following batch."""

    def __init__(self, start: Optional[PipelineCut]):
        self.last = start
        self.used = 0
        self.cuts: Deque[PipelineCut] = collections.deque()

    def forget(self, n: int) -> None:
        """Keep the position after batch `n` as `last`, and only those after it."""
        while self.used < n:
            self.last = self.cuts.popleft()
            self.used += 1
