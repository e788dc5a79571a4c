"""`ListFileScenario`: a scenario whose training, validation and LAV data are list files."""

from dataclasses import dataclass, field
from typing import List

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ListsFileGeneratorParams
from tfaip.model.scenario.scenariobase import ScenarioBase, TScenarioParams
from tfaip.model.scenario.trainer_pipeline import TrainerPipelineParams


@pai_dataclass
@dataclass
class ListFileTrainerPipelineParams(TrainerPipelineParams[ListsFileGeneratorParams, ListsFileGeneratorParams]):
    """List files for training (`--train.lists`), validation (`--val.lists`) and LAV (`--lav.lists`)."""

    lav: ListsFileGeneratorParams = field(
        default_factory=ListsFileGeneratorParams,
        metadata=pai_meta(mode="flat", help="LAV list files, one LAV per list (default: the validation lists)."),
    )

    def lav_gen(self) -> List[ListsFileGeneratorParams]:
        """One generator per LAV list file (`lav.lists`, else `val.lists`)."""
        return [ListsFileGeneratorParams(lists=[path]) for path in (self.lav.lists or self.val.lists)]


class ListFileScenario(ScenarioBase[TScenarioParams, ListFileTrainerPipelineParams]):
    """A ScenarioBase reading list files: each line becomes a Sample's input and target for the processors.

    Example:
        >>> class Scenario(ListFileScenario[ScenarioParams]):
        ...     pass
    """
