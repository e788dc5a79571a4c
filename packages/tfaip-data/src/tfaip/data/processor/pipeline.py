"""`DataProcessorPipeline`: the runnable form of processor pipeline params.

    samples ─► chunks of batch_size ─► stage 1 ─► ... ─► last stage (+ batching in workers)
                                      serial: StageRunner in this process
                                      parallel: WorkerPool, at most `prefetch` chunks in flight,
                                                results re-ordered by chunk id unless ordered=False

Samples that do not fill a whole batch inside a worker (because processors dropped or
generated samples, or at the end of the data) are batched here. With bucketing, the
workers return samples and the buckets are filled here.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

import numpy as np

from tfaip.data.errors import DataProcessorError
from tfaip.data.generator.base import DataGeneratorParams
from tfaip.data.parallel.pool import WorkerPool
from tfaip.data.pipeline.batching import Batcher, Bucketizer
from tfaip.data.pipeline.params import DataPipelineParams
from tfaip.data.pipeline.source import input_stream
from tfaip.data.processor.chain import processor_error
from tfaip.data.processor.stage import Chunk, ChunkResult, StageRunner, StageSpec
from tfaip.data.sample import PipelineMode, Sample

if TYPE_CHECKING:
    from tfaip.data.database import DataBaseParams
    from tfaip.data.processor.pipeline_params import SequentialProcessorPipelineParams


def _chunks(samples: Iterable[Sample], size: int, seed: int) -> Iterator[Chunk]:
    it = iter(samples)
    first_index = 0
    for chunk_id in itertools.count():
        batch = list(itertools.islice(it, size))
        if not batch:
            return
        yield Chunk(chunk_id, first_index, batch, (seed + chunk_id * 0x9E3779B1) % 2**64)
        first_index += len(batch)


class DataProcessorPipeline:
    """Processors of one or more stages, ready to run on samples (see module doc).

    Created by `DataProcessorPipelineParams.create(data_pipeline_params, data_params)`.

    Example:
        >>> pipeline = pre_proc_params.create(DataPipelineParams(num_processes=2, limit=100), data_params)
        >>> for sample in pipeline.apply(samples):  # Samples or DataGeneratorParams
        ...     print(sample)
    """

    def __init__(
        self,
        stages: Sequence[SequentialProcessorPipelineParams],
        pipeline_params: DataPipelineParams,
        data_params: DataBaseParams,
    ):
        self.stages = list(stages)
        self.pipeline_params = pipeline_params
        self.data_params = data_params

    @property
    def mode(self) -> PipelineMode:
        """The pipeline mode (from the DataPipelineParams)."""
        return self.pipeline_params.mode

    def apply(self, samples: Union[Iterable[Sample], DataGeneratorParams]) -> Iterator[Sample]:
        """Process `samples` (or the samples of a generator) and yield the un-batched results.

        `limit` and `shuffle_buffer_size` of the DataPipelineParams apply. Stop early with
        `.close()` on the returned iterator (or just drop it): the workers are stopped.
        """
        if isinstance(samples, DataGeneratorParams):
            generator_params = samples
            samples = generator_params.create(self.mode).generate()
        p = self.pipeline_params
        return self.run(input_stream(lambda: samples, p.limit, p.shuffle_buffer_size))

    def run(
        self, samples: Iterable[Sample], batcher: Optional[Batcher] = None, bucketizer: Optional[Bucketizer] = None
    ) -> Iterator[Sample]:
        """Yield processed samples, or padded batches if `batcher`/`bucketizer` is given."""
        seed = random.getrandbits(64)
        size = self.pipeline_params.batch_size
        opened: List[Iterator[ChunkResult]] = []
        try:
            stream: Iterable[Sample] = samples
            if not self.stages:  # nothing to run: still drop invalid samples and batch
                spec = StageSpec([], self.data_params, self.mode, None if bucketizer else batcher)
                opened.append(_serial_results(spec, _chunks(stream, size, seed)))
            for i, stage in enumerate(self.stages):
                last = i == len(self.stages) - 1
                stage_batcher = batcher if last and bucketizer is None else None
                opened.append(self._run_stage(stage, _chunks(stream, size, seed + i), stage_batcher))
                stream = (s for r in opened[-1] for s in r.samples)
            yield from _collect(opened[-1], batcher, bucketizer)
        finally:
            for it in reversed(opened):
                it.close()

    def _run_stage(
        self, stage: SequentialProcessorPipelineParams, chunks: Iterator[Chunk], batcher: Optional[Batcher]
    ) -> Iterator[ChunkResult]:
        spec = StageSpec(stage.processors, self.data_params, self.mode, batcher)
        active = any(self.mode in p.modes for p in stage.processors)
        if not (stage.run_parallel and active):
            yield from _serial_results(spec, chunks)
            return
        p = self.pipeline_params
        workers = stage.num_threads if stage.num_threads > 0 else p.num_processes
        window = p.resolved_prefetch(workers)
        pool = WorkerPool(
            spec, workers, math.ceil(window / workers), stage.max_tasks_per_process, p.resolved_start_method()
        )
        try:
            yield from _results(pool, chunks, window, p.ordered)
        finally:
            pool.close()


def _serial_results(spec: StageSpec, chunks: Iterator[Chunk]) -> Iterator[ChunkResult]:
    runner = StageRunner(spec)
    for chunk in chunks:
        yield runner.run_preserving_rng_state(chunk)


def _results(pool: WorkerPool, chunks: Iterator[Chunk], window: int, ordered: bool) -> Iterator[ChunkResult]:
    pending: Dict[int, Union[ChunkResult, DataProcessorError]] = {}
    next_id = 0
    exhausted = False
    while True:
        while not exhausted and pool.outstanding + len(pending) < window and pool.has_capacity:
            chunk = next(chunks, None)
            if chunk is None:
                exhausted = True
            else:
                pool.submit(chunk)
        while next_id in pending:
            result = pending.pop(next_id)
            if isinstance(result, DataProcessorError):
                raise result
            yield result
            next_id += 1
        if pool.outstanding == 0:
            if exhausted:
                return
            continue
        try:
            result = pool.receive()
        except DataProcessorError as error:
            if not ordered or error.chunk_id is None:
                raise
            pending[error.chunk_id] = error  # raised in turn, after the chunks before it
            continue
        if ordered:
            pending[result.chunk_id] = result
        else:
            yield result


def _collect(
    results: Iterable[ChunkResult], batcher: Optional[Batcher], bucketizer: Optional[Bucketizer]
) -> Iterator[Sample]:
    if bucketizer is not None:
        for result in results:
            for sample in result.samples:
                batch = _parent_batching(bucketizer.add, _detached(sample))
                if batch is not None:
                    yield batch
        yield from _parent_batching(bucketizer.flush)
        return
    if batcher is None:
        for result in results:
            yield from result.samples
        return
    carry: List[Sample] = []
    for result in results:
        yield from result.batches
        if result.samples:
            carry.extend(_detached(s) for s in result.samples)
            full, carry = _parent_batching(batcher.split_full_batches, carry)
            yield from full
    if carry and not batcher.drop_remainder:
        yield _parent_batching(batcher.batch, carry)


def _copy_arrays(tree: Any) -> Any:
    if isinstance(tree, np.ndarray):
        return tree.copy()
    if isinstance(tree, dict):
        return {k: _copy_arrays(v) for k, v in tree.items()}
    return tree


def _detached(sample: Sample) -> Sample:
    """A copy that does not keep a worker's shared-memory slab (a whole chunk) alive."""
    return Sample(
        inputs=_copy_arrays(sample.inputs),
        outputs=_copy_arrays(sample.outputs),
        targets=_copy_arrays(sample.targets),
        meta=sample.meta,
    )


def _parent_batching(fn, *args):
    try:
        return fn(*args)
    except ValueError as e:
        raise processor_error("batching", "samples collected from several chunks", e) from e
