"""Exports (SavedModel + params + resources, atomic) and TensorboardWriter data."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tfaip.data import ConfigError
from tfaip.model import ScenarioBase, atomic_directory
from tfaip.model.testing.tutorial import TutorialScenario, load_split


@pytest.fixture(scope="module")
def scenario():
    keras.utils.set_random_seed(2)
    scenario = TutorialScenario(TutorialScenario.default_params())
    scenario.root_graph  # builds the weights
    return scenario


def test_export_writes_serving_model_params_and_nothing_else(scenario, tmp_path):
    target = tmp_path / "export"
    scenario.export(str(target))
    assert sorted(os.listdir(target)) == ["deploy.json", "scenario_params.json", "serve"]
    assert os.listdir(tmp_path) == ["export"]  # no temporary directory left behind
    params = json.loads((target / "scenario_params.json").read_text())
    assert params["__cls__"] == "tfaip.model.testing.tutorial:TutorialScenarioParams"
    assert params["model"]["__cls__"] == "tfaip.model.testing.tutorial:TutorialModelParams"
    assert params["scenario_id"] == "tfaip.model.testing.tutorial:TutorialScenario"
    signature = tf.saved_model.load(str(target / "serve")).signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"img"}
    assert set(signature.structured_outputs) == {"pred", "logits", "class"}


def test_export_is_restored_as_scenario_class_and_params(scenario, tmp_path):
    scenario.export(str(tmp_path / "export"))
    scenario_cls, params = ScenarioBase.from_path(str(tmp_path / "export"))
    assert scenario_cls is TutorialScenario
    assert params.model == scenario.params.model
    assert params.data.resource_base_path == str(tmp_path / "export")


def test_export_refuses_a_non_empty_directory_and_leaves_it_untouched(scenario, tmp_path):
    target = tmp_path / "export"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="exists and is not empty"):
        scenario.export(str(target))
    assert os.listdir(target) == ["keep.txt"]
    assert sorted(os.listdir(tmp_path)) == ["export"]


def test_export_overwrite_replaces_the_old_export(scenario, tmp_path):
    target = tmp_path / "export"
    scenario.export(str(target))
    (target / "stale.txt").write_text("old")
    scenario.export(str(target), overwrite=True)
    assert "stale.txt" not in os.listdir(target) and "serve" in os.listdir(target)
    assert os.listdir(tmp_path) == ["export"]


def test_failed_export_leaves_no_directory(tmp_path):
    target = tmp_path / "export"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_directory(str(target)) as tmp:
            (open(os.path.join(tmp, "half.txt"), "w")).close()
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_export_with_trainer_params_also_writes_them(scenario, tmp_path):
    class FakeTrainerParams:
        def to_dict(self):
            return {"epochs": 3, "scenario": {}}

    scenario.export(str(tmp_path / "best"), trainer_params=FakeTrainerParams())
    trainer = json.loads((tmp_path / "best" / "trainer_params.json").read_text())
    assert trainer["epochs"] == 3 and trainer["scenario"]["scenario_id"] == scenario.params.scenario_id


def test_tensorboard_writer_images_land_in_an_event_file(scenario, tmp_path):
    images, labels = load_split(training=False)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        names = scenario.root_graph.write_tensorboard({"img": images[:4]}, {"gt": labels[:4, None]}, step=7)
    writer.flush()
    assert names == ["conv1_maps", "conv2_maps"]
    events = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    events.Reload()
    assert set(events.Tags()["tensors"]) == {"conv1_maps", "conv2_maps"}
    event = events.Tensors("conv1_maps")[0]
    width, height, *pngs = tf.make_ndarray(event.tensor_proto)
    assert event.step == 7 and (int(width), int(height)) == (32, 32) and len(pngs) == 2  # 4x4 tiles of 8x8 maps
    assert tf.io.decode_png(pngs[0]).shape == (32, 32, 1)


def test_tensorboard_values_cost_nothing_outside_write_tensorboard(scenario):
    outputs = scenario.root_graph({"img": np.zeros([1, 8, 8], "uint8")})
    assert set(outputs) == {"pred", "logits", "class"}
