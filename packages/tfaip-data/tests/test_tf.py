import gc
import multiprocessing

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from tfaip.data import DataPipelineParams, PipelineMode, SequentialProcessorPipelineParams  # noqa: E402
from tfaip.data.testing import CountGeneratorParams, Spec, ToArrayParams, ToyData, ToyDataParams  # noqa: E402
from tfaip.data.tf import create_dataset  # noqa: E402


class TFSpecData(ToyData):
    def _input_layer_specs(self):
        return {"x": tf.TensorSpec([None], tf.float32)}

    def _target_layer_specs(self):
        return {"y": Spec([1], "int32")}  # any object with shape and dtype


def params():
    return ToyDataParams(pre_proc=SequentialProcessorPipelineParams(processors=[ToArrayParams()]))


def test_dataset_has_declared_specs_and_padded_batches():
    pipeline = TFSpecData(params()).create_pipeline(
        DataPipelineParams(batch_size=4, num_processes=2), CountGeneratorParams(n=10)
    )
    dataset = create_dataset(pipeline)
    inputs, targets = dataset.element_spec
    assert inputs["x"].shape.as_list() == [None, None] and targets["y"].dtype == tf.int32
    batches = list(dataset.as_numpy_iterator())
    assert [len(b[1]["y"]) for b in batches] == [4, 4, 2]
    assert batches[0][0]["x"][0].tolist() == [0, -1, -1, -1] and batches[0][1]["y"].dtype == np.int32


def test_prediction_mode_yields_inputs_and_stopping_early_stops_workers():
    pipeline = TFSpecData(params()).create_pipeline(
        DataPipelineParams(batch_size=2, num_processes=2, mode=PipelineMode.PREDICTION), CountGeneratorParams(n=1000)
    )
    it = iter(create_dataset(pipeline, prefetch=None))
    first = next(it)
    assert set(first) == {"x"}
    del it
    gc.collect()
    for _ in range(50):
        if not multiprocessing.active_children():
            break
        import time

        time.sleep(0.1)
    assert multiprocessing.active_children() == []


def test_batches_cross_into_tf_data_in_groups_yet_come_out_as_the_pipeline_made_them():
    pipeline = TFSpecData(params()).create_pipeline(
        DataPipelineParams(batch_size=3, num_processes=1), CountGeneratorParams(n=40)
    )
    with pipeline.generate_input_batches() as direct:
        expected = [(b.inputs["x"], b.targets["y"]) for b in direct]
    got = [(i["x"], t["y"]) for i, t in create_dataset(pipeline).as_numpy_iterator()]
    assert len(got) == len(expected) == 14  # 13 full batches and one of 1, padded to different lengths
    assert len({x.shape for x, _ in expected}) > 1
    for (x, y), (ex, ey) in zip(got, expected):
        np.testing.assert_array_equal(x, ex)
        np.testing.assert_array_equal(y, ey)


def test_stacked_groups_keep_the_order_and_stack_only_equal_shapes():
    from tfaip.data.tf import stacked_groups

    elements = [{"a": np.full((2, n), i)} for i, n in enumerate([1, 1, 1, 2, 2, 1])]
    groups = list(stacked_groups(elements, size=2))
    assert [g["a"].shape for g in groups] == [(2, 2, 1), (1, 2, 1), (2, 2, 2), (1, 2, 1)]
    assert np.concatenate([g["a"][:, 0, 0] for g in groups]).tolist() == [0, 1, 2, 3, 4, 5]
