"""`ModelBaseParams`: the params of a scenario's model; they name the model and graph classes."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Type

from paiargparse import pai_dataclass

if TYPE_CHECKING:
    from tfaip.model.graph.graphbase import GenericGraphBase
    from tfaip.model.modelbase import ModelBase


@pai_dataclass
@dataclass
class ModelBaseParams:
    """Params of a scenario's model: add your hyper-parameters as fields.

    `cls()` is the ModelBase and `graph_cls()` the graph that name these params as their generic
    argument (`TutorialModel(ModelBase[TutorialModelParams])`, `TutorialGraph(GraphBase[...])`),
    unless you implement them.

    Example:
        >>> @pai_dataclass
        ... @dataclass
        ... class TutorialModelParams(ModelBaseParams):
        ...     n_classes: int = field(default=10, metadata=pai_meta(help="Number of classes"))
    """

    @staticmethod
    def cls() -> Type["ModelBase"]:
        """The ModelBase class these params configure."""
        raise NotImplementedError(
            "No ModelBase names these params: define `class MyModel(ModelBase[MyModelParams])` or implement `cls()`."
        )

    def graph_cls(self) -> Type["GenericGraphBase"]:
        """The graph class `ModelBase.create_graph` instantiates with these params."""
        raise NotImplementedError(
            f"No graph names {type(self).__name__}: define `class MyGraph(GraphBase[{type(self).__name__}])`, "
            "implement `graph_cls()`, or override `create_graph(params)` in the model."
        )

    def create(self, **kwargs: Any) -> "ModelBase":
        """Create the model; `kwargs` are passed on as static parameters (e.g. a codec from the data)."""
        return self.cls()(self, **kwargs)
