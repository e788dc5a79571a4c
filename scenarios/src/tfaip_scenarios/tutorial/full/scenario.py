"""The Full Tutorial scenario: LAV on the training and the test split, an Evaluator, a voter.

tfaip-train tutorial.full --model.graph CNN --model.graph.filters 40 20 --model.graph.dense 100
tfaip-predict --export_dir MODEL_A/export MODEL_B/export --data.image_files digit.png
"""

import dataclasses
from dataclasses import dataclass
from typing import List

from paiargparse import pai_dataclass

from tfaip.data import Sample
from tfaip.model import EvaluatorBase, EvaluatorParams, ScenarioBase, ScenarioBaseParams, TrainValPipelineParams
from tfaip_scenarios.tutorial.full.data import TutorialData, TutorialDataGeneratorParams
from tfaip_scenarios.tutorial.full.model import TutorialModelParams
from tfaip_scenarios.tutorial.full.voter import MajorityClassVoter


@pai_dataclass
@dataclass
class TutorialTrainerGeneratorParams(TrainValPipelineParams[TutorialDataGeneratorParams]):
    """`--train_val.*` for training and validation; LAV runs on both splits (`lav_l0_*`: train, `lav_l1_*`: test)."""

    def lav_gen(self) -> List[TutorialDataGeneratorParams]:
        """The training split, then the test split."""
        return [dataclasses.replace(self.train_val, split=split) for split in ("train", "test")]


class TutorialEvaluator(EvaluatorBase[EvaluatorParams]):
    """`eval_acc` of LAV, in plain Python on the post-processed samples."""

    def __enter__(self):
        self.right = self.total = 0
        return self

    def update_state(self, sample: Sample) -> None:
        self.total += 1
        self.right += int(sample.outputs["class"] == sample.targets["gt"][0])

    def result(self):
        return {"eval_acc": self.right / max(self.total, 1)}


@pai_dataclass
@dataclass
class TutorialScenarioParams(ScenarioBaseParams[TutorialData, TutorialModelParams]):
    """The tutorial's scenario params (data and model)."""


class TutorialScenario(ScenarioBase[TutorialScenarioParams, TutorialTrainerGeneratorParams]):
    """The Full Tutorial."""

    @classmethod
    def evaluator_cls(cls):
        return TutorialEvaluator

    @classmethod
    def create_voter(cls, data):
        return MajorityClassVoter()
