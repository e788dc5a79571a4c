import numpy as np
import pytest

from tfaip.data import Batcher, Sample, pad_and_stack
from tfaip.data.batching import Bucketizer


def test_pad_and_stack_pads_every_variable_axis():
    out = pad_and_stack([np.ones((2, 3)), np.ones((4, 1))], padding_value=7)
    assert out.shape == (2, 4, 3)
    assert out[0, 2:].tolist() == [[7, 7, 7]] * 2 and out[1, :, 1:].tolist() == [[7, 7]] * 4


def test_pad_to_multiple_only_on_variable_axes():
    arrays = [np.zeros((3, 28)), np.zeros((5, 28))]
    assert pad_and_stack(arrays, pad_to_multiple=8).shape == (2, 8, 28)
    declared = pad_and_stack([np.zeros((3, 28))] * 2, pad_to_multiple=8, variable_axes=(True, False))
    assert declared.shape == (2, 8, 28)


def test_equal_shapes_are_stacked_and_ranks_must_match():
    assert pad_and_stack([np.arange(3), np.arange(3)]).tolist() == [[0, 1, 2], [0, 1, 2]]
    with pytest.raises(ValueError, match="different ranks"):
        pad_and_stack([np.zeros(3), np.zeros((3, 1))])


def test_batcher_nested_dicts_meta_and_key_errors():
    batcher = Batcher(2, padding_values={"a": -1})
    batch = batcher.batch(
        [
            Sample(inputs={"a": np.arange(1), "n": {"b": [1, 2]}}, meta={"id": 0}),
            Sample(inputs={"a": np.arange(2), "n": {"b": [3]}}, meta={"id": 1}),
        ]
    )
    assert batch.inputs["a"].tolist() == [[0, -1], [0, 1]]
    assert batch.inputs["n"]["b"].tolist() == [[1, 2], [3, 0]]
    assert batch.meta == [{"id": 0}, {"id": 1}] and batch.targets is None
    with pytest.raises(ValueError, match=r"cannot batch inputs: samples have different keys"):
        batcher.batch([Sample(inputs={"a": 1}), Sample(inputs={"b": 1})])


def test_bucketizer_emits_full_buckets_and_flushes():
    batcher = Batcher(2)
    buckets = Bucketizer([3], [2, 3], lambda s: len(s.inputs), batcher)
    emitted = [buckets.add(Sample(inputs=np.zeros(n))) for n in (1, 5, 2, 6, 7)]
    assert [b is not None for b in emitted] == [False, False, True, False, True]
    assert emitted[2].inputs.shape == (2, 2) and emitted[4].inputs.shape == (3, 7)
    assert buckets.flush() == []
    with pytest.raises(ValueError, match="needs len"):
        Bucketizer([3], [2], len, batcher)
