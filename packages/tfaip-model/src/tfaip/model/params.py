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

    Implement `cls()` (the ModelBase subclass) and `graph_cls()` (the graph it builds).

    Example:
        >>> @pai_dataclass
        ... @dataclass
        ... class TutorialModelParams(ModelBaseParams):
        ...     n_classes: int = field(default=10, metadata=pai_meta(help="Number of classes"))
        ...
        ...     @staticmethod
        ...     def cls():
        ...         return TutorialModel
        ...
        ...     def graph_cls(self):
        ...         return TutorialGraph
    """

    @staticmethod
    def cls() -> Type["ModelBase"]:
        """The ModelBase class these params configure."""
        raise NotImplementedError("Implement `cls()` in your ModelBaseParams to return its ModelBase class.")

    def graph_cls(self) -> Type["GenericGraphBase"]:
        """The graph class `ModelBase.create_graph` instantiates with these params."""
        raise NotImplementedError(
            f"Implement `graph_cls()` in {type(self).__name__} to return the graph class, or override "
            "`create_graph(params)` in the model."
        )

    def create(self, **kwargs: Any) -> "ModelBase":
        """Create the model; `kwargs` are passed on as static parameters (e.g. a codec from the data)."""
        return self.cls()(self, **kwargs)
