"""One stage of a processor pipeline: processors (+ batching) applied chunk by chunk.

A chunk is one batch worth of consecutive input samples. `StageRunner.run` is the unit of
work a worker process executes; the serial pipeline calls the very same method, so
`run_parallel` never changes what comes out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from tfaip.data.batching import Batcher
from tfaip.data.processor.base import DataProcessorParams
from tfaip.data.processor.chain import ProcessorChain, describe_range, processor_error
from tfaip.data.sample import PipelineMode, Sample


@dataclass
class Chunk:
    """Consecutive input samples of a stage; `seed` makes random processors reproducible.

    `start` and `end` are the input stream's positions before and after the chunk (first stage only).
    """

    chunk_id: int
    first_index: int
    samples: List[Sample]
    seed: int
    start: Optional[Tuple[int, int]] = None
    end: Optional[Tuple[int, int]] = None


@dataclass
class ChunkResult:
    """What a stage made of a chunk: full padded batches (if batching) and the other samples.

    `size` counts the chunk's input samples, `dropped` those dropped as invalid, by reason;
    `start` and `end` are the chunk's.
    """

    chunk_id: int
    batches: List[Sample] = field(default_factory=list)
    samples: List[Sample] = field(default_factory=list)
    size: int = 0
    dropped: Dict[str, int] = field(default_factory=dict)
    start: Optional[Tuple[int, int]] = None
    end: Optional[Tuple[int, int]] = None


@dataclass
class StageSpec:
    """Everything a (worker) process needs to run a stage; picklable."""

    processors: Sequence[DataProcessorParams]
    data_params: Any  # the DataBaseParams
    mode: PipelineMode
    batcher: Optional[Batcher] = None


def seed_global_rngs(seed: int) -> None:
    """Seed Python's and numpy's global random generators (what processors usually use)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)


class StageRunner:
    """Creates a stage's processors once and runs them on chunks."""

    def __init__(self, spec: StageSpec):
        self.chain = ProcessorChain(spec.processors, spec.data_params, spec.mode)
        self.batcher = spec.batcher

    def run(self, chunk: Chunk) -> ChunkResult:
        """Process one chunk: seed the RNGs with the chunk's seed, apply the processors, batch."""
        if self.chain.processor_names:
            seed_global_rngs(chunk.seed)
        samples, dropped = self.chain.run(chunk.samples, chunk.first_index)
        size, dropped = len(chunk.samples), dict(dropped)  # a plain dict pickles across processes
        where = {"start": chunk.start, "end": chunk.end}
        if self.batcher is None:
            return ChunkResult(chunk.chunk_id, samples=samples, size=size, dropped=dropped, **where)
        try:
            batches, rest = self.batcher.split_full_batches(samples)
        except ValueError as e:
            indexed = [(chunk.first_index + i, s) for i, s in enumerate(chunk.samples)]
            raise processor_error("batching", describe_range(indexed), e) from e
        return ChunkResult(chunk.chunk_id, batches=batches, samples=rest, size=size, dropped=dropped, **where)

    def run_in_process(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        """`run` on each chunk, in the caller's process: the caller's global random states come back.

        Python's `random` (from which pipelines draw their seeds) is restored after each chunk;
        numpy's global generator, whose state costs 60 us to save and restore (as much as a
        small batch's processing), when the run ends or is closed.
        """
        if not self.chain.processor_names:  # nothing draws random numbers: spare the state copies
            yield from map(self.run, chunks)
            return
        numpy_state = np.random.get_state()
        try:
            for chunk in chunks:
                python_state = random.getstate()
                try:
                    result = self.run(chunk)
                finally:
                    random.setstate(python_state)
                yield result
        finally:
            np.random.set_state(numpy_state)
