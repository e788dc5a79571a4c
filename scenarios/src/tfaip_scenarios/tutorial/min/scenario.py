"""The Minimal Tutorial scenario: a small CNN classifying handwritten digits.

tfaip-train tutorial.min --trainer.epochs 5 --trainer.output_dir model
"""

from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional

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
    TrainerPipelineParamsBase,
)
from tfaip_scenarios.tutorial.min.datasets import DATASETS, load_split


@pai_dataclass
@dataclass
class TutorialDataParams(DataBaseParams):
    """The data of the tutorial (no parameters beyond the processors)."""

    @staticmethod
    def cls():
        return TutorialData


class TutorialData(DataBase[TutorialDataParams]):
    """A 28x28 uint8 image `img` in, its class `gt` out."""

    def _input_layer_specs(self):
        return {"img": tf.TensorSpec(shape=(28, 28), dtype="uint8")}

    def _target_layer_specs(self):
        return {"gt": tf.TensorSpec(shape=[1], dtype="uint8")}


@pai_dataclass
@dataclass
class TutorialDataGeneratorParams(DataGeneratorParams):
    """Which digits to read."""

    dataset: str = field(
        default="digits",
        metadata=pai_meta(
            help="digits: scikit-learn's bundled handwritten digits scaled to 28x28 (offline); mnist or "
            "fashion_mnist: downloaded through keras.datasets.",
            choices=list(DATASETS),
        ),
    )
    limit_to: int = field(default=-1, metadata=pai_meta(help="Use only the first n samples of the split (-1: all)."))

    @staticmethod
    def cls():
        return TutorialDataGenerator


class TutorialDataGenerator(DataGenerator[TutorialDataGeneratorParams]):
    """The training split in TRAINING mode, the test split otherwise."""

    def __init__(self, mode: PipelineMode, params: TutorialDataGeneratorParams):
        super().__init__(mode, params)
        images, labels = load_split(params.dataset, mode == PipelineMode.TRAINING)
        n = len(images) if params.limit_to < 0 else min(params.limit_to, len(images))
        self.images, self.labels = images[:n], labels[:n]

    def __len__(self):
        return len(self.images)

    def generate(self) -> Iterable[Sample]:
        for i, (image, label) in enumerate(zip(self.images, self.labels)):
            yield Sample(inputs={"img": image}, targets={"gt": np.array([label], "uint8")}, meta={"id": i})


@pai_dataclass
@dataclass
class TutorialTrainerGeneratorParams(
    TrainerPipelineParamsBase[TutorialDataGeneratorParams, TutorialDataGeneratorParams]
):
    """One set of generator params (`--data.*`... flat) for training and validation."""

    train_val: TutorialDataGeneratorParams = field(
        default_factory=TutorialDataGeneratorParams, metadata=pai_meta(mode="flat")
    )

    def train_gen(self) -> TutorialDataGeneratorParams:
        return self.train_val

    def val_gen(self) -> Optional[TutorialDataGeneratorParams]:
        return self.train_val


@pai_dataclass
@dataclass
class TutorialModelParams(ModelBaseParams):
    """The model's parameters."""

    n_classes: int = field(default=10, metadata=pai_meta(help="The number of classes (depends on the dataset)."))

    @staticmethod
    def cls():
        return TutorialModel

    def graph_cls(self):
        return TutorialGraph


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

    def call(self, inputs, **kwargs):
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

    def _loss(self, inputs, targets, outputs) -> Dict:
        return {"loss": self.scc(targets["gt"], outputs["logits"])}

    def _metric(self):
        return {"acc": MetricDefinition("gt", "class", keras.metrics.Accuracy())}

    def _best_logging_settings(self):
        return "max", "acc"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        outputs, targets = sample.outputs, sample.targets
        correct = outputs["class"] == targets["gt"][0]
        p = outputs["pred"][outputs["class"]]
        print_fn(f"PRED/GT: {outputs['class']}{'==' if correct else '!='}{targets['gt'][0]} (p = {p:.3f})")


@pai_dataclass
@dataclass
class TutorialScenarioParams(ScenarioBaseParams[TutorialDataParams, TutorialModelParams]):
    """The tutorial's scenario params (data and model)."""


class TutorialScenario(ScenarioBase[TutorialScenarioParams, TutorialTrainerGeneratorParams]):
    """The Minimal Tutorial."""
