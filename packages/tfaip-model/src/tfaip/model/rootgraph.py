"""`RootGraph`: the keras Model of a scenario, ready for `compile` and `fit`.

    dataset (inputs, targets) -> graph(inputs, targets) -> outputs
                                       |-> ModelBase.loss  -> weighted sum "loss" + one log per key
                                       '-> ModelBase metrics -> one log per metric
    predict(inputs) -> graph(inputs) -> outputs          (the prediction graph)

The losses and metrics are evaluated in `train_step`/`test_step` (Keras 3 cannot call them on
symbolic tensors). On construction the root graph traces the graph, losses and metrics once
with the data's specs: this builds every weight and reports a wrong `_loss`, metric or
best-logging key before any training starts.
"""

import contextlib
import warnings
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

import keras
import tensorflow as tf

from tfaip.data import DataBase
from tfaip.data.tf import batched_specs
from tfaip.model.graph.graphbase import GenericGraphBase
from tfaip.model.graph.tensorboard import TensorboardWriter, collecting_tensorboard_values

if TYPE_CHECKING:
    from tfaip.model.modelbase import ModelBase


class RootGraph(keras.Model):
    """Assembles a ModelBase's graph, losses and metrics into one keras Model.

    Args:
        model: the ModelBase (its params create the graph).
        data: the DataBase whose specs define the inputs and targets.
        name: the keras name of the model.

    Example:
        >>> root = RootGraph(model, data)        # or scenario.root_graph
        >>> root.compile(optimizer="adam")
        >>> root.fit(train_dataset, validation_data=val_dataset, epochs=2)
    """

    def __init__(self, model: "ModelBase", data: DataBase, name: str = "root", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.model_base = model
        self.data = data
        graph = model.create_graph(model.params)
        if not isinstance(graph, GenericGraphBase):
            raise TypeError(
                f"{type(model).__name__}.create_graph must return a GraphBase/GenericGraphBase, got {type(graph)}."
            )
        self.user_graph = graph
        self.input_specs = batched_specs(data.input_layer_specs())
        self.target_specs = batched_specs(data.target_layer_specs())
        self._metric_definitions = model.metric_definitions()
        self.model_metrics = model.all_metrics(self._metric_definitions)
        loss_names = self._trace()
        self.loss_weights = model.loss_weights(loss_names)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.loss_trackers = [] if loss_names == ["loss"] else [keras.metrics.Mean(name=n) for n in loss_names]
        self._check_log_names()
        self.best_logging_settings = model.best_logging_settings()
        if self.best_logging_settings[1] not in self.log_names:
            raise KeyError(
                f"{type(model).__name__}._best_logging_settings monitors {self.best_logging_settings[1]!r}, which no "
                f"loss or metric defines; choose one of {self.log_names}."
            )
        object.__setattr__(self, "_tensorboard_fn", None)
        object.__setattr__(self, "_tensorboard_writers", {})

    # ---- construction ---------------------------------------------------------------------------

    def _trace(self) -> List[str]:
        """Trace graph, losses and metrics symbolically (builds the weights, checks the hooks)."""
        loss_names: List[str] = []  # tf.function may trace more than once

        def step(inputs, targets):
            outputs = _checked_outputs(self.user_graph(inputs, targets=targets, training=False), "training")
            _checked_outputs(self.user_graph(inputs), "prediction")
            targets = self.user_graph.pre_proc_targets(inputs, targets)
            losses = self.model_base.loss(inputs, targets, outputs)
            loss_names[:] = list(losses)
            applied = self.model_base.update_metrics(inputs, targets, outputs, self._metric_definitions)
            for name, definition in applied.items():
                if not any(m is definition.metric for m in self.model_metrics):
                    raise ValueError(
                        f"{type(self.model_base).__name__}._metric: the metric of {name!r} is created anew on each "
                        "call; "
                        "create it once in __init__ (self.my_metric = ...) and use it in _metric."
                    )
            return losses

        tf.function(step).get_concrete_function(self.input_specs, self.target_specs)
        self.built = True
        return loss_names

    def _check_log_names(self) -> None:
        names = self.log_names
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"The logs of {type(self.model_base).__name__} would contain {duplicates} more than once: loss keys "
                "and "
                "metric names must be unique, and 'loss' names the weighted sum when there are several losses."
            )

    @property
    def log_names(self) -> List[str]:
        """Names in the logs: "loss", each loss key and each metric name (validation adds `val_`)."""
        return [m.name for m in self.metrics]

    @property
    def metrics(self) -> List[keras.metrics.Metric]:
        """The total loss, each loss and each model metric (reset by keras every epoch)."""
        if not hasattr(self, "loss_tracker"):
            return []
        return [self.loss_tracker, *self.loss_trackers, *self.model_metrics, *self.user_graph.metrics]

    # ---- keras entry points ---------------------------------------------------------------------

    def fit(self, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Keras `fit`; the end of a dataset of unknown length is no warning (see `_data_may_end`).

        keras never shuffles a `tf.data.Dataset` (a tfaip pipeline shuffles with its
        `shuffle_buffer_size`), so for one `shuffle` defaults to False instead of warning.
        """
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
        with _data_may_end(kwargs.get("steps_per_epoch"), kwargs.get("validation_steps")):
            return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Keras `evaluate`; the end of a dataset of unknown length is no warning (see `_data_may_end`)."""
        with _data_may_end(kwargs.get("steps")):
            return super().evaluate(x, y, *args, **kwargs)

    def predict(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Keras `predict`; the end of a dataset of unknown length is no warning (see `_data_may_end`)."""
        with _data_may_end(kwargs.get("steps")):
            return super().predict(x, *args, **kwargs)

    def call(self, inputs: Dict[str, Any], training: Optional[bool] = None) -> Dict[str, Any]:
        """The prediction graph (used by `predict` and the exports)."""
        return self.user_graph(inputs, training=training)

    def train_step(self, data: Any) -> Dict[str, Any]:
        """One optimisation step on `(inputs, targets)`."""
        inputs, targets = _unpack(data)
        with tf.GradientTape() as tape:
            outputs = self.user_graph(inputs, targets=targets, training=True)
            targets = self.user_graph.pre_proc_targets(inputs, targets)
            total, losses = self._total_and_losses(inputs, targets, outputs)
            scaled = total / tf.distribute.get_strategy().num_replicas_in_sync
            if self.optimizer is not None:
                scaled = self.optimizer.scale_loss(scaled)
        if self.trainable_weights:
            gradients = tape.gradient(scaled, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return self._update_logs(inputs, targets, outputs, total, losses)

    def test_step(self, data: Any) -> Dict[str, Any]:
        """Losses and metrics of the training graph on `(inputs, targets)` without training."""
        inputs, targets = _unpack(data)
        outputs = self.user_graph(inputs, targets=targets, training=False)
        targets = self.user_graph.pre_proc_targets(inputs, targets)
        total, losses = self._total_and_losses(inputs, targets, outputs)
        return self._update_logs(inputs, targets, outputs, total, losses)

    def _total_and_losses(self, inputs, targets, outputs) -> Tuple[Any, Dict[str, Any]]:
        losses = self.model_base.loss(inputs, targets, outputs)
        total = keras.ops.sum(keras.ops.stack([losses[k] * w for k, w in self.loss_weights.items()]))
        for regularization in self.losses:
            total = total + keras.ops.cast(keras.ops.sum(regularization), total.dtype)
        return total, losses

    def _update_logs(self, inputs, targets, outputs, total, losses) -> Dict[str, Any]:
        batch_size = tf.shape(tf.nest.flatten(inputs)[0])[0]
        self.loss_tracker.update_state(total, sample_weight=batch_size)
        for tracker in self.loss_trackers:
            tracker.update_state(losses[tracker.name], sample_weight=batch_size)
        self.model_base.update_metrics(inputs, targets, outputs, self._metric_definitions)
        return {m.name: m.result() for m in self.metrics}

    # ---- exports and TensorBoard -----------------------------------------------------------------

    def symbolic_inputs(self) -> Tuple[Dict[str, keras.KerasTensor], Dict[str, keras.KerasTensor]]:
        """`keras.Input`s for the inputs and the targets."""

        def inputs(specs):
            return {n: keras.Input(shape=s.shape[1:], dtype=s.dtype.name, name=n) for n, s in specs.items()}

        return inputs(self.input_specs), inputs(self.target_specs)

    def export_graphs(self) -> Dict[str, keras.Model]:
        """The models to export (`ModelBase._export_graphs` on the prediction graph), sharing these weights."""
        inputs, targets = self.symbolic_inputs()
        return self.model_base.export_graphs(inputs, self.user_graph(inputs), targets)

    def write_tensorboard(self, inputs: Dict[str, Any], targets: Optional[Dict[str, Any]] = None, step: int = 0):
        """Run the graph on one batch and write every `TensorboardWriter` value at `step`.

        Uses the training graph (training=False) when `targets` are given, else the prediction
        graph. Call it inside a `tf.summary` writer's `as_default()`. Returns the written names.
        """
        if self._tensorboard_fn is None:

            def collect(batch_inputs, batch_targets):
                with collecting_tensorboard_values() as collected:
                    self.user_graph(batch_inputs, targets=batch_targets, training=False)
                self._tensorboard_writers.update({name: writer for name, (writer, _) in collected.items()})
                return {name: value for name, (_, value) in collected.items()}

            object.__setattr__(self, "_tensorboard_fn", tf.function(collect, reduce_retracing=True))
        values = self._tensorboard_fn(inputs, targets)
        writers: Dict[str, TensorboardWriter] = self._tensorboard_writers
        for name, value in values.items():
            writers[name].write(value.numpy(), step)
        return sorted(values)


@contextlib.contextmanager
def _data_may_end(*steps: Optional[int]) -> Iterator[None]:
    """Pass keras' warning "Your input ran out of data" on only where steps were asked for.

    keras 3.15 also warns when a dataset of unknown length simply ends, which is how every
    epoch on such a dataset ends (keras-team/keras#23360 fixes this upstream; no release has it
    yet). The length of a tfaip dataset is unknown before a pass, as processors may drop or add
    samples, so its end is no reason to warn unless `steps` promised more batches.
    """
    with warnings.catch_warnings():
        if any(s is None for s in steps):
            warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)
        yield


def _unpack(data: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    inputs, targets, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    if sample_weight is not None:
        raise ValueError("tfaip models take (inputs, targets) batches; weight samples inside _loss instead.")
    if targets is None:
        raise ValueError("Training and validation need (inputs, targets) batches, but the batch has no targets.")
    return inputs, targets


def _checked_outputs(outputs: Any, which: str) -> Dict[str, Any]:
    if not isinstance(outputs, dict) or not outputs:
        raise TypeError(f"The {which} graph must return a non-empty dict name -> tensor, got {type(outputs).__name__}.")
    return outputs
