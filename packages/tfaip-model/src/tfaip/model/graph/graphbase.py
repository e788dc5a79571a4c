"""`GenericGraphBase` and `GraphBase`: the network of a scenario, a keras Layer taking its params."""

from typing import Any, Dict, Generic, Optional, Type, TypeVar

from tfaip.data import bind_params_class, resolve_generic
from tfaip.model.graph.layer import TFAIPLayerBase
from tfaip.model.params import ModelBaseParams

TMP = TypeVar("TMP", bound=ModelBaseParams)


class GenericGraphBase(TFAIPLayerBase, Generic[TMP]):
    """A graph with separate training and prediction paths (e.g. teacher forcing vs. decoding).

    Implement `build_train_graph(inputs, targets, training)` and `build_prediction_graph(inputs)`;
    both return a dict of output tensors. `pre_proc_targets` may transform the targets before
    the losses and metrics see them. Create layers in `__init__`, connect them in the builders.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TMP, method="graph_cls")

    def __init__(self, params: TMP, name: str = "graph", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self._params = params

    @classmethod
    def params_cls(cls) -> Type[TMP]:
        """The params class bound by `Graph[Params]`."""
        return resolve_generic(cls, TMP)

    @property
    def params(self) -> TMP:
        """The model params this graph was built with."""
        return self._params

    def call(self, inputs: Dict[str, Any], targets: Optional[Dict[str, Any]] = None, training: Optional[bool] = None):
        """The training graph when `targets` are given (training and validation), else the prediction graph."""
        if targets is None:
            return self.build_prediction_graph(inputs)
        return self.build_train_graph(inputs, targets, training=training)

    def build_train_graph(
        self, inputs: Dict[str, Any], targets: Optional[Dict[str, Any]] = None, training: Optional[bool] = None
    ) -> Dict[str, Any]:
        """Outputs used for the losses and metrics in training and validation."""
        raise NotImplementedError(f"{type(self).__name__}.build_train_graph(inputs, targets, training) is missing.")

    def build_prediction_graph(self, inputs: Dict[str, Any]) -> Dict[str, Any]:
        """Outputs of the exported (prediction) model."""
        raise NotImplementedError(f"{type(self).__name__}.build_prediction_graph(inputs) is missing.")

    def pre_proc_targets(self, inputs: Dict[str, Any], targets: Dict[str, Any]) -> Dict[str, Any]:
        """Transform the dataset targets before losses and metrics (default: unchanged)."""
        del inputs
        return targets


class GraphBase(GenericGraphBase[TMP]):
    """A graph that is the same in training and prediction.

    Implement `build_graph(inputs, training)` returning a dict of tensors, or override
    keras' `call(inputs, **kwargs)` directly as the Minimal Tutorial does.

    Example:
        >>> class MLPGraph(GraphBase[ModelParams]):
        ...     def __init__(self, params, name="mlp", **kwargs):
        ...         super().__init__(params, name=name, **kwargs)
        ...         self.flatten = keras.layers.Flatten()
        ...         self.logits = keras.layers.Dense(params.n_classes)
        ...     def build_graph(self, inputs, training=None):
        ...         logits = self.logits(self.flatten(keras.ops.cast(inputs["img"], "float32")))
        ...         return {"logits": logits, "class": keras.ops.argmax(logits, axis=-1)}
    """

    def call(self, inputs: Dict[str, Any], targets: Optional[Dict[str, Any]] = None, training: Optional[bool] = None):
        """Run `build_graph` (targets are ignored)."""
        del targets
        return self.build_graph(inputs, training=training)

    def build_train_graph(self, inputs, targets=None, training=None):
        """Same as `build_graph`."""
        return self.build_graph(inputs, training=training)

    def build_prediction_graph(self, inputs):
        """Same as `build_graph` with training=False."""
        return self.build_graph(inputs, training=False)

    def build_graph(self, inputs: Dict[str, Any], training: Optional[bool] = None) -> Dict[str, Any]:
        """Connect the layers: inputs dict -> outputs dict."""
        raise NotImplementedError(
            f"{type(self).__name__}: implement build_graph(inputs, training=None) or override call(inputs, **kwargs)."
        )
