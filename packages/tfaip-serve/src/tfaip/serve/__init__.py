"""tfaip.serve: tfaip serve: Predictor, MultiModelPredictor, LAV and Evaluator for slim deployment.

Placeholder of the monorepo layout; the real API arrives in a later release.
"""

__version__ = "0.0.1"

__all__ = ["__version__"]
