"""The reference "Minimal Tutorial" scenario on the shipped 8x8 UCI digits (test support).

The conv blocks write their feature maps to TensorBoard and the model weighs two losses
(`keras_loss` 0.5, `raw_loss` 2.0) and reports `acc` through a `MetricDefinition`: the tests of
tfaip-model check those paths. `tfaip.model.testing.tutorial` names it for `import_scenario`.
"""

from dataclasses import dataclass, field
from typing import Dict

import keras
import numpy as np
import tensorflow as tf
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import DataBase, DataBaseParams, DataGenerator, DataGeneratorParams, PipelineMode, Sample
from tfaip.model import (
    GraphBase,
    MetricDefinition,
    ModelBase,
    ModelBaseParams,
    ScenarioBase,
    ScenarioBaseParams,
    TensorboardWriter,
    TFAIPLayerBase,
    TrainerPipelineParamsBase,
)
from tfaip.model.testing.digits import load_digits


@pai_dataclass
@dataclass
class TutorialDataParams(DataBaseParams):
    @staticmethod
    def cls():
        return TutorialData


class TutorialData(DataBase[TutorialDataParams]):
    def _input_layer_specs(self):
        return {"img": tf.TensorSpec(shape=(8, 8), dtype="uint8")}

    def _target_layer_specs(self):
        return {"gt": tf.TensorSpec(shape=[1], dtype="uint8")}


@pai_dataclass
@dataclass
class TutorialDataGeneratorParams(DataGeneratorParams):
    limit_to: int = field(default=-1, metadata=pai_meta(help="Use only the first n samples of the split."))

    @staticmethod
    def cls():
        return TutorialDataGenerator


def load_split(training: bool):
    """`(images uint8 [n, 8, 8] of values 0..240, labels uint8 [n])` of the training or the validation split."""
    images, labels = load_digits(training)
    return (images * 15).astype("uint8"), labels.astype("uint8")  # 0..16 -> 0..240


class TutorialDataGenerator(DataGenerator[TutorialDataGeneratorParams]):
    def __init__(self, mode: PipelineMode, params: TutorialDataGeneratorParams):
        super().__init__(mode, params)
        images, labels = load_split(mode == PipelineMode.TRAINING)
        n = len(images) if params.limit_to < 0 else params.limit_to
        self.data = [
            Sample(inputs={"img": img}, targets={"gt": np.array([label], "uint8")}, meta={"id": i})
            for i, (img, label) in enumerate(zip(images[:n], labels[:n]))
        ]

    def __len__(self):
        return len(self.data)

    def generate(self):
        return self.data


@pai_dataclass
@dataclass
class TutorialTrainerGeneratorParams(
    TrainerPipelineParamsBase[TutorialDataGeneratorParams, TutorialDataGeneratorParams]
):
    train_val: TutorialDataGeneratorParams = field(
        default_factory=TutorialDataGeneratorParams, metadata=pai_meta(mode="flat")
    )

    def train_gen(self):
        return self.train_val

    def val_gen(self):
        return self.train_val


@pai_dataclass
@dataclass
class TutorialModelParams(ModelBaseParams):
    n_classes: int = field(default=10, metadata=pai_meta(help="The number of classes"))

    @staticmethod
    def cls():
        return TutorialModel

    def graph_cls(self):
        return TutorialGraph


def write_feature_maps(name: str, value: np.ndarray, step: int):
    """Tile the channels of a conv output into one grey image per sample."""
    b, h, w, c = value.shape
    side = int(np.ceil(np.sqrt(c)))
    tiles = np.zeros([b, h * side, w * side, 1], "float32")
    for i in range(c):
        y, x = divmod(i, side)
        tiles[:, y * h : (y + 1) * h, x * w : (x + 1) * w, 0] = value[:, :, :, i]
    tf.summary.image(name, tiles / max(float(tiles.max()), 1e-6), step=step, max_outputs=2)


class ConvBlock(TFAIPLayerBase):
    def __init__(self, filters: int, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(kernel_size=(2, 2), filters=filters, padding="same", name="conv")
        self.pool = keras.layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2), name="pool")
        self.tb_writer = TensorboardWriter(func=write_feature_maps, dtype="float32", name=f"{self.name}_maps")

    def call(self, inputs):
        conv = self.conv(inputs)
        self.add_tensorboard(self.tb_writer, conv)
        return self.pool(conv)


class TutorialGraph(GraphBase[TutorialModelParams]):
    def __init__(self, params: TutorialModelParams, name="conv", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.conv1 = ConvBlock(16, name="conv1")
        self.conv2 = ConvBlock(32, name="conv2")
        self.flatten = keras.layers.Flatten()
        self.ff = keras.layers.Dense(128, activation="relu", name="f_ff")
        self.logits = keras.layers.Dense(params.n_classes, name="classify")

    def call(self, inputs, **kwargs):
        rescaled_img = keras.ops.expand_dims(keras.ops.cast(inputs["img"], "float32") / 255, -1)
        logits = self.logits(self.ff(self.flatten(self.conv2(self.conv1(rescaled_img)))))
        pred = keras.ops.softmax(logits, axis=-1)
        return {"pred": pred, "logits": logits, "class": keras.ops.argmax(pred, axis=-1)}


class TutorialModel(ModelBase[TutorialModelParams]):
    def __init__(self, params: TutorialModelParams):
        super().__init__(params)
        self.scc_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, name="keras_loss")

    def _loss(self, inputs, targets, outputs) -> Dict:
        return {
            "keras_loss": self.scc_loss(targets["gt"], outputs["logits"]),
            "raw_loss": keras.losses.sparse_categorical_crossentropy(
                targets["gt"], outputs["logits"], from_logits=True
            ),
        }

    def _loss_weights(self):
        return {"keras_loss": 0.5, "raw_loss": 2.0}

    def _metric(self):
        return {"acc": MetricDefinition("gt", "logits", keras.metrics.SparseCategoricalAccuracy())}

    def _best_logging_settings(self):
        return "max", "acc"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        outputs, targets = sample.outputs, sample.targets
        correct = outputs["class"] == targets["gt"][0]
        print_fn(f"PRED/GT: {outputs['class']}{'==' if correct else '!='}{targets['gt'][0]}")


@pai_dataclass
@dataclass
class TutorialScenarioParams(ScenarioBaseParams[TutorialDataParams, TutorialModelParams]):
    pass


class TutorialScenario(ScenarioBase[TutorialScenarioParams, TutorialTrainerGeneratorParams]):
    pass
