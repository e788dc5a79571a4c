"""`EvaluatorParams` and `EvaluatorBase`: pure-Python metrics on post-processed samples (used by LAV)."""

from dataclasses import dataclass
from typing import Any, Dict, Generic, Optional, Type, TypeVar

from paiargparse import pai_dataclass

from tfaip.data import Sample, bind_params_class, resolve_generic


@pai_dataclass
@dataclass
class EvaluatorParams:
    """Params of a scenario's Evaluator (add fields in a subclass)."""

    @staticmethod
    def cls() -> Type["EvaluatorBase"]:
        """The Evaluator class these params configure (default: one that computes nothing)."""
        return EvaluatorBase

    def create(self) -> "EvaluatorBase":
        """Create the evaluator."""
        return self.cls()(params=self)


TEP = TypeVar("TEP", bound=EvaluatorParams)


class EvaluatorBase(Generic[TEP]):
    """Metrics computed in Python on un-batched, post-processed samples, like a keras Metric.

    Use it as a context manager: `__enter__` clears the state, then `update_state(sample)` per
    sample and `result()` at the end.

    Example:
        >>> class MNISTEvaluator(EvaluatorBase[EvaluatorParams]):
        ...     def __enter__(self):
        ...         self.right = self.total = 0
        ...         return self
        ...     def update_state(self, sample):
        ...         self.total += 1
        ...         self.right += int(sample.targets["gt"][0] == sample.outputs["class"])
        ...     def result(self):
        ...         return {"eval_acc": self.right / max(self.total, 1)}
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TEP)

    def __init__(self, params: TEP):
        self.params = params

    @classmethod
    def params_cls(cls) -> Type[TEP]:
        """The params class bound by `Evaluator[Params]`."""
        return resolve_generic(cls, TEP)

    @classmethod
    def default_params(cls) -> TEP:
        """Default params of this evaluator."""
        return cls.params_cls()()

    def __enter__(self) -> "EvaluatorBase":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    def update_state(self, sample: Sample) -> Optional[Dict[str, Any]]:
        """Account for one post-processed sample.

        May return this sample's own values (name -> number), which LAV writes to its
        per-sample report for error analysis.
        """
        return None

    def result(self) -> Dict[str, Any]:
        """Name -> value of each metric."""
        return {}


Evaluator = EvaluatorBase
"""The name the reference docs use for `EvaluatorBase`."""
