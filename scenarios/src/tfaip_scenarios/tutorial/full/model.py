"""The model of the Full Tutorial: a static graph around the chosen layer, two weighted losses, three metrics."""

from dataclasses import dataclass, field

import keras
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import Sample
from tfaip.model import GraphBase, ModelBase, ModelBaseParams
from tfaip_scenarios.tutorial.full.graphs import ConvGraphParams, GraphParams, MLPGraphParams


@pai_dataclass
@dataclass
class TutorialModelParams(ModelBaseParams):
    """The number of classes and the graph (`--model.graph MLP --model.graph.nodes 200 100 50`)."""

    n_classes: int = field(default=10, metadata=pai_meta(help="The number of classes (depends on the dataset)."))
    graph: GraphParams = field(
        default_factory=MLPGraphParams,
        metadata=pai_meta(choices=[MLPGraphParams, ConvGraphParams], help="The graph: MLP or CNN."),
    )


class TutorialGraph(GraphBase[TutorialModelParams]):
    """The static part: the image gets a channel axis, the chosen layer runs, a dense layer classifies."""

    def __init__(self, params: TutorialModelParams, name="tutorial", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.layer = params.graph.cls()(params.graph, name="graph")
        self.logits = keras.layers.Dense(params.n_classes, name="classify")

    def build_graph(self, inputs, training=None):
        logits = self.logits(self.layer(keras.ops.expand_dims(inputs["img"], -1), training=training))
        pred = keras.ops.softmax(logits, axis=-1)
        return {"logits": logits, "pred": pred, "class": keras.ops.argmax(pred, axis=-1)}


class SimpleAccuracy(keras.metrics.Mean):
    """A metric class of one's own: the mean of `class == gt` (a keras `Mean` over per-sample hits)."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        gt = keras.ops.cast(keras.ops.reshape(y_true, [-1]), "int64")
        hits = keras.ops.cast(keras.ops.equal(gt, keras.ops.cast(y_pred, "int64")), "float32")
        return super().update_state(hits, sample_weight=sample_weight)


class TutorialModel(ModelBase[TutorialModelParams]):
    """A keras loss and a raw one, weighted 0.5 each; `acc` (best model), `simple_acc`, `raw_acc`."""

    def __init__(self, params: TutorialModelParams):
        super().__init__(params)
        self.scc = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.acc = keras.metrics.Accuracy(name="acc")
        self.simple_acc = SimpleAccuracy(name="simple_acc")
        self.raw_acc = keras.metrics.Mean(name="raw_acc")

    def _loss(self, inputs, targets, outputs):
        gt = keras.ops.cast(targets["gt"], "int32")
        p_gt = keras.ops.take_along_axis(outputs["pred"], gt, axis=-1)
        return {
            "keras_loss": self.scc(targets["gt"], outputs["logits"]),
            "raw_loss": -keras.ops.log(p_gt + 1e-7),  # per sample: averaged for you
        }

    def _loss_weights(self):
        return {"keras_loss": 0.5, "raw_loss": 0.5}

    def _metric(self, inputs, targets, outputs):
        hits = keras.ops.equal(keras.ops.cast(targets["gt"][:, 0], "int64"), keras.ops.cast(outputs["class"], "int64"))
        return [
            self.acc(targets["gt"], outputs["class"]),
            self.simple_acc(targets["gt"], outputs["class"]),
            self.raw_acc(keras.ops.cast(hits, "float32")),
        ]

    def _best_logging_settings(self):
        return "max", "acc"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        outputs = sample.outputs
        gt = "?" if sample.targets is None else sample.targets["gt"][0]
        print_fn(f"PRED/GT: {outputs['class']}/{gt} (p = {outputs['pred'][outputs['class']]:.3f})")
