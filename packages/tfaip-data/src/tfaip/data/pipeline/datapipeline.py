"""`DataPipeline`: the pre-processing of one mode of a `DataBase`, as samples or padded batches."""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Protocol, Tuple

from tfaip.data.batching import Batcher, Bucketizer
from tfaip.data.errors import ConfigError, DataPipelineError
from tfaip.data.generator.base import DataGenerator, DataGeneratorParams
from tfaip.data.pipeline.params import DataPipelineParams
from tfaip.data.pipeline.processor_pipeline import DataProcessorPipeline, PipelineCut, ProcessedStream
from tfaip.data.pipeline.source import InputStream, StreamPosition
from tfaip.data.sample import PipelineMode, Sample

STATE_VERSION = 1  # of DataPipeline.state_dict()


def cut_state(cut: PipelineCut) -> Dict[str, Any]:
    """The `state_dict()` of a run standing at `cut`."""
    return {
        "version": STATE_VERSION,
        "seed": cut.seed,
        "chunk": cut.chunk_id,
        "start": list(cut.start),
        "taken": cut.taken,
        "carried": list(cut.carried),
    }


class PipelineData(Protocol):
    """What a DataPipeline uses of its `DataBase` (which creates it)."""

    params: Any

    def input_layer_specs(self) -> Dict[str, Any]:
        """Name -> spec of the inputs."""

    def target_layer_specs(self) -> Dict[str, Any]:
        """Name -> spec of the targets."""

    def padding_values(self) -> Dict[str, Any]:
        """Name -> padding value."""

    def element_length(self, sample: Sample) -> int:
        """The length that buckets `sample`."""


class DataPipeline:
    """Generator -> pre_proc processors -> batches, for one `DataBase` and one mode.

    Create it with `data.create_pipeline(mode_or_pipeline_params, generator_params)`.

    Example:
        >>> pipeline = data.create_pipeline(DataPipelineParams(batch_size=32), generator_params)
        >>> with pipeline.generate_input_batches() as batches:
        ...     for batch in batches:       # Sample of padded arrays, meta is a list
        ...         print(batch.inputs["img"].shape)
    """

    def __init__(
        self, pipeline_params: DataPipelineParams, data: PipelineData, generator_params: Optional[DataGeneratorParams]
    ):
        self.pipeline_params = pipeline_params
        self.data = data
        self.generator_params = generator_params
        # the DataBase's specs are checked now, so that a wrong spec fails here and not at the first batch
        self._specs = {**data.target_layer_specs(), **data.input_layer_specs()}
        self._resume: Optional[PipelineCut] = None
        self._last_run: Optional[ProcessedStream] = None

    @property
    def mode(self) -> PipelineMode:
        """The mode of this pipeline."""
        return self.pipeline_params.mode

    def create_data_generator(self) -> DataGenerator:
        """A new DataGenerator from the generator params."""
        if self.generator_params is None:
            raise ValueError(f"The {self.mode} pipeline has no DataGeneratorParams, so it has no data to generate.")
        generator = self.generator_params.create(self.mode)
        generator.take_shard(self.pipeline_params.shard_index, self.pipeline_params.shard_count)
        return generator

    def __len__(self) -> int:
        """Samples of one pass of the generator (after `limit`, of this pipeline's shard)."""
        generator = self.create_data_generator()
        p = self.pipeline_params
        n = len(generator) if p.limit < 0 else min(len(generator), p.limit)
        return n if generator.shards_itself else len(range(p.shard_index, n, p.shard_count))

    def processor_pipeline(self) -> DataProcessorPipeline:
        """The pre-processing pipeline of the data params, created for this pipeline's params."""
        return self.data.params.pre_proc.create(self.pipeline_params, self.data.params)

    def batcher(self) -> Batcher:
        """How samples are padded and batched: padding values and variable axes from the DataBase."""
        p = self.pipeline_params
        return Batcher(
            batch_size=p.batch_size,
            padding_values=self.data.padding_values(),
            pad_to_multiple=p.pad_to_multiple,
            variable_axes=self._variable_axes(),
            drop_remainder=p.batch_drop_remainder,
        )

    def _variable_axes(self) -> Dict[str, Tuple[bool, ...]]:
        return {k: tuple(d is None for d in spec.shape) for k, spec in self._specs.items()}

    def _samples(self, auto_repeat: bool, seed: int, start: StreamPosition) -> InputStream:
        generator = self.create_data_generator()
        p = self.pipeline_params
        random_access = callable(getattr(generator, "__getitem__", None))
        return InputStream(
            generator.generate, p.limit, p.shuffle_buffer_size, auto_repeat, seed, start,
            get_item=generator.__getitem__ if random_access else None, length=generator.__len__,
            shard=generator.take_shard(p.shard_index, p.shard_count),
        )  # fmt: skip

    def _run(self, auto_repeat: bool, batcher: Optional[Batcher], bucketizer: Optional[Bucketizer]) -> ProcessedStream:
        resume, self._resume = self._resume, None  # a loaded state applies to the next run only
        seed = resume.seed if resume is not None else random.getrandbits(64)
        start = StreamPosition(*resume.start) if resume is not None else StreamPosition()
        samples = self._samples(auto_repeat, seed, start)
        self._last_run = self.processor_pipeline().run(samples, batcher, bucketizer, seed=seed, resume=resume)
        return self._last_run

    @contextmanager
    def generate_input_samples(self, auto_repeat: bool = False) -> Iterator[ProcessedStream]:
        """Context manager yielding an iterator of the pre-processed, un-batched samples.

        Args:
            auto_repeat: repeat the generator endlessly (training); default one pass.
        """
        samples = self._run(auto_repeat, None, None)
        try:
            yield samples
        finally:
            samples.close()

    @contextmanager
    def generate_input_batches(self, auto_repeat: bool = False) -> Iterator[ProcessedStream]:
        """Context manager yielding an iterator of padded batches (Samples of stacked arrays).

        Padding and batching happen in the worker processes; with `bucket_boundaries`,
        samples are grouped by `DataBase.element_length` first.
        """
        p = self.pipeline_params
        batcher = self.batcher()
        bucketizer = None
        if p.bucket_boundaries:
            sizes = p.bucket_batch_sizes or [p.batch_size] * (len(p.bucket_boundaries) + 1)
            bucketizer = Bucketizer(p.bucket_boundaries, sizes, self.data.element_length, batcher)
        batches = self._run(auto_repeat, batcher, bucketizer)
        try:
            yield batches
        finally:
            batches.close()

    def state_dict(self) -> Dict[str, Any]:
        """Where the latest run of this pipeline stands after the batches (or samples) it returned.

        `load_state_dict` of this dict makes the next `generate_input_batches` (or `_samples`)
        of an equal pipeline continue exactly there: the same samples, order, processor seeds
        and batches as the run would have returned next. The dict holds numbers and, under
        `carried`, the processed samples waiting for a batch (pickle it with them).
        """
        cut = self._last_run.cut if self._last_run is not None else self._resume
        if cut is None and self._last_run is not None:
            raise DataPipelineError(
                f"The {self.mode} pipeline runs {len(self.data.params.pre_proc.stages())} processor stages; only a "
                "pipeline of one stage (SequentialProcessorPipelineParams) has a state to continue from."
            )
        if cut is None:
            raise DataPipelineError(f"The {self.mode} pipeline has not run yet, so it has no position to save.")
        return cut_state(cut)

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Make the next run continue where the run that `state` (from `state_dict`) came from stood."""
        keys = {"version", "seed", "chunk", "start", "taken", "carried"}
        if not isinstance(state, dict) or set(state) != keys or state["version"] != STATE_VERSION:
            found = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ConfigError(
                f"Not a state of a tfaip data pipeline (version {STATE_VERSION}, keys {sorted(keys)}): {found}."
            )
        self._resume = PipelineCut(
            int(state["seed"]), int(state["chunk"]), tuple(state["start"]), int(state["taken"]), list(state["carried"])
        )
