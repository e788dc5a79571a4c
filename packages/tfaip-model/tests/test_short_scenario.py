"""A scenario written the short way: no cls(), data without params, one generator for train and val."""

import json
from dataclasses import dataclass, field

import keras
import numpy as np
import pytest
import tensorflow as tf
from paiargparse import PAIArgumentParser, pai_dataclass

from tfaip.data import DataBase, DataBaseParams, DataGenerator, DataGeneratorParams, PipelineMode, Sample
from tfaip.data.tf import create_dataset
from tfaip.model import (
    GraphBase,
    ModelBase,
    ModelBaseParams,
    ScenarioBase,
    ScenarioBaseParams,
    TrainValPipelineParams,
)


class ShortData(DataBase):
    def _input_layer_specs(self):
        return {"x": tf.TensorSpec([4], "float32")}

    def _target_layer_specs(self):
        return {"y": tf.TensorSpec([1], "int32")}


@pai_dataclass
@dataclass
class ShortGeneratorParams(DataGeneratorParams):
    n: int = 64


class ShortGenerator(DataGenerator[ShortGeneratorParams]):
    def __len__(self):
        return self.params.n

    def generate(self):
        rng = np.random.default_rng(0 if self.mode == PipelineMode.TRAINING else 1)
        for x in rng.normal(size=(self.params.n, 4)).astype("float32"):
            yield Sample(inputs={"x": x}, targets={"y": np.array([int(x.sum() > 0)], "int32")})


@pai_dataclass
@dataclass
class ShortModelParams(ModelBaseParams):
    units: int = field(default=8)


class ShortGraph(GraphBase[ShortModelParams]):
    def __init__(self, params, name="short", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.hidden = keras.layers.Dense(params.units, activation="relu")
        self.logits = keras.layers.Dense(2)

    def build_graph(self, inputs, training=None):
        logits = self.logits(self.hidden(inputs["x"]))
        return {"logits": logits, "class": keras.ops.argmax(logits, axis=-1)}


class ShortModel(ModelBase[ShortModelParams]):
    def __init__(self, params):
        super().__init__(params)
        self.scc = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.acc = keras.metrics.Accuracy(name="acc")

    def _loss(self, inputs, targets, outputs):
        return {"loss": self.scc(targets["y"], outputs["logits"])}

    def _metric(self, inputs, targets, outputs):
        return [self.acc(targets["y"], outputs["class"])]


@pai_dataclass
@dataclass
class ShortScenarioParams(ScenarioBaseParams[ShortData, ShortModelParams]):
    pass


class ShortScenario(ScenarioBase[ShortScenarioParams, ShortGeneratorParams]):
    pass


def test_the_classes_come_from_the_generics():
    assert ShortModelParams.cls() is ShortModel and ShortModelParams().graph_cls() is ShortGraph
    assert ShortGeneratorParams.cls() is ShortGenerator
    assert ShortScenario.data_cls() is ShortData and ShortScenario.model_cls() is ShortModel
    assert ShortScenarioParams.data_cls() is DataBaseParams and ShortScenarioParams.model_cls() is ShortModelParams
    assert ShortScenario.trainer_pipeline_params_cls() is TrainValPipelineParams
    assert ShortScenario.predict_generator_params_cls() is ShortGeneratorParams
    gen = ShortScenario.default_trainer_pipeline_params()
    assert type(gen.train_val) is ShortGeneratorParams and gen.train_gen() is gen.val_gen()


def test_params_round_trip_and_flags():
    params = ShortScenario.default_params()
    restored = ScenarioBaseParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert type(restored) is ShortScenarioParams and type(restored.data) is DataBaseParams
    assert type(restored.create().data) is ShortData

    gen = ShortScenario.default_trainer_pipeline_params()
    restored_gen = TrainValPipelineParams.from_dict(json.loads(json.dumps(gen.to_dict())))
    assert type(restored_gen.train_val) is ShortGeneratorParams

    parser = PAIArgumentParser()
    parser.add_root_argument("gen", TrainValPipelineParams, default=gen, flat=True)
    assert parser.parse_args(["--train_val.n", "7"]).gen.train_val.n == 7


def test_the_short_scenario_trains():
    keras.utils.set_random_seed(7)
    scenario = ShortScenario(ShortScenario.default_params())
    gen = ShortScenario.default_trainer_pipeline_params()
    gen.setup.train.num_processes = gen.setup.val.num_processes = 0
    gen.train_val.n = 512
    root = scenario.root_graph
    root.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = root.fit(
        create_dataset(gen.train_data(scenario.data)),
        validation_data=create_dataset(gen.val_data(scenario.data)),
        epochs=5,
        verbose=0,
    )
    assert history.history["val_acc"][-1] > 0.8


def test_a_model_without_params_class_needs_a_graph():
    class Bare(ModelBase):
        pass

    with pytest.raises(NotImplementedError, match="graph_cls"):
        Bare(ModelBaseParams()).create_graph(ModelBaseParams())
