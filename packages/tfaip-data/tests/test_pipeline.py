"""Serial and parallel pipelines: same output, order, batching, padding, modes, composition."""

import random

import numpy as np
import pytest

from tfaip.data import (
    ComposedProcessorPipelineParams,
    DataPipelineError,
    DataPipelineParams,
    PipelineMode,
    SequentialProcessorPipelineParams,
)
from tfaip.data.testing import (
    AddParams,
    CountGeneratorParams,
    DropAllParams,
    DropOddParams,
    DuplicateParams,
    NoiseParams,
    NoTargetsGeneratorParams,
    ToArrayParams,
    ToyDataParams,
    batches_of,
    data_params,
    make_sample,
)


def samples_of(params, n=50, **pipeline_kwargs):
    pipeline_kwargs.setdefault("num_processes", 2)
    pipeline = params.create().create_pipeline(DataPipelineParams(**pipeline_kwargs), CountGeneratorParams(n=n))
    with pipeline.generate_input_samples() as samples:
        return list(samples)


def ids(batches):
    return [m["id"] for b in batches for m in b.meta]


@pytest.mark.parametrize("parallel", [False, True])
def test_batches_are_padded_per_key_and_ordered(parallel):
    batches = batches_of(data_params([ToArrayParams(), AddParams(value=1)], parallel), n=20)
    assert [len(b.meta) for b in batches] == [8, 8, 4]
    assert ids(batches) == [f"s{i}" for i in range(20)]
    x = batches[0].inputs["x"]
    assert x.shape == (8, 5) and x.dtype == np.float32
    assert x[0].tolist() == [1.0, -1.0, -1.0, -1.0, -1.0]  # sample 0 has length 1, padded with -1
    assert x[4].tolist() == [5.0, 6.0, 7.0, 8.0, 9.0]
    assert batches[0].targets["y"].shape == (8, 1)


def test_parallel_equals_serial_including_random_processors():
    processors = [ToArrayParams(), NoiseParams()]
    random.seed(7)
    serial = batches_of(data_params(processors, False), n=40)
    random.seed(7)
    parallel = batches_of(data_params(processors, True), n=40, num_processes=3)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.inputs["x"], b.inputs["x"])
    random.seed(8)
    other = batches_of(data_params(processors, True), n=40)
    assert not np.array_equal(other[0].inputs["x"], parallel[0].inputs["x"])


def test_serial_pipeline_keeps_the_callers_random_state():
    def state_after(processors):
        random.seed(1)
        np.random.seed(1)
        batches_of(data_params(processors, False), n=10)
        return random.random(), np.random.rand()

    # the pipeline draws its seeds from the caller's RNG, but the processors' draws do not leak
    assert state_after([ToArrayParams(), NoiseParams()]) == state_after([ToArrayParams()])


def test_serial_run_broken_off_hands_back_the_callers_numpy_state():
    params = data_params([ToArrayParams(), NoiseParams()], False)
    pipeline = params.create().create_pipeline(
        DataPipelineParams(num_processes=2, batch_size=8), CountGeneratorParams(n=40)
    )
    np.random.seed(3)
    expected = np.random.rand()
    np.random.seed(3)
    with pipeline.generate_input_batches() as batches:
        next(iter(batches))  # the processors have drawn from numpy's seeded global generator
    assert np.random.rand() == expected


@pytest.mark.parametrize("parallel", [False, True])
def test_dropped_samples_still_give_full_batches(parallel):
    batches = batches_of(data_params([ToArrayParams(), DropOddParams()], parallel), n=50)
    assert [len(b.meta) for b in batches] == [8, 8, 8, 1]
    assert sorted(ids(batches), key=lambda s: int(s[1:])) == [f"s{i}" for i in range(0, 50, 2)]


@pytest.mark.parametrize("parallel", [False, True])
def test_generating_processor(parallel):
    samples = samples_of(data_params([ToArrayParams(), DuplicateParams(), AddParams()], parallel), n=10)
    assert [s.meta["id"] for s in samples][:4] == ["s0", "s0-copy", "s1", "s1-copy"]
    assert len(samples) == 20
    assert samples[1].inputs["x"].tolist() == [1.0]


def test_processor_modes_filter():
    params = data_params([ToArrayParams(), AddParams(value=100, modes={PipelineMode.TRAINING})])
    train = samples_of(params, n=3, mode=PipelineMode.TRAINING)
    evaluation = samples_of(params, n=3, mode=PipelineMode.EVALUATION)
    assert train[2].inputs["x"].tolist() == [102.0, 103.0, 104.0]
    assert evaluation[2].inputs["x"].tolist() == [2.0, 3.0, 4.0]


def test_invalid_samples_for_the_mode_are_dropped():
    params = data_params([ToArrayParams()], parallel=False)
    pipeline = params.pre_proc.create(DataPipelineParams(mode=PipelineMode.TRAINING), params)
    samples = [make_sample(0), make_sample(1).new_targets(None), make_sample(2)]
    assert [s.meta["id"] for s in pipeline.apply(samples)] == ["s0", "s2"]


@pytest.mark.parametrize("parallel", [False, True])
def test_a_pass_that_drops_every_sample_warns_once_with_mode_and_reason(parallel, caplog):
    data = data_params([ToArrayParams()], parallel).create()
    pipeline = data.create_pipeline(DataPipelineParams(num_processes=2, batch_size=4), NoTargetsGeneratorParams(n=10))
    with caplog.at_level("WARNING", logger="tfaip.data"), pipeline.generate_input_batches() as batches:
        assert list(batches) == []
    assert [r.getMessage() for r in caplog.records] == [
        "The training pipeline yields nothing: all 10 samples were dropped as invalid (10 had no targets). Training "
        "samples need inputs and targets: check the data generator of this mode and the processors that run in it."
    ]
    caplog.clear()
    assert len(samples_of(data_params([ToArrayParams(), DropOddParams()], parallel), n=10)) == 5
    assert not caplog.records  # only some were dropped
    with caplog.at_level("WARNING", logger="tfaip.data"):
        assert samples_of(data_params([ToArrayParams(), DropAllParams()], parallel), n=6) == []
    assert "all 6 samples were dropped as invalid (6 were left with no inputs by DropAll)" in caplog.text


@pytest.mark.parametrize("parallel", [False, True])
def test_an_endless_pipeline_that_drops_a_whole_pass_raises_instead_of_waiting_forever(parallel):
    data = data_params([ToArrayParams()], parallel).create()
    pipeline = data.create_pipeline(DataPipelineParams(num_processes=2, batch_size=4), NoTargetsGeneratorParams(n=10))
    with pipeline.generate_input_batches(auto_repeat=True) as batches:
        with pytest.raises(DataPipelineError, match=r"The training pipeline dropped all 1\d samples of a whole pass"):
            next(batches)


def test_wrong_specs_fail_when_the_pipeline_is_created():
    class ScalarTargets(ToyDataParams().create().__class__):
        def _target_layer_specs(self):
            return {"y": np.zeros(())}  # a scalar: specs need at least one axis

    with pytest.raises(ValueError, match="'y' has a scalar shape"):
        ScalarTargets(ToyDataParams()).create_pipeline(PipelineMode.TRAINING, CountGeneratorParams(n=3))


def test_limit_shuffle_and_unordered():
    params = data_params([ToArrayParams()])
    assert len(samples_of(params, n=100, limit=13)) == 13
    random.seed(3)
    shuffled = [s.meta["id"] for s in samples_of(params, n=60, shuffle_buffer_size=20)]
    random.seed(3)
    again = [s.meta["id"] for s in samples_of(params, n=60, shuffle_buffer_size=20)]
    assert shuffled == again and sorted(shuffled) == sorted(f"s{i}" for i in range(60))
    assert shuffled != [f"s{i}" for i in range(60)]
    unordered = samples_of(params, n=60, ordered=False)
    assert sorted(s.meta["id"] for s in unordered) == sorted(f"s{i}" for i in range(60))


def test_composed_pipeline_runs_serial_then_parallel_stage():
    params = ToyDataParams(
        pre_proc=ComposedProcessorPipelineParams(
            pipelines=[
                SequentialProcessorPipelineParams(run_parallel=False, processors=[ToArrayParams()]),
                SequentialProcessorPipelineParams(run_parallel=True, num_processes=2, processors=[AddParams(value=10)]),
            ]
        )
    )
    batches = batches_of(params, n=20)
    assert ids(batches) == [f"s{i}" for i in range(20)]
    assert batches[0].inputs["x"][1].tolist() == [11.0, 12.0, -1.0, -1.0, -1.0]


def test_standalone_apply_on_samples_and_generator_params():
    params = data_params([ToArrayParams()])
    pipeline = params.pre_proc.create(DataPipelineParams(num_processes=2, limit=5), params)
    from_samples = [s.meta["id"] for s in pipeline.apply([make_sample(i) for i in range(10)])]
    from_generator = [s.meta["id"] for s in pipeline.apply(CountGeneratorParams(n=10))]
    assert from_samples == from_generator == ["s0", "s1", "s2", "s3", "s4"]


def test_workers_are_recycled_after_max_tasks():
    params = data_params([ToArrayParams()], max_tasks_per_process=2)
    assert ids(batches_of(params, n=100, batch_size=4)) == [f"s{i}" for i in range(100)]


def test_bucketing_by_length_and_pad_to_multiple():
    params = data_params([ToArrayParams()])
    batches = batches_of(params, n=40, batch_size=4, bucket_boundaries=[3], bucket_batch_sizes=[4, 2])
    for b in batches:
        lengths = {int((row != -1).sum()) for row in b.inputs["x"]}
        assert lengths <= {1, 2} or lengths <= {3, 4, 5}
    assert sorted(ids(batches)) == sorted(f"s{i}" for i in range(40))
    padded = batches_of(params, n=8, batch_size=8, pad_to_multiple=4)
    assert padded[0].inputs["x"].shape == (8, 8) and padded[0].targets["y"].shape == (8, 1)


def test_drop_remainder_and_auto_repeat():
    params = data_params([ToArrayParams()])
    assert [len(b.meta) for b in batches_of(params, n=20, batch_drop_remainder=True)] == [8, 8]
    pipeline = params.create().create_pipeline(DataPipelineParams(num_processes=2), CountGeneratorParams(n=5))
    with pipeline.generate_input_samples(auto_repeat=True) as samples:
        first = [next(samples).meta["id"] for _ in range(12)]
    assert first == [f"s{i % 5}" for i in range(12)]


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_other_start_methods(start_method):
    params = data_params([ToArrayParams()])
    assert ids(batches_of(params, n=20, start_method=start_method)) == [f"s{i}" for i in range(20)]
