"""The test tutorial with all that makes an exact resume hard: random augmentation, dropout (and EMA by flag).

`Jitter` adds random noise to each training image in the pipeline's worker processes (through
numpy's global generator, which the pipeline seeds per chunk); the graph drops out a share of
its dense layer (keras' seed generator, a variable of the model).
"""

from dataclasses import dataclass, field

import keras
import numpy as np
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import DataProcessorParams, MappingDataProcessor, PipelineMode, SequentialProcessorPipelineParams
from tfaip.model import GraphBase, ScenarioBase, ScenarioBaseParams
from tfaip.train.testing import tutorial


@pai_dataclass
@dataclass
class JitterParams(DataProcessorParams):
    amount: int = field(default=40, metadata=pai_meta(help="Largest change of a pixel."))


class Jitter(MappingDataProcessor[JitterParams]):
    """Random noise on the image."""

    def apply(self, sample):
        noise = np.random.randint(-self.params.amount, self.params.amount + 1, sample.inputs["img"].shape)
        return sample.new_inputs({"img": np.clip(sample.inputs["img"] + noise, 0, 255).astype("uint8")})


class JitteredData(tutorial.TutorialData):
    """The tutorial's digits, jittered in training."""

    @classmethod
    def default_params(cls):
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(processors=[JitterParams(modes={PipelineMode.TRAINING})])
        return params


@pai_dataclass
@dataclass
class DropoutModelParams(tutorial.TutorialModelParams):
    dropout: float = field(default=0.3, metadata=pai_meta(help="Dropout rate after the dense layer."))


class DropoutGraph(GraphBase[DropoutModelParams]):
    """The tutorial's graph with dropout after its dense layer."""

    def __init__(self, params: DropoutModelParams, name="conv", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.conv = keras.layers.Conv2D(kernel_size=(2, 2), filters=8, padding="same", name="conv1")
        self.pool = keras.layers.MaxPool2D(pool_size=(4, 4), name="pool1")
        self.flatten = keras.layers.Flatten()
        self.ff = keras.layers.Dense(64, activation="relu", name="f_ff")
        self.dropout = keras.layers.Dropout(params.dropout)
        self.logits = keras.layers.Dense(params.n_classes, name="classify")

    def build_graph(self, inputs, training=None):
        image = keras.ops.expand_dims(keras.ops.cast(inputs["img"], "float32") / 255, -1)
        features = self.dropout(self.ff(self.flatten(self.pool(self.conv(image)))), training=training)
        logits = self.logits(features)
        pred = keras.ops.softmax(logits, axis=-1)
        return {"pred": pred, "logits": logits, "class": keras.ops.argmax(pred, axis=-1)}


@pai_dataclass
@dataclass
class JitteredScenarioParams(ScenarioBaseParams[JitteredData, DropoutModelParams]):
    pass


class JitteredScenario(ScenarioBase[JitteredScenarioParams, tutorial.TutorialDataGeneratorParams]):
    """The test tutorial, jittered and with dropout."""
