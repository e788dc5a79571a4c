"""The Evaluator classes of tfaip.model, exported by tfaip.serve too: LAV runs them."""

from tfaip.model.evaluator import Evaluator, EvaluatorBase, EvaluatorParams

__all__ = ["Evaluator", "EvaluatorBase", "EvaluatorParams"]
