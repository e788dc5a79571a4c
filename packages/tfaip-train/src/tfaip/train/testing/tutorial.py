"""The Minimal Tutorial as the tfaip-train tests train it: a small CNN on 28x28 digits (test support).

The shape of `tfaip_scenarios.tutorial.min` (graph `conv` with layers `conv1`, `pool1`, `conv2`,
`pool2`, `f_ff`, `classify`; loss `loss`, metric `acc`; one generator `--train_val.*` for
training and validation), written the short way (no `cls()`, no data params class), and kept
here so that the tests of tfaip-train need neither the scenarios package nor scikit-learn and
do not change when the tutorial does. The digits are `tfaip.model.testing`'s, upscaled to
MNIST's 28x28 layout. `tfaip.train.testing.tutorial` names it for `import_scenario`; the
scenarios written the original way (explicit `cls()`) are `tfaip.model.testing`'s.
"""

from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import DataBase, DataGenerator, DataGeneratorParams, PipelineMode, Sample
from tfaip.model import GraphBase, ModelBase, ModelBaseParams, ScenarioBase, ScenarioBaseParams
from tfaip.model.testing import load_digits, upscale_digits


def load_split(training: bool):
    """`(images uint8 [n, 28, 28], labels uint8 [n])` of the training (1,500) or the validation (297) digits."""
    images, labels = load_digits(training)
    return upscale_digits(images), labels.astype("uint8")


class TutorialData(DataBase):
    """A 28x28 uint8 image `img` in, its class `gt` out."""

    def _input_layer_specs(self):
        return {"img": tf.TensorSpec(shape=(28, 28), dtype="uint8")}

    def _target_layer_specs(self):
        return {"gt": tf.TensorSpec(shape=[1], dtype="uint8")}


@pai_dataclass
@dataclass
class TutorialDataGeneratorParams(DataGeneratorParams):
    limit_to: int = field(default=-1, metadata=pai_meta(help="Use only the first n samples of the split (-1: all)."))


class TutorialDataGenerator(DataGenerator[TutorialDataGeneratorParams]):
    """The training split in TRAINING mode, the validation split otherwise."""

    def __init__(self, mode: PipelineMode, params: TutorialDataGeneratorParams):
        super().__init__(mode, params)
        images, labels = load_split(mode == PipelineMode.TRAINING)
        n = len(images) if params.limit_to < 0 else min(params.limit_to, len(images))
        self.images, self.labels = images[:n], labels[:n]

    def __len__(self):
        return len(self.images)

    def generate(self):
        for i, (image, label) in enumerate(zip(self.images, self.labels)):
            yield Sample(inputs={"img": image}, targets={"gt": np.array([label], "uint8")}, meta={"id": i})


@pai_dataclass
@dataclass
class TutorialModelParams(ModelBaseParams):
    n_classes: int = field(default=10, metadata=pai_meta(help="The number of classes."))


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
        print_fn(f"PRED/GT: {outputs['class']}{'==' if outputs['class'] == gt else '!='}{gt}")


@pai_dataclass
@dataclass
class TutorialScenarioParams(ScenarioBaseParams[TutorialData, TutorialModelParams]):
    pass


class TutorialScenario(ScenarioBase[TutorialScenarioParams, TutorialDataGeneratorParams]):
    """The Minimal Tutorial of the tfaip-train tests."""
