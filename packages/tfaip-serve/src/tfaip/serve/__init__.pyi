# The public names of tfaip.serve; __init__.py loads each on first use (lazy_loader reads this file).
from .backends import LiteRTModel as LiteRTModel
from .backends import OnnxModel as OnnxModel
from .data_side import DataSide as DataSide
from .evaluator import Evaluator as Evaluator
from .evaluator import EvaluatorBase as EvaluatorBase
from .evaluator import EvaluatorParams as EvaluatorParams
from .export_dir import ExportError as ExportError
from .export_loader import PredictionModel as PredictionModel
from .lav.lav import LAV as LAV
from .lav.multilav import MultiLAV as MultiLAV
from .multimodelpredictor import MultiModelPredictor as MultiModelPredictor
from .params import LAVParams as LAVParams
from .params import PredictorParams as PredictorParams
from .predictor import Predictor as Predictor
from .progress import Throughput as Throughput
from .voter import AveragingVoter as AveragingVoter
from .voter import MultiModelVoter as MultiModelVoter

__version__: str
