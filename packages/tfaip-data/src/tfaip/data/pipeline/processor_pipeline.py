"""`DataProcessorPipeline`: the runnable form of processor pipeline params.

    samples ─► chunks of batch_size ─► stage 1 ─► ... ─► last stage (+ batching in workers)
                                      serial: StageRunner in this process
                                      parallel: WorkerPool, at most `prefetch` chunks in flight,
                                                results re-ordered by chunk id unless ordered=False

Samples that do not fill a whole batch inside a worker (because processors dropped or
generated samples, or at the end of the data) are batched here. With bucketing, the
workers return samples and the buckets are filled here.

Samples invalid for the mode (a training sample without targets, say) are dropped, as in the
original tfaip. A run counts them by reason: one that yields nothing because every sample was
dropped warns once at its end, and an endless (repeated) run whose first stage dropped a whole
pass raises at once instead of waiting forever.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from tfaip.data.batching import Batcher, Bucketizer
from tfaip.data.errors import DataPipelineError, DataProcessorError
from tfaip.data.generator.base import DataGeneratorParams
from tfaip.data.parallel.pool import WorkerPool
from tfaip.data.pipeline.params import DataPipelineParams
from tfaip.data.pipeline.source import InputStream
from tfaip.data.processor.chain import SKIPPED, processor_error
from tfaip.data.processor.pipeline_params import SequentialProcessorPipelineParams
from tfaip.data.processor.stage import Chunk, ChunkResult, StageRunner, StageSpec
from tfaip.data.sample import PipelineMode, Sample, mode_needs

logger = logging.getLogger(__name__)


def _chunks(samples: Iterable[Sample], size: int, seed: int, first_id: int = 0) -> Iterator[Chunk]:
    """Chunks of `size` samples; from an InputStream, none spans two passes and each knows its place in it."""
    stream = samples if isinstance(samples, InputStream) else None
    it = iter(samples)
    first_index = 0
    for chunk_id in itertools.count(first_id):
        start = stream.position if stream is not None else None
        batch = stream.take(size) if stream is not None else list(itertools.islice(it, size))
        if not batch:
            return
        end = stream.position if stream is not None else None
        yield Chunk(chunk_id, first_index, batch, (seed + chunk_id * 0x9E3779B1) % 2**64, start, end)
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
        data_params: Any,
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

        `limit`, `shuffle_buffer_size` and the shard of the DataPipelineParams apply. Stop early
        with `.close()` on the returned iterator (or just drop it): the workers are stopped.
        """
        p = self.pipeline_params
        shard = (p.shard_index, p.shard_count)
        if isinstance(samples, DataGeneratorParams):
            generator = samples.create(self.mode)
            shard = generator.take_shard(*shard)
            samples = generator.generate()
        return self.run(InputStream(lambda: samples, p.limit, p.shuffle_buffer_size, shard=shard))

    def run(
        self,
        samples: Iterable[Sample],
        batcher: Optional[Batcher] = None,
        bucketizer: Optional[Bucketizer] = None,
        seed: Optional[int] = None,
        resume: Optional[PipelineCut] = None,
    ) -> "ProcessedStream":
        """Processed samples, or padded batches if `batcher`/`bucketizer` is given.

        `seed` (default: a draw from Python's `random`) seeds the chunks' processors. `resume`
        continues an earlier run of the same pipeline at its `cut`: `samples` must then be the
        input stream started at `resume.start`, with the same seed.
        """
        seed = resume.seed if resume is not None else random.getrandbits(64) if seed is None else seed
        collector = _Collector(seed, batcher, bucketizer, resume, single_stage=len(self.stages) <= 1)
        return ProcessedStream(self._run(samples, batcher, bucketizer, seed, collector), collector)

    def _run(self, samples, batcher, bucketizer, seed: int, collector: "_Collector") -> Iterator[Sample]:
        size = self.pipeline_params.batch_size
        first_id = collector.resume.chunk_id if collector.resume is not None else 0
        watch = _DropWatch(self.mode, samples if isinstance(samples, InputStream) else None)
        opened: List[Iterator[ChunkResult]] = []
        yielded = 0
        try:
            stream: Iterable[Sample] = samples
            if not self.stages:  # nothing to run: still drop invalid samples and batch
                spec = StageSpec([], self.data_params, self.mode, None if bucketizer else batcher)
                chunks = _chunks(stream, size, seed, first_id)
                opened.append(watch.observe(_serial_results(spec, chunks), first=True))
            for i, stage in enumerate(self.stages):
                last = i == len(self.stages) - 1
                stage_batcher = batcher if last and bucketizer is None else None
                results = self._run_stage(
                    stage, _chunks(stream, size, seed + i, first_id if i == 0 else 0), stage_batcher
                )
                opened.append(watch.observe(results, first=not opened))
                stream = (s for r in opened[-1] for s in r.samples)
            for item in collector.collect(opened[-1]):
                yielded += 1
                yield item
            watch.warn_skipped()
            if yielded == 0:
                watch.warn_if_all_dropped()
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
        workers = stage.num_processes if stage.num_processes > 0 else p.num_processes
        window = p.resolved_prefetch(workers)
        pool = WorkerPool(
            spec, workers, math.ceil(window / workers), stage.max_tasks_per_process, p.resolved_start_method()
        )
        try:
            yield from _results(pool, chunks, window, p.ordered)
        finally:
            pool.close()


class _DropWatch:
    """Counts the samples a run dropped as invalid, to say so when nothing comes out.

    Samples skipped because a processor failed (`skip_invalid`) are reported in one warning per
    pass over the data: at each pass boundary of a repeated source, else at the end of the run.
    """

    def __init__(self, mode: PipelineMode, source: Optional[InputStream]):
        self.mode = mode
        self.source = source
        self.consumed = 0  # input samples the first stage processed
        self.passed = 0  # samples and batches the first stage let through
        self.dropped: Counter = Counter()
        self.skipped: Counter = Counter()  # since the last warning
        self.passes_reported = 0

    def observe(self, results: Iterator[ChunkResult], first: bool) -> Iterator[ChunkResult]:
        """Yield `results`, counting their drops (and, for the first stage, what went in and out)."""
        try:
            for result in results:
                self.dropped.update(result.dropped)
                self.skipped.update({r: n for r, n in result.dropped.items() if r.startswith(SKIPPED)})
                if first:
                    self.consumed += result.size
                    self.passed += len(result.samples) + len(result.batches)
                    self._raise_if_a_whole_pass_was_dropped()
                    self._warn_at_a_pass_boundary()
                yield result
        finally:
            results.close()

    def _warn_at_a_pass_boundary(self) -> None:
        size = self.source.first_pass_size if self.source is not None and self.source.repeat else None
        if size and self.consumed // size > self.passes_reported:
            self.passes_reported = self.consumed // size
            self.warn_skipped()

    def warn_skipped(self) -> None:
        """Warn once about the samples skipped since the last warning (if any)."""
        if not self.skipped:
            return
        total = sum(self.skipped.values())
        listed = self.skipped.most_common(5)
        more = f"; and {len(self.skipped) - len(listed)} other reasons" if len(self.skipped) > len(listed) else ""
        logger.warning(
            "The %s pipeline skipped %d sample(s) whose processors failed (--data.skip_invalid): %s%s.",
            self.mode, total, "; ".join(f"{n}x {r[len(SKIPPED):]}" for r, n in listed), more,
        )  # fmt: skip
        self.skipped.clear()

    def _raise_if_a_whole_pass_was_dropped(self) -> None:
        if self.source is None or not self.source.repeat or self.source.first_pass_size is None:
            return
        if self.passed == 0 and self.consumed >= self.source.first_pass_size > 0:
            raise DataPipelineError(
                f"The {self.mode} pipeline dropped all {self.consumed} samples of a whole pass over its data as "
                f"invalid ({self._reasons()}), so it would wait for a sample forever. {self._advice()}"
            )

    def warn_if_all_dropped(self) -> None:
        """Warn (once per run) if samples came in and every one was dropped as invalid."""
        if self.consumed and self.dropped:
            logger.warning(
                "The %s pipeline yields nothing: all %d samples were dropped as invalid (%s). %s",
                self.mode, self.consumed, self._reasons(), self._advice(),
            )  # fmt: skip

    def _reasons(self) -> str:
        return ", ".join(f"{n} {reason}" for reason, n in self.dropped.most_common())

    def _advice(self) -> str:
        return (
            f"{str(self.mode).capitalize()} samples need {mode_needs(self.mode)}: check the data generator of this "
            "mode and the processors that run in it."
        )


def _serial_results(spec: StageSpec, chunks: Iterator[Chunk]) -> Iterator[ChunkResult]:
    yield from StageRunner(spec).run_in_process(chunks)


def _results(pool: WorkerPool, chunks: Iterator[Chunk], window: int, ordered: bool) -> Iterator[ChunkResult]:
    pending: Dict[int, Union[ChunkResult, DataProcessorError]] = {}
    first = next(chunks, None)
    if first is None:
        return
    next_id = first.chunk_id  # a resumed run starts at a later chunk
    chunks = itertools.chain([first], chunks)
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


@dataclass
class PipelineCut:
    """Where a run stands after the batches (or samples) it returned: enough to continue it exactly.

    The run went on to chunk `chunk_id`, which starts at `start` in the input stream (pass, index),
    and returned `taken` of its outputs (batches made in a worker, or samples); `carried` are the
    processed samples waiting in the batcher or the buckets. `seed` is the run's seed.
    """

    seed: int
    chunk_id: int
    start: Tuple[int, int]
    taken: int = 0
    carried: List[Sample] = field(default_factory=list)


class ProcessedStream(Iterator[Sample]):
    """The samples or batches of a run; `cut` is where it stands after the last one returned (see PipelineCut).

    Before the first one, `cut` is where the run starts; it is None for pipelines of several stages (not cut yet).
    """

    def __init__(self, items: Iterator[Sample], collector: "_Collector"):
        self._items = items
        self._collector = collector

    def __next__(self) -> Sample:
        return next(self._items)

    @property
    def cut(self) -> Optional[PipelineCut]:
        """Where the run stands after the last item returned."""
        return self._collector.cut

    def close(self) -> None:
        """Stop the run (and its worker processes)."""
        self._items.close()


class _Collector:
    """Turns the last stage's results into the run's items, and keeps the cut after each item."""

    def __init__(
        self,
        seed: int,
        batcher: Optional[Batcher],
        bucketizer: Optional[Bucketizer],
        resume: Optional[PipelineCut],
        single_stage: bool,
    ):
        self.seed, self.batcher, self.bucketizer, self.resume = seed, batcher, bucketizer, resume
        self.single_stage = single_stage
        self.cut = resume if resume is not None else PipelineCut(seed, 0, (0, 0)) if single_stage else None
        self.carry: List[Sample] = []
        if resume is not None:
            if bucketizer is not None:
                for sample in resume.carried:
                    bucketizer.add(sample)  # none fills its bucket: they were waiting
            else:
                self.carry = list(resume.carried)

    def _mark(self, chunk_id: int, start: Any, taken: int, carried: List[Sample]) -> None:
        if self.single_stage and start is not None:
            self.cut = PipelineCut(self.seed, chunk_id, tuple(start), taken, carried)

    def collect(self, results: Iterable[ChunkResult]) -> Iterator[Sample]:
        """The items of `results`, in order (the first result resumed after the outputs it already gave)."""
        skip = self.resume.taken if self.resume is not None else 0
        end = tuple(self.resume.start) if self.resume is not None else (0, 0)
        next_id = self.resume.chunk_id if self.resume is not None else 0
        for result in results:
            end, next_id = result.end, result.chunk_id + 1
            if self.bucketizer is not None or self.batcher is None:
                yield from self._samples_of(result, skip)
            else:
                yield from self._batches_of(result, skip)
            skip = 0
        if self.bucketizer is not None:
            rest = _parent_batching(self.bucketizer.flush)
        elif self.batcher is not None and self.carry and not self.batcher.drop_remainder:
            rest = [_parent_batching(self.batcher.batch, self.carry)]
        else:
            rest = []
        for batch in rest:
            self._mark(next_id, end, 0, [])
            yield batch

    def _samples_of(self, result: ChunkResult, skip: int) -> Iterator[Sample]:
        for i, sample in enumerate(result.samples):
            if i < skip:
                continue
            if self.bucketizer is None:
                self._mark(result.chunk_id, result.start, i + 1, [])
                yield sample
                continue
            batch = _parent_batching(self.bucketizer.add, _detached(sample))
            if batch is not None:
                self._mark(result.chunk_id, result.start, i + 1, self.bucketizer.pending())
                yield batch

    def _batches_of(self, result: ChunkResult, skip: int) -> Iterator[Sample]:
        for i, batch in enumerate(result.batches):
            if i >= skip:
                self._mark(result.chunk_id, result.start, i + 1, list(self.carry))
                yield batch
        self.carry.extend(_detached(s) for s in result.samples)
        size = self.batcher.batch_size
        while len(self.carry) >= size:
            full, self.carry = self.carry[:size], self.carry[size:]
            self._mark(result.chunk_id + 1, result.end, 0, list(self.carry))
            yield _parent_batching(self.batcher.batch, full)


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
