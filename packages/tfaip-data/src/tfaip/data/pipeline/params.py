"""`DataPipelineParams`: how one pipeline (train, validation, prediction...) batches and runs."""

import sys
from dataclasses import dataclass, field
from typing import List, Optional

from paiargparse import pai_dataclass, pai_meta

from tfaip.data.errors import ConfigError
from tfaip.data.sample import PipelineMode

START_METHODS = ("auto", "fork", "forkserver", "spawn")


@pai_dataclass
@dataclass
class DataPipelineParams:
    """Batch size, limit, shuffling, prefetching, worker processes and bucketing of one pipeline."""

    batch_size: int = field(default=16, metadata=pai_meta(help="Samples per batch."))
    limit: int = field(
        default=-1,
        metadata=pai_meta(
            help="Use at most this many samples of the generator (-1: all). Generating processors may "
            "change the number of samples that come out."
        ),
    )
    shard_index: int = field(
        default=0, metadata=pai_meta(help="Take the shard_index-th of shard_count disjoint shards of the data.")
    )
    shard_count: int = field(
        default=1,
        metadata=pai_meta(
            help="Split the data (after limit) into this many disjoint shards, sample i going to shard i % "
            "shard_count, for one process each (multi-worker training sets both)."
        ),
    )
    prefetch: int = field(
        default=-1,
        metadata=pai_meta(
            help="Chunks (one batch of samples each) processed ahead of the consumer; bounds the memory. "
            "-1: 4 per worker process."
        ),
    )
    num_processes: int = field(default=4, metadata=pai_meta(help="Worker processes of a parallel pipeline."))
    batch_drop_remainder: bool = field(
        default=False, metadata=pai_meta(help="Drop a last batch that is smaller than batch_size.")
    )
    shuffle_buffer_size: int = field(
        default=-1,
        metadata=pai_meta(
            help="Shuffle the generated samples through a buffer of this size before processing (-1: off)."
        ),
    )
    mode: PipelineMode = field(
        default=PipelineMode.TRAINING,
        metadata=pai_meta(mode="ignore", help="Mode of this pipeline, set by training, LAV and prediction."),
    )
    bucket_boundaries: List[int] = field(
        default_factory=list,
        metadata=pai_meta(
            help="Group samples by length (DataBase.element_length) into buckets with these upper "
            "boundaries, then pad and batch each bucket (as tf.data's bucket_by_sequence_length)."
        ),
    )
    bucket_batch_sizes: Optional[List[int]] = field(
        default=None,
        metadata=pai_meta(help="Batch size per bucket, len(bucket_boundaries) + 1 values; default batch_size."),
    )
    pad_to_multiple: int = field(
        default=1,
        metadata=pai_meta(help="Round the padded length of variable axes up to a multiple of this (1: off)."),
    )
    ordered: bool = field(
        default=True,
        metadata=pai_meta(help="Keep the order of the samples; False yields chunks as soon as a worker is done."),
    )
    start_method: str = field(
        default="auto",
        metadata=pai_meta(
            help="How worker processes start: fork (fast; the default on Linux), spawn, forkserver "
            "(safe with threads in the parent, but processors must be importable), or auto.",
            choices=list(START_METHODS),
        ),
    )

    def __post_init__(self):
        for name in ("batch_size", "num_processes", "pad_to_multiple", "shard_count"):
            if getattr(self, name) < 1:
                raise ConfigError(f"DataPipelineParams.{name} must be >= 1, got {getattr(self, name)}.")
        if not 0 <= self.shard_index < self.shard_count:
            raise ConfigError(
                f"DataPipelineParams.shard_index must be in [0, shard_count = {self.shard_count}), got "
                f"{self.shard_index}."
            )
        if self.start_method not in START_METHODS:
            raise ConfigError(
                f"DataPipelineParams.start_method must be one of {', '.join(START_METHODS)}, got {self.start_method!r}."
            )
        if self.bucket_batch_sizes is not None and len(self.bucket_batch_sizes) != len(self.bucket_boundaries) + 1:
            raise ConfigError(
                f"DataPipelineParams.bucket_batch_sizes needs len(bucket_boundaries) + 1 = "
                f"{len(self.bucket_boundaries) + 1} values, got {self.bucket_batch_sizes}."
            )

    def resolved_prefetch(self, num_workers: int) -> int:
        """Chunks in flight for `num_workers` workers (at least 2 per worker)."""
        if self.prefetch > 0:
            return max(self.prefetch, num_workers)
        return 4 * num_workers

    def resolved_start_method(self) -> str:
        """The multiprocessing start method to use."""
        if self.start_method != "auto":
            return self.start_method
        return "fork" if sys.platform.startswith("linux") else "spawn"
