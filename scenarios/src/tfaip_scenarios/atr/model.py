"""The model of ATR: convolutions and pooling, a bidirectional LSTM, CTC loss and greedy decoding, CER."""

from dataclasses import dataclass, field
from typing import List

import keras
import tensorflow as tf
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import Sample
from tfaip.model import GraphBase, ModelBase, ModelBaseParams


@pai_dataclass
@dataclass
class ATRModelParams(ModelBaseParams):
    """`--model.conv_filters 32 64 --model.lstm_units 128`; `classes` is set from the codec."""

    conv_filters: List[int] = field(
        default_factory=lambda: [32, 64],
        metadata=pai_meta(help="Filters of each 3x3 convolution; each is followed by 2x2 max pooling."),
    )
    lstm_units: int = field(default=128, metadata=pai_meta(help="Units of each direction of the bidirectional LSTM."))
    dropout: float = field(default=0.1, metadata=pai_meta(help="Dropout before the output layer."))
    classes: int = field(
        default=0, metadata=pai_meta(mode="ignore", help="The codec's characters + 1 (the blank, the last class).")
    )


class ATRGraph(GraphBase[ATRModelParams]):
    """[B, H, W] images -> per-column logits [B, W / 2^n, classes], their lengths and the greedy decoding."""

    def __init__(self, params: ATRModelParams, name="atr", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.convs = [
            keras.layers.Conv2D(f, (3, 3), padding="same", use_bias=False, name=f"conv{i}")
            for i, f in enumerate(params.conv_filters)
        ]
        self.norms = [keras.layers.BatchNormalization(name=f"norm{i}") for i in range(len(params.conv_filters))]
        self.pools = [keras.layers.MaxPool2D((2, 2), name=f"pool{i}") for i in range(len(params.conv_filters))]
        self.lstm = keras.layers.Bidirectional(
            keras.layers.LSTM(params.lstm_units, return_sequences=True), name="bilstm"
        )
        self.dropout = keras.layers.Dropout(params.dropout)
        self.logits = keras.layers.Dense(params.classes, name="logits")

    def build_graph(self, inputs, training=None):
        x = keras.ops.expand_dims(inputs["img"], -1)  # [B, H, W, 1]
        length = keras.ops.reshape(keras.ops.cast(inputs["img_len"], "int32"), [-1])
        for conv, norm, pool in zip(self.convs, self.norms, self.pools):
            x = pool(keras.ops.relu(norm(conv(x), training=training)))
            length = length // 2
        x = keras.ops.transpose(x, [0, 2, 1, 3])  # [B, W', H', C]: a time step per column
        shape = keras.ops.shape(x)
        x = keras.ops.reshape(x, [shape[0], shape[1], x.shape[2] * x.shape[3]])
        length = keras.ops.maximum(keras.ops.minimum(length, shape[1]), 1)
        mask = keras.ops.arange(shape[1])[None, :] < length[:, None]
        x = self.lstm(x, mask=mask, training=training)
        logits = self.logits(self.dropout(x, training=training))
        blank = self.params.classes - 1
        decoded, _ = keras.ops.ctc_decode(logits, length, strategy="greedy", mask_index=blank)
        return {"logits": logits, "logits_len": length, "decoded": keras.ops.cast(decoded[0], "int32")}


def edit_distances(decoded, gt, gt_len):
    """Levenshtein distance of each decoded row (padded with -1) to its ground truth (first gt_len entries)."""
    gt_len = tf.reshape(tf.cast(gt_len, "int64"), [-1])
    truth = tf.sparse.from_dense(tf.where(tf.sequence_mask(gt_len, tf.shape(gt)[1]), tf.cast(gt, "int64") + 1, 0))
    hyp = tf.sparse.from_dense(tf.cast(decoded, "int64") + 1)  # the padding -1 becomes 0: no entry
    return tf.edit_distance(hyp, truth, normalize=False), tf.cast(gt_len, "float32")


def ctc_loss(gt, gt_len, logits, logits_len):
    """The CTC loss of each line; the blank is the last class.

    The labels go in as a SparseTensor: TensorFlow then runs its C++ CTC kernel, about 25 % faster
    per training step on CPU than the dense-label path that `keras.ops.ctc_loss` takes.
    """
    gt_len = tf.reshape(tf.cast(gt_len, "int32"), [-1])
    gt = tf.cast(gt, "int32")
    indices = tf.where(tf.sequence_mask(gt_len, tf.shape(gt)[1]))
    labels = tf.SparseTensor(indices, tf.gather_nd(gt, indices), tf.shape(gt, out_type="int64"))
    return tf.nn.ctc_loss(labels, logits, None, logits_len, logits_time_major=False, blank_index=-1)


class CharacterErrorRate(keras.metrics.Metric):
    """The edit distance of all lines over the characters of their ground truth (not a mean of per-line rates)."""

    def __init__(self, name="CER", **kwargs):
        super().__init__(name=name, **kwargs)
        self.errors = self.add_variable(shape=(), initializer="zeros", name="errors")
        self.chars = self.add_variable(shape=(), initializer="zeros", name="chars")

    def update_state(self, targets, decoded, sample_weight=None):
        errors, chars = edit_distances(decoded, targets["gt"], targets["gt_len"])
        self.errors.assign_add(tf.reduce_sum(errors))
        self.chars.assign_add(tf.reduce_sum(chars))

    def result(self):
        return self.errors / keras.ops.maximum(self.chars, 1.0)


class ATRModel(ModelBase[ATRModelParams]):
    """CTC loss; the CER selects the best model (`min`)."""

    def __init__(self, params: ATRModelParams):
        super().__init__(params)
        self.cer = CharacterErrorRate(name="CER")

    def _loss(self, inputs, targets, outputs):
        return {"ctc": ctc_loss(targets["gt"], targets["gt_len"], outputs["logits"], outputs["logits_len"])}

    def _metric(self, inputs, targets, outputs):
        return [self.cer(targets, outputs["decoded"])]

    def _best_logging_settings(self):
        return "min", "CER"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        gt = "?" if sample.targets is None else sample.targets.get("sentence", "?")
        print_fn(f"PRED: '{sample.outputs['sentence']}'")
        print_fn(f"GT:   '{gt}'")
