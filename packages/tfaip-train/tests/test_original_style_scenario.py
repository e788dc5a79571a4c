"""A scenario written the original tfaip's way (explicit `cls()`, its own trainer-pipeline params) trains."""

import json
import os

from tfaip.model.testing.tutorial import TutorialDataParams, TutorialScenario, TutorialTrainerGeneratorParams
from tfaip.train.testing import tiny_params


def test_a_scenario_with_explicit_cls_trains_and_exports(tmp_path):
    params = tiny_params(tmp_path / "run", epochs=2, scenario=TutorialScenario)
    assert "cls" in vars(TutorialDataParams)  # the original form: the params name their class
    logs = TutorialScenario.create_trainer(params).train()
    assert {"loss", "acc", "val_loss", "val_acc"} <= set(logs)
    assert os.path.isfile(tmp_path / "run" / "export" / "serve" / "saved_model.pb")
    with open(tmp_path / "run" / "trainer_params.json", encoding="utf-8") as f:
        gen = json.load(f)["gen"]
    assert gen["__cls__"].endswith(f":{TutorialTrainerGeneratorParams.__name__}")
