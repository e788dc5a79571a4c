"""`ModelBase`: a scenario's losses, metrics, best-model criterion and exported graphs."""

import contextlib
import inspect
from typing import TYPE_CHECKING, Any, Callable, Dict, Generic, Iterator, List, Optional, Tuple, Type, TypeVar, Union

import keras

from tfaip.data import DataBase, Sample, bind_params_class, resolve_generic
from tfaip.model.metric_definition import MetricDefinition
from tfaip.model.params import ModelBaseParams

if TYPE_CHECKING:
    from tfaip.model.graph.graphbase import GenericGraphBase
    from tfaip.model.rootgraph import RootGraph

TMP = TypeVar("TMP", bound=ModelBaseParams)
MetricResult = Union[List[Any], Dict[str, MetricDefinition], None]


class ModelBase(Generic[TMP]):
    """The model of a scenario: which graph to build and how to train and judge it.

    Override the hooks: `_loss` (required), `_loss_weights`, `_metric`,
    `_best_logging_settings`, `_print_evaluate`, `_export_graphs`; `create_graph` and
    `root_graph_cls` for full control. Keras metrics and losses you call in the hooks are
    created in `__init__` and kept as attributes: the root graph finds, resets and logs them.

    Example:
        >>> class TutorialModel(ModelBase[TutorialModelParams]):
        ...     def __init__(self, params, **kwargs):
        ...         super().__init__(params, **kwargs)
        ...         self.scc = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        ...         self.acc = keras.metrics.Accuracy(name="acc")
        ...     def _loss(self, inputs, targets, outputs):
        ...         return {"loss": self.scc(targets["gt"], outputs["logits"])}
        ...     def _metric(self, inputs, targets, outputs):
        ...         return [self.acc(targets["gt"], outputs["class"])]
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TMP)

    def __init__(self, params: TMP):
        self._params = params

    @classmethod
    def params_cls(cls) -> Type[TMP]:
        """The params class bound by `ModelBase[Params]`."""
        return resolve_generic(cls, TMP)

    @property
    def params(self) -> TMP:
        """The params of this model."""
        return self._params

    @staticmethod
    def root_graph_cls() -> Type["RootGraph"]:
        """The keras Model class that wraps the graph with losses and metrics (override to customise it)."""
        from tfaip.model.rootgraph import RootGraph  # the root graph module imports this one

        return RootGraph

    def create_graph(self, params: TMP) -> "GenericGraphBase":
        """Create the graph (default: `params.graph_cls()(params)`)."""
        return params.graph_cls()(params)

    # ---- hooks -------------------------------------------------------------------------------

    def _loss(self, inputs: Dict[str, Any], targets: Dict[str, Any], outputs: Dict[str, Any]) -> Dict[str, Any]:
        """Return a dict name -> loss: a called `keras.losses.Loss` or any tensor (averaged over the batch)."""
        raise NotImplementedError(
            f"{type(self).__name__}._loss(inputs, targets, outputs) must return a dict of losses."
        )

    def _loss_weights(self) -> Optional[Dict[str, float]]:
        """Weights of the losses in the total `loss` (default: 1 each), e.g. `{"ce": 0.5, "l2": 0.5}`."""
        return None

    def _metric(self, inputs: Dict[str, Any], targets: Dict[str, Any], outputs: Dict[str, Any]) -> MetricResult:
        """Return a list of called keras metrics, or a dict name -> `MetricDefinition` (may take no arguments)."""
        del inputs, targets, outputs
        return []

    def _best_logging_settings(self) -> Tuple[str, str]:
        """`("min"|"max", key)`: which loss or metric selects the best model (default: minimal loss)."""
        return "min", "loss"

    def _print_evaluate(self, sample: Sample, data: DataBase, print_fn: Callable[[str], None] = print) -> None:
        """Print an (un-batched) validation sample in a human-readable form (default: nothing)."""

    def _export_graphs(
        self, inputs: Dict[str, Any], outputs: Dict[str, Any], targets: Dict[str, Any]
    ) -> Dict[str, keras.Model]:
        """Label -> keras Model to export; "default" is the serving model (default: all inputs -> all outputs)."""
        del targets
        return {"default": keras.Model(inputs=inputs, outputs=outputs)}

    # ---- checked entry points used by the root graph, trainer and predictor ---------------

    def loss(self, inputs: Dict[str, Any], targets: Dict[str, Any], outputs: Dict[str, Any]) -> Dict[str, Any]:
        """`_loss`, checked, each value reduced to a float32 scalar (the batch mean).

        The model's keras Loss objects return per-sample values while `_loss` runs: a mean
        reduction of keras' own would also divide by the replicas of a distribution strategy,
        unlike any other tensor in the dict.
        """
        return {name: keras.ops.mean(value) for name, value in self.unreduced_loss(inputs, targets, outputs).items()}

    def unreduced_loss(
        self, inputs: Dict[str, Any], targets: Dict[str, Any], outputs: Dict[str, Any]
    ) -> Dict[str, Any]:
        """`_loss`, checked, each value as float32 before the batch mean: per-sample values or a scalar.

        The model's keras Loss objects return per-sample values here; a tensor that `_loss`
        reduces itself stays a scalar. LAV writes the per-sample values to its report.
        """
        with _unreduced(self._attributes_of_type(keras.losses.Loss)):
            losses = self._loss(inputs, targets, outputs)
        if not isinstance(losses, dict) or not losses:
            raise TypeError(
                f"{type(self).__name__}._loss must return a non-empty dict name -> loss tensor (the names appear in "
                f"the logs), got {_describe(losses)}."
            )
        unreduced = {}
        for name, value in losses.items():
            if value is None or isinstance(value, keras.losses.Loss):
                raise TypeError(
                    f"{type(self).__name__}._loss: the loss {name!r} is {_describe(value)}; return the value of a "
                    "loss (call the keras Loss on targets and outputs), not the loss object."
                )
            unreduced[name] = keras.ops.cast(value, "float32")
        return unreduced

    def loss_weights(self, loss_names: List[str]) -> Dict[str, float]:
        """The weight of each loss (1 unless `_loss_weights` says otherwise)."""
        weights = self._loss_weights() or {}
        unknown = sorted(set(weights) - set(loss_names))
        if unknown:
            raise KeyError(
                f"{type(self).__name__}._loss_weights names {unknown}, which _loss does not return; "
                f"the losses are {sorted(loss_names)}."
            )
        return {name: float(weights.get(name, 1.0)) for name in loss_names}

    def metric_definitions(self) -> Optional[Dict[str, MetricDefinition]]:
        """The MetricDefinitions of a `_metric(self)` without arguments (tutorial form), else None.

        Call it once and pass the result to `update_metrics`: the tutorial form may create new
        metric objects on every call.
        """
        if inspect.signature(self._metric).parameters:
            return None
        definitions = self._metric()
        _check_definitions(definitions, type(self).__name__)
        return definitions

    def update_metrics(
        self,
        inputs: Dict[str, Any],
        targets: Dict[str, Any],
        outputs: Dict[str, Any],
        definitions: Optional[Dict[str, MetricDefinition]] = None,
    ) -> Dict[str, MetricDefinition]:
        """Update the metrics for a batch; returns the MetricDefinitions that were applied (by name).

        Args:
            inputs: the batch inputs.
            targets: the batch targets.
            outputs: the graph's outputs.
            definitions: the result of `metric_definitions()` (tutorial form); None calls `_metric`.
        """
        if definitions is None:
            result = self._metric(inputs, targets, outputs)
            if isinstance(result, dict):
                _check_definitions(result, type(self).__name__)
                definitions = result
            elif result is not None and not isinstance(result, (list, tuple)):
                raise TypeError(
                    f"{type(self).__name__}._metric must return a list of called keras metrics or a dict name -> "
                    f"MetricDefinition, got {_describe(result)}."
                )
        for name, definition in (definitions or {}).items():
            for kind, key, values in (("target", definition.target, targets), ("output", definition.output, outputs)):
                if key not in values:
                    raise KeyError(
                        f"{type(self).__name__}._metric: MetricDefinition {name!r} names the {kind} {key!r}, but the "
                        f"{kind}s are {sorted(values)}."
                    )
            definition.metric.name = name  # logged under its key
            definition.metric.update_state(targets[definition.target], outputs[definition.output])
        return definitions or {}

    def tracked_metrics(self) -> List[keras.metrics.Metric]:
        """The keras metrics held as attributes of this model (also inside lists and dicts)."""
        return self._attributes_of_type(keras.metrics.Metric)

    def all_metrics(self, definitions: Optional[Dict[str, MetricDefinition]]) -> List[keras.metrics.Metric]:
        """The tracked metrics plus those of `definitions` (from `metric_definitions()`), named by their keys."""
        metrics = self.tracked_metrics()
        for name, definition in (definitions or {}).items():  # the tutorial form creates them in _metric
            definition.metric.name = name
            if not any(m is definition.metric for m in metrics):
                metrics.append(definition.metric)
        return metrics

    def _attributes_of_type(self, kind: type) -> List[Any]:
        found: Dict[int, Any] = {}

        def visit(value: Any) -> None:
            if isinstance(value, kind):
                found.setdefault(id(value), value)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    visit(v)
            elif isinstance(value, dict):
                for v in value.values():
                    visit(v)

        visit(list(vars(self).values()))
        return list(found.values())

    def best_logging_settings(self) -> Tuple[str, str]:
        """`_best_logging_settings`, checked."""
        settings = self._best_logging_settings()
        if not (isinstance(settings, (tuple, list)) and len(settings) == 2 and settings[0] in ("min", "max")):
            raise ValueError(
                f"{type(self).__name__}._best_logging_settings must return ('min' or 'max', key), got {settings!r}."
            )
        return settings[0], settings[1]

    def print_evaluate(self, sample: Sample, data: DataBase, print_fn: Callable[[str], None] = print) -> None:
        """Print an un-batched validation sample via `_print_evaluate`."""
        self._print_evaluate(sample, data, print_fn=print_fn)

    def export_graphs(
        self, inputs: Dict[str, Any], outputs: Dict[str, Any], targets: Dict[str, Any]
    ) -> Dict[str, keras.Model]:
        """`_export_graphs`, checked: a dict label -> keras Model containing "default"."""
        graphs = self._export_graphs(inputs, outputs, targets)
        if not isinstance(graphs, dict) or "default" not in graphs:
            raise TypeError(
                f"{type(self).__name__}._export_graphs must return a dict label -> keras.Model with a 'default' "
                f"entry, got {_describe(graphs)}."
            )
        for label, graph in graphs.items():
            if not isinstance(graph, keras.Model):
                raise TypeError(f"{type(self).__name__}._export_graphs: {label!r} is {_describe(graph)}, not a Model.")
        return graphs


@contextlib.contextmanager
def _unreduced(losses: List[keras.losses.Loss]) -> Iterator[None]:
    changed = [(loss, loss.reduction) for loss in losses if loss.reduction in ("sum_over_batch_size", "mean")]
    for loss, _ in changed:
        loss.reduction = "none"
    try:
        yield
    finally:
        for loss, reduction in changed:
            loss.reduction = reduction


def _check_definitions(definitions: Any, owner: str) -> None:
    if not isinstance(definitions, dict) or not all(isinstance(d, MetricDefinition) for d in definitions.values()):
        raise TypeError(f"{owner}._metric() must return a dict name -> MetricDefinition, got {_describe(definitions)}.")


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:80]}{'...' if len(text) > 80 else ''}"
