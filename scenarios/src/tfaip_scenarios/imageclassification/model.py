"""The model of imageclassification: convolutions with pooling, dense layers, cross-entropy, accuracy."""

from dataclasses import dataclass, field
from typing import List

import keras
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import Sample
from tfaip.model import GraphBase, ModelBase, ModelBaseParams
from tfaip_scenarios.imageclassification.data import class_name, sentence


@pai_dataclass
@dataclass
class ICModelParams(ModelBaseParams):
    """The layers (`--model.conv_filters 16 32 64 --model.dense 128`); the number of classes comes from the data."""

    conv_filters: List[int] = field(
        default_factory=lambda: [16, 32, 64],
        metadata=pai_meta(help="Filters of each 3x3 convolution (each is pooled)."),
    )
    dense: List[int] = field(default_factory=lambda: [128], metadata=pai_meta(help="Nodes of each dense layer."))
    dropout: float = field(default=0.2, metadata=pai_meta(help="Dropout rate before the dense layers."))
    n_classes: int = field(
        default=0, metadata=pai_meta(help="The number of classes; set from the training data when training starts.")
    )


class ICGraph(GraphBase[ICModelParams]):
    """3x3 convolutions, each followed by 2x2 max pooling, then dropout and dense layers."""

    def __init__(self, params: ICModelParams, name="imageclassification", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.convs = [
            keras.layers.Conv2D(f, (3, 3), padding="same", activation="relu", name=f"conv{i}")
            for i, f in enumerate(params.conv_filters)
        ]
        self.pool = keras.layers.MaxPool2D((2, 2))
        self.flatten = keras.layers.Flatten()
        self.dropout = keras.layers.Dropout(params.dropout)
        self.dense = [keras.layers.Dense(n, activation="relu", name=f"dense{i}") for i, n in enumerate(params.dense)]
        self.logits = keras.layers.Dense(params.n_classes, name="classify")

    def build_graph(self, inputs, training=None):
        x = inputs["img"]
        for conv in self.convs:
            x = self.pool(conv(x))
        x = self.dropout(self.flatten(x), training=training)
        for dense in self.dense:
            x = dense(x)
        logits = self.logits(x)
        pred = keras.ops.softmax(logits, axis=-1)
        return {"logits": logits, "pred": pred, "class": keras.ops.argmax(pred, axis=-1)}


class ICModel(ModelBase[ICModelParams]):
    """Cross-entropy, accuracy `acc` (the best model's)."""

    def __init__(self, params: ICModelParams):
        super().__init__(params)
        self.scc = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.acc = keras.metrics.SparseCategoricalAccuracy(name="acc")

    def _loss(self, inputs, targets, outputs):
        return {"loss": self.scc(targets["gt"], outputs["logits"])}

    def _metric(self, inputs, targets, outputs):
        return [self.acc(targets["gt"], outputs["logits"])]

    def _best_logging_settings(self):
        return "max", "acc"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        name, p = class_name(sample.outputs, data.params.classes)
        gt = "?" if sample.targets is None else data.params.classes[int(sample.targets["gt"][0])]
        print_fn(f"{sample.meta.get('id', '')}: {sentence(name, p)} (GT: {gt})")
