"""DataPipeline.state_dict / load_state_dict: a run continued from a saved state returns exactly what it would have."""

import pickle
import random

import numpy as np
import pytest

from tfaip.data import (
    BatchPositions,
    ConfigError,
    DataPipelineError,
    DataPipelineParams,
)
from tfaip.data.processor.pipeline_params import ComposedProcessorPipelineParams
from tfaip.data.testing.toy import (
    READ,
    TRAINING,
    CountGeneratorParams,
    DuplicateParams,
    IndexedGeneratorParams,
    NoiseParams,
    ToArrayParams,
    data_params,
)

# random augmentation and a generating processor, in worker processes
PROCESSORS = [ToArrayParams(), NoiseParams(), DuplicateParams(modes={TRAINING})]


def _pipeline(generator=None, parallel=True, **pipeline_kwargs):
    pipeline_kwargs = {
        "mode": TRAINING,
        "batch_size": 4,
        "num_processes": 2,
        "shuffle_buffer_size": 7,
        **pipeline_kwargs,
    }
    data = data_params(PROCESSORS, parallel=parallel).create()
    return data.create_pipeline(DataPipelineParams(**pipeline_kwargs), generator or CountGeneratorParams(n=23))


def _take(pipeline, n, samples=False):
    """n batches (or samples) of a repeated run, and the state after them."""
    run = pipeline.generate_input_samples if samples else pipeline.generate_input_batches
    with run(auto_repeat=True) as items:
        taken = [next(items) for _ in range(n)]
        return taken, pipeline.state_dict()


def _same(a, b) -> bool:
    return a.meta == b.meta and all(
        np.array_equal(a.inputs[k], b.inputs[k]) for k in a.inputs
    ) and np.array_equal(a.targets["y"], b.targets["y"])  # fmt: skip


@pytest.mark.parametrize("bucketing", [False, True])
def test_a_resumed_run_continues_exactly_also_across_passes(bucketing):
    kwargs = {"bucket_boundaries": [3, 5], "bucket_batch_sizes": [4, 3, 2]} if bucketing else {}
    random.seed(7)
    straight, _ = _take(_pipeline(**kwargs), 40)  # 23 samples, doubled: about 3 passes
    for k in (0, 1, 5, 11, 17):
        random.seed(7)
        first, state = _take(_pipeline(**kwargs), k)
        resumed = _pipeline(**kwargs)
        resumed.load_state_dict(pickle.loads(pickle.dumps(state)))  # as a checkpoint stores it
        rest, _ = _take(resumed, 40 - k)
        assert all(_same(a, b) for a, b in zip(first + rest, straight)), k
    ids = [m["id"] for b in straight for m in b.meta]
    assert len(set(ids)) == 46 and ids[:46] != sorted(ids[:46])  # two passes shuffled, each sample and its copy


def test_the_position_does_not_depend_on_workers():
    random.seed(3)
    parallel, state = _take(_pipeline(), 9)
    random.seed(3)
    serial, serial_state = _take(_pipeline(parallel=False), 9)
    assert all(_same(a, b) for a, b in zip(parallel, serial))
    assert {k: v for k, v in state.items() if k != "carried"} == {
        k: v for k, v in serial_state.items() if k != "carried"
    }


def test_samples_resume_too():
    random.seed(1)
    straight, _ = _take(_pipeline(), 30, samples=True)
    random.seed(1)
    first, state = _take(_pipeline(), 13, samples=True)
    resumed = _pipeline()
    resumed.load_state_dict(state)
    rest, _ = _take(resumed, 17, samples=True)
    assert all(_same(a, b) for a, b in zip(first + rest, straight))


def test_random_access_skips_without_reading_the_samples_before_the_position():
    random.seed(5)
    straight, _ = _take(_pipeline(IndexedGeneratorParams(), shuffle_buffer_size=1), 15)
    random.seed(5)
    first, state = _take(_pipeline(IndexedGeneratorParams(), shuffle_buffer_size=1), 6)
    assert state["start"][0] == 0 and state["start"][1] > 0  # in the first pass, past its start
    resumed = _pipeline(IndexedGeneratorParams(), shuffle_buffer_size=1)
    resumed.load_state_dict(state)
    READ.clear()
    rest, _ = _take(resumed, 9)
    assert all(_same(a, b) for a, b in zip(first + rest, straight))
    start = state["start"][1]
    resumed_pass = READ[: 40 - start]  # the rest of the first pass (later ones start at 0)
    assert resumed_pass == list(range(start, start + len(resumed_pass)))  # nothing before the cut's chunk read again


def test_a_state_is_refused_when_it_cannot_be_one():
    pipeline = _pipeline()
    with pytest.raises(DataPipelineError, match="has not run yet"):
        pipeline.state_dict()
    with pytest.raises(ConfigError, match="Not a state of a tfaip data pipeline"):
        pipeline.load_state_dict({"epoch": 3})
    composed = data_params(PROCESSORS).create()
    second = data_params([NoiseParams()]).pre_proc
    composed.params.pre_proc = ComposedProcessorPipelineParams(pipelines=[composed.params.pre_proc, second])
    pipeline = composed.create_pipeline(DataPipelineParams(mode=TRAINING, batch_size=4), CountGeneratorParams(n=9))
    with pytest.raises(DataPipelineError, match="only a pipeline of one stage"):
        _take(pipeline, 2)


def test_batch_positions_give_the_position_after_the_batches_a_consumer_used_though_it_ran_ahead():
    random.seed(5)
    straight, _ = _take(_pipeline(), 20)
    random.seed(5)
    pipeline = _pipeline()
    positions = BatchPositions(pipeline, auto_repeat=True)
    run = positions.batches()
    ahead = [next(run) for _ in range(12)]  # fetched ahead (a prefetching consumer) ...
    positions.used(7)  # ... of what it used
    state = positions.state_dict()
    run.close()
    resumed = _pipeline()
    resumed.load_state_dict(state)
    rest, _ = _take(resumed, 13)
    assert all(_same(a, b) for a, b in zip(ahead[:7] + rest, straight))
    with pytest.raises(DataPipelineError, match="cannot have used 3 batches"):
        positions.used(3)  # behind what it reported before
    again = positions.batches()  # a restarted consumer sees the same batches
    assert _same(next(again), straight[0])
    again.close()
    positions.used(0)
    assert positions.state_dict()["taken"] == 0 and positions.state_dict()["chunk"] == 0
