"""Batching and padding of samples with numpy, plus bucketing by length.

Batching runs inside the worker processes for full batches, so the parent only receives
ready arrays. A batch is a `Sample` whose inputs/targets/outputs hold the stacked arrays
(same nesting as one sample) and whose `meta` is the list of the samples' metas.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from tfaip.data.errors import ConfigError
from tfaip.data.sample import Sample


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def pad_and_stack(
    arrays: Sequence[np.ndarray],
    padding_value: Any = 0,
    pad_to_multiple: int = 1,
    variable_axes: Optional[Sequence[bool]] = None,
) -> np.ndarray:
    """Stack `arrays` on a new first axis, padding every axis to the longest with `padding_value`.

    Args:
        arrays: arrays of equal rank.
        padding_value: value written into the padded area (default 0).
        pad_to_multiple: round the padded length of the variable axes up to a multiple of this.
        variable_axes: which axes have a variable length (from the declared specs); by default
            the axes whose length differs within the batch.
    """
    first = arrays[0]
    if pad_to_multiple == 1 and all(a.shape == first.shape for a in arrays):
        return np.stack(arrays)  # nothing to pad
    shapes = [a.shape for a in arrays]
    if any(len(s) != first.ndim for s in shapes):
        raise ValueError(f"cannot batch arrays of different ranks, shapes {sorted(set(shapes))}")
    max_shape = [max(s[axis] for s in shapes) for axis in range(first.ndim)]
    if pad_to_multiple > 1:
        for axis in range(first.ndim):
            if variable_axes is not None:
                variable = variable_axes[axis]
            else:
                variable = any(s[axis] != max_shape[axis] for s in shapes)
            if variable:
                max_shape[axis] = _round_up(max_shape[axis], pad_to_multiple)
    target = tuple(max_shape)
    if all(s == target for s in shapes):
        return np.stack(arrays)
    dtype = np.result_type(*arrays)
    out = np.full((len(arrays),) + target, padding_value, dtype=dtype)
    for i, a in enumerate(arrays):
        out[(i,) + tuple(slice(0, n) for n in a.shape)] = a
    return out


@dataclass(frozen=True)
class Batcher:
    """Turns lists of samples into padded batches.

    Args:
        batch_size: samples per batch.
        padding_values: padding value per key of inputs/targets/outputs (default 0).
        pad_to_multiple: round variable lengths up to a multiple of this (default 1: off).
        variable_axes: per key, which axes are variable (from the declared specs).
        drop_remainder: drop a last batch smaller than `batch_size`.
    """

    batch_size: int
    padding_values: Mapping[str, Any] = field(default_factory=dict)
    pad_to_multiple: int = 1
    variable_axes: Mapping[str, Tuple[bool, ...]] = field(default_factory=dict)
    drop_remainder: bool = False

    def batch(self, samples: Sequence[Sample]) -> Sample:
        """Pad and stack `samples` into one batch."""
        return Sample(
            inputs=self._batch_tree([s.inputs for s in samples], None, "inputs"),
            outputs=self._batch_tree([s.outputs for s in samples], None, "outputs"),
            targets=self._batch_tree([s.targets for s in samples], None, "targets"),
            meta=[s.meta for s in samples],
        )

    def split_full_batches(self, samples: List[Sample]) -> Tuple[List[Sample], List[Sample]]:
        """Batch as many full batches as `samples` hold; return them and the rest."""
        n_full = len(samples) // self.batch_size * self.batch_size
        batches = [self.batch(samples[i : i + self.batch_size]) for i in range(0, n_full, self.batch_size)]
        return batches, samples[n_full:]

    def _batch_tree(self, values: List[Any], key: Optional[str], path: str) -> Any:
        first = values[0]
        if first is None:
            if any(v is not None for v in values):
                raise ValueError(f"cannot batch {path}: it is None in some samples and set in others")
            return None
        if isinstance(first, dict):
            keys = first.keys()
            for v in values:
                if not isinstance(v, dict) or v.keys() != keys:
                    found = sorted(v.keys()) if isinstance(v, dict) else type(v).__name__
                    raise ValueError(f"cannot batch {path}: samples have different keys, {sorted(keys)} and {found}")
            return {k: self._batch_tree([v[k] for v in values], k, f"{path}[{k!r}]") for k in keys}
        arrays = [np.asarray(v) for v in values]
        try:
            return pad_and_stack(
                arrays, self.padding_values.get(key, 0), self.pad_to_multiple, self.variable_axes.get(key)
            )
        except ValueError as e:
            raise ValueError(f"cannot batch {path}: {e}") from e


class Bucketizer:
    """Groups samples by length into buckets and emits a padded batch when a bucket is full.

    Bucket i holds lengths in `[boundaries[i-1], boundaries[i])` (as tf.data's
    `bucket_by_sequence_length`); `batch_sizes` has one entry more than `boundaries`.
    """

    def __init__(
        self,
        boundaries: Sequence[int],
        batch_sizes: Sequence[int],
        length_fn: Callable[[Sample], int],
        batcher: Batcher,
    ):
        if list(boundaries) != sorted(boundaries):
            raise ConfigError(f"bucket_boundaries must be increasing, got {list(boundaries)}")
        if len(batch_sizes) != len(boundaries) + 1:
            raise ConfigError(
                f"bucket_batch_sizes needs len(bucket_boundaries) + 1 = {len(boundaries) + 1} entries, "
                f"got {len(batch_sizes)}"
            )
        self._boundaries = list(boundaries)
        self._batch_sizes = list(batch_sizes)
        self._length_fn = length_fn
        self._batcher = batcher
        self._buckets: Dict[int, List[Sample]] = {i: [] for i in range(len(batch_sizes))}

    def add(self, sample: Sample) -> Optional[Sample]:
        """Add a sample; returns a batch when its bucket became full."""
        bucket_id = bisect.bisect_right(self._boundaries, self._length_fn(sample))
        bucket = self._buckets[bucket_id]
        bucket.append(sample)
        if len(bucket) >= self._batch_sizes[bucket_id]:
            self._buckets[bucket_id] = []
            return self._batcher.batch(bucket)
        return None

    def pending(self) -> List[Sample]:
        """The samples waiting in the buckets, bucket by bucket (adding them again rebuilds the buckets)."""
        return [s for bucket in self._buckets.values() for s in bucket]

    def flush(self) -> List[Sample]:
        """The remaining partial batches (none if the batcher drops remainders)."""
        rest = [b for b in self._buckets.values() if b]
        self._buckets = {i: [] for i in self._buckets}
        if self._batcher.drop_remainder:
            return []
        return [self._batcher.batch(b) for b in rest]
