"""The ATR scenario: text-line recognition with CTC on line images and their `.gt.txt`.

tfaip-train atr --trainer.output_dir atr_model                  # rendered lines, offline
tfaip-train atr --train.image_files 'train/*.png' --val.image_files 'val/*.png' --trainer.output_dir atr_model
tfaip-lav --export_dir atr_model/best --data.image_files 'lines/*.png'
tfaip-predict --export_dir atr_model/best --data.image_files 'lines/*.png'
"""

import logging
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, List, Sequence

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import Resource, Sample
from tfaip.model import (
    EvaluatorBase,
    EvaluatorParams,
    ScenarioBase,
    ScenarioBaseParams,
    TrainerPipelineParams,
    TrainerPipelines,
)
from tfaip_scenarios.atr.data import ATRData, ATRGeneratorParams, read_gt, write_codec
from tfaip_scenarios.atr.model import ATRModelParams

logger = logging.getLogger(__name__)

BUCKETS = [150, 200, 250, 300, 350, 400, 500]  # line widths at height 32


def levenshtein(a: Sequence[Any], b: Sequence[Any]) -> int:
    """The edit distance of two sequences (characters or words)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


class ATREvaluator(EvaluatorBase[EvaluatorParams]):
    """`eval_CER` and `eval_WER` of LAV, in Python on the decoded `sentence` and the ground truth."""

    def __enter__(self):
        self.char_errors = self.chars = self.word_errors = self.words = 0
        return self

    def update_state(self, sample: Sample) -> None:
        pred, gt = sample.outputs["sentence"], sample.targets["sentence"]
        self.char_errors += levenshtein(pred, gt)
        self.chars += len(gt)
        self.word_errors += levenshtein(pred.split(), gt.split())
        self.words += len(gt.split())

    def result(self):
        return {"eval_CER": self.char_errors / max(self.chars, 1), "eval_WER": self.word_errors / max(self.words, 1)}


def _pipelines() -> TrainerPipelines:
    setup = TrainerPipelines()
    setup.train.bucket_boundaries = list(BUCKETS)
    setup.val.bucket_boundaries = list(BUCKETS)
    return setup


@pai_dataclass
@dataclass
class ATRTrainerPipelineParams(TrainerPipelineParams[ATRGeneratorParams, ATRGeneratorParams]):
    """`--train.*` and `--val.*`: image files or lists; by default rendered lines (held-out text for validation)."""

    setup: TrainerPipelines = field(default_factory=_pipelines, metadata=pai_meta(fix_dc=True))
    train: ATRGeneratorParams = field(
        default_factory=lambda: ATRGeneratorParams(synthetic=2000, synthetic_seed=0, synthetic_text="train"),
        metadata=pai_meta(mode="flat", help="Training data."),
    )
    val: ATRGeneratorParams = field(
        default_factory=lambda: ATRGeneratorParams(synthetic=200, synthetic_seed=1, synthetic_text="heldout"),
        metadata=pai_meta(mode="flat", help="Validation data."),
    )


@pai_dataclass
@dataclass
class ATRScenarioParams(ScenarioBaseParams[ATRData, ATRModelParams]):
    """The ATR scenario's params (data and model)."""


class ATRScenario(ScenarioBase[ATRScenarioParams, ATRTrainerPipelineParams]):
    """Line images -> text; the codec comes from `--data.codec` or the training ground truth."""

    @classmethod
    def evaluator_cls(cls):
        return ATREvaluator

    @classmethod
    def create_trainer(cls, trainer_params, restore: bool = False):
        data = trainer_params.scenario.data
        if data.codec is None and not restore:
            chars = training_chars(trainer_params.gen.train_gen())
            folder = trainer_params.output_dir or tempfile.mkdtemp(prefix="atr-")
            os.makedirs(folder, exist_ok=True)
            path = os.path.abspath(os.path.join(folder, "codec.txt"))
            write_codec(path, chars)
            data.codec = Resource(path)
            logger.info("The codec of the training ground truth: %d characters, written to %s", len(chars), path)
        return super().create_trainer(trainer_params, restore=restore)

    def create_model(self):
        self.params.model.classes = len(self.data.params.chars()) + 1  # the blank is the last class
        return super().create_model()


def training_chars(generator: ATRGeneratorParams) -> List[str]:
    """The sorted characters of the ground truth of the training lines (lines without one are left to the data)."""
    chars = set()
    for path in generator.image_paths():
        try:
            chars.update(read_gt(path))
        except OSError:
            continue  # the pipeline reports it (or skips it with --data.skip_invalid True)
    return sorted(chars)
