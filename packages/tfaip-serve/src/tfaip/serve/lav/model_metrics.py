"""The model's own losses and metrics (`_loss`, `_metric`) on the batches LAV predicts."""

from typing import Any, Callable, Dict, List, Optional, Tuple

import keras
import numpy as np
import tensorflow as tf

from tfaip.data import DataBase
from tfaip.data.tf import batched_specs
from tfaip.model import ModelBase

PerSample = Dict[str, np.ndarray]


class ModelMetrics:
    """Accumulates `ModelBase` losses (batch-size weighted means) and keras metrics over LAV batches.

    The losses are evaluated on the prediction graph's outputs; `loss` is their weighted sum
    (regularisation terms live in the graph, which an export does not run separately).

    Args:
        model: the ModelBase whose `_loss` and `_metric` to evaluate.
        data: the DataBase (its specs type the inputs and targets).
        run_eagerly: evaluate eagerly instead of through one traced tf.function.
    """

    def __init__(self, model: ModelBase, data: DataBase, run_eagerly: bool = False):
        self.model_base = model
        self.input_specs = batched_specs(data.input_layer_specs())
        self.target_specs = batched_specs(data.target_layer_specs())
        self.definitions = model.metric_definitions()
        self.metrics: List[keras.metrics.Metric] = model.all_metrics(self.definitions)
        self.run_eagerly = run_eagerly
        self._step: Optional[Any] = None
        self._fused: Optional[Any] = None  # the model, its losses and metrics in one traced call
        self._loss_weights: Optional[Dict[str, float]] = None
        self._sums: Dict[str, float] = {}
        self._count = 0

    def reset(self) -> None:
        """Forget everything accumulated (start of a LAV run)."""
        for metric in self.metrics:
            metric.reset_state()
        self._sums, self._count = {}, 0

    def _evaluate(self, inputs, targets, outputs) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        losses = self.model_base.unreduced_loss(inputs, targets, outputs)
        self.model_base.update_metrics(inputs, targets, outputs, self.definitions)
        means = {name: keras.ops.mean(value) for name, value in losses.items()}
        per_sample = {
            name: keras.ops.mean(keras.ops.reshape(value, (keras.ops.shape(value)[0], -1)), axis=1)
            for name, value in losses.items()
            if len(value.shape) >= 1
        }
        return means, per_sample

    def _traced(self, outputs: Dict[str, np.ndarray]):
        output_specs = {k: tf.TensorSpec([None] * v.ndim, _tf_dtype(v.dtype), name=k) for k, v in outputs.items()}
        return tf.function(self._evaluate, input_signature=[self.input_specs, self.target_specs, output_specs])

    def update(self, inputs: Dict[str, Any], targets: Dict[str, Any], outputs: Dict[str, np.ndarray]) -> PerSample:
        """Account for one batch; returns the per-sample value of each loss that has a batch axis."""
        inputs, targets = self._typed(inputs, targets)
        if self._step is None:
            self._step = self._evaluate if self.run_eagerly else self._traced(outputs)
        means, per_sample = self._step(inputs, targets, outputs)
        return self._account(means, per_sample, len(next(iter(outputs.values()))))

    def predict_and_update(
        self, predict: Callable[[Dict[str, Any]], Dict[str, Any]], inputs: Dict[str, Any], targets: Dict[str, Any]
    ) -> Tuple[Dict[str, np.ndarray], PerSample]:
        """The outputs of `predict` (a traceable function of the inputs) on a batch, accounted as `update` does.

        The model and its losses and metrics run in one call into TensorFlow, not two.
        """
        inputs, targets = self._typed(inputs, targets)
        if self._fused is None:

            def step(inputs, targets):
                outputs = predict(inputs)
                return (outputs, *self._evaluate(inputs, targets, outputs))

            signature = [self.input_specs, self.target_specs]
            self._fused = step if self.run_eagerly else tf.function(step, input_signature=signature)
        outputs, means, per_sample = self._fused(inputs, targets)
        outputs = {name: np.asarray(outputs[name]) for name in sorted(outputs)}
        return outputs, self._account(means, per_sample, len(next(iter(outputs.values()))))

    def _typed(self, inputs: Dict[str, Any], targets: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        inputs = {k: np.asarray(inputs[k], spec.dtype.as_numpy_dtype) for k, spec in self.input_specs.items()}
        targets = {k: np.asarray(targets[k], spec.dtype.as_numpy_dtype) for k, spec in self.target_specs.items()}
        return inputs, targets

    def _account(self, means: Dict[str, Any], per_sample: Dict[str, Any], n: int) -> PerSample:
        if self._loss_weights is None:
            self._loss_weights = self.model_base.loss_weights(list(means))
        total = sum(float(means[k]) * w for k, w in self._loss_weights.items())
        values = {"loss": total, **{k: float(v) for k, v in means.items() if k != "loss"}}
        for name, value in values.items():
            self._sums[name] = self._sums.get(name, 0.0) + value * n
        self._count += n
        per_sample = {k: np.asarray(v) for k, v in per_sample.items()}
        return {k: v for k, v in per_sample.items() if v.shape == (n,)}  # e.g. not a (1,)-shaped regulariser

    def result(self) -> Dict[str, float]:
        """`loss`, each loss key and each metric, averaged over all samples so far."""
        results = {name: total / max(self._count, 1) for name, total in self._sums.items()}
        results.update({m.name: float(np.asarray(m.result())) for m in self.metrics})
        return results


def _tf_dtype(dtype: np.dtype) -> tf.DType:
    """The TensorFlow dtype of a numpy output (string tensors come back as object arrays of bytes)."""
    return tf.string if dtype.kind in "OSU" else tf.as_dtype(dtype)
