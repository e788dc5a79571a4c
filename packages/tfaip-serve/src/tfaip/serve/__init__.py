"""tfaip.serve: apply and evaluate exported models with nothing but tfaip-serve and the scenario's package.

`Predictor` (pre-processing, model, post-processing in one call), `MultiModelPredictor`
with voters, `LAV`/`MultiLAV` with the scenario's `Evaluator`, and the console scripts
`tfaip-predict` and `tfaip-lav`.
"""

__version__ = "0.1.0"

from tfaip.model import Evaluator, EvaluatorBase, EvaluatorParams
from tfaip.serve.export_loader import ExportError, PredictionModel
from tfaip.serve.lav.lav import LAV
from tfaip.serve.lav.multilav import MultiLAV
from tfaip.serve.multimodelpredictor import MultiModelPredictor
from tfaip.serve.params import LAVParams, PredictorParams
from tfaip.serve.predictor import Predictor
from tfaip.serve.progress import Throughput
from tfaip.serve.voter import AveragingVoter, MultiModelVoter

__all__ = [
    "AveragingVoter",
    "Evaluator",
    "EvaluatorBase",
    "EvaluatorParams",
    "ExportError",
    "LAV",
    "LAVParams",
    "MultiLAV",
    "MultiModelPredictor",
    "MultiModelVoter",
    "PredictionModel",
    "Predictor",
    "PredictorParams",
    "Throughput",
    "__version__",
]
