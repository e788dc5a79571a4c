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
