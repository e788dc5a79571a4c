"""The imageclassification scenario: the classes of the training folder go into the params, and so into the export.

tfaip-train imageclassification --trainer.output_dir ic_model
tfaip-predict --export_dir ic_model/best --data.image_files IMG...
"""

from dataclasses import dataclass

from paiargparse import pai_dataclass

from tfaip.data import ConfigError
from tfaip.model import ScenarioBase, ScenarioBaseParams
from tfaip_scenarios.imageclassification.data import ICDataParams, ICGeneratorParams
from tfaip_scenarios.imageclassification.model import ICModelParams


@pai_dataclass
@dataclass
class ICScenarioParams(ScenarioBaseParams[ICDataParams, ICModelParams]):
    """The scenario params (data and model)."""


class ICScenario(ScenarioBase[ICScenarioParams, ICGeneratorParams]):
    """One generator for training and validation (`--train_val.*`); the classes are its class folders."""

    @classmethod
    def create_trainer(cls, trainer_params, restore: bool = False):
        """Set `data.classes` and `model.n_classes` from the training data before the model is built."""
        params, classes = trainer_params.scenario, trainer_params.gen.train_gen().classes()
        if params.data.classes and params.data.classes != classes:
            raise ConfigError(
                f"--data.classes {' '.join(params.data.classes)} differ from the classes of the training data "
                f"({' '.join(classes)}); leave --data.classes empty to take those of the data."
            )
        params.data.classes, params.model.n_classes = classes, len(classes)
        return super().create_trainer(trainer_params, restore)
