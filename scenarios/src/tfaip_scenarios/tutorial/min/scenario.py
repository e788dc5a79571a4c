"""The Minimal Tutorial scenario: a small CNN classifying handwritten digits (the data is in data.py).

tfaip-train tutorial.min --trainer.epochs 5 --trainer.output_dir model
"""

from dataclasses import dataclass, field

import keras
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import Sample
from tfaip.model import GraphBase, ModelBase, ModelBaseParams, ScenarioBase, ScenarioBaseParams
from tfaip_scenarios.tutorial.min.data import TutorialData, TutorialDataGeneratorParams


@pai_dataclass
@dataclass
class TutorialModelParams(ModelBaseParams):
    """The model's parameters."""

    n_classes: int = field(default=10, metadata=pai_meta(help="The number of classes (depends on the dataset)."))


class TutorialGraph(GraphBase[TutorialModelParams]):
    """Two conv + pool blocks and two dense layers."""

    def __init__(self, params: TutorialModelParams, name="conv", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.conv1 = keras.layers.Conv2D(kernel_size=(2, 2), filters=16, padding="same", name="conv1")
        self.pool1 = keras.layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2), name="pool1")
        self.conv2 = keras.layers.Conv2D(kernel_size=(2, 2), filters=32, padding="same", name="conv2")
        self.pool2 = keras.layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2), name="pool2")
        self.flatten = keras.layers.Flatten()
        self.ff = keras.layers.Dense(128, activation="relu", name="f_ff")
        self.logits = keras.layers.Dense(params.n_classes, name="classify")

    def build_graph(self, inputs, training=None):
        rescaled_img = keras.ops.expand_dims(keras.ops.cast(inputs["img"], "float32") / 255, -1)
        conv_out = self.pool2(self.conv2(self.pool1(self.conv1(rescaled_img))))
        logits = self.logits(self.ff(self.flatten(conv_out)))
        pred = keras.ops.softmax(logits, axis=-1)
        return {"pred": pred, "logits": logits, "class": keras.ops.argmax(pred, axis=-1)}


class TutorialModel(ModelBase[TutorialModelParams]):
    """Cross-entropy loss, accuracy, best model by accuracy."""

    def __init__(self, params: TutorialModelParams):
        super().__init__(params)
        self.scc = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.acc = keras.metrics.Accuracy(name="acc")

    def _loss(self, inputs, targets, outputs):
        return {"loss": self.scc(targets["gt"], outputs["logits"])}

    def _metric(self, inputs, targets, outputs):
        return [self.acc(targets["gt"], outputs["class"])]

    def _best_logging_settings(self):
        return "max", "acc"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        outputs, gt = sample.outputs, sample.targets["gt"][0]
        p = outputs["pred"][outputs["class"]]
        print_fn(f"PRED/GT: {outputs['class']}{'==' if outputs['class'] == gt else '!='}{gt} (p = {p:.3f})")


@pai_dataclass
@dataclass
class TutorialScenarioParams(ScenarioBaseParams[TutorialData, TutorialModelParams]):
    """The tutorial's scenario params (data and model)."""


class TutorialScenario(ScenarioBase[TutorialScenarioParams, TutorialDataGeneratorParams]):
    """The Minimal Tutorial: one generator params for training and validation."""
