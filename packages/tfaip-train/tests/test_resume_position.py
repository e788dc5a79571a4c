"""Checkpoints inside epochs, and a resume that says when it can no longer be exact.

The exactness itself (SIGKILL at several moments, weights to 1e-6) is tests/test_exact_resume.py.
"""

import hashlib
import json
import os
import pickle
import time

import numpy as np
import pytest

from tfaip.data import ConfigError
from tfaip.train import Trainer, TrainerParams
from tfaip.train import trainer as trainer_module
from tfaip.train.checkpoint import POSITION, read_variables
from tfaip.train.data_position import data_position, resume_position, scenario_code
from tfaip.train.testing import CrashAfterEpoch, CrashAtStep, tiny_params, tutorial
from tfaip.train.testing.tutorial import TutorialScenario


def _stored_params(output_dir) -> TrainerParams:
    return TrainerParams.from_dict(json.loads((output_dir / "trainer_params.json").read_text()))


def _state(output_dir) -> dict:
    return json.loads((output_dir / "checkpoint" / "training_state.json").read_text())


def test_a_time_based_checkpoint_inside_an_epoch_holds_the_step_the_metrics_and_the_data_position(
    tmp_path, monkeypatch
):
    # 6 steps per epoch in calls of 2; a checkpoint is due at every call (with a budget that allows it)
    monkeypatch.setattr(trainer_module, "CHECKPOINT_BUDGET", 1e9)
    params = tiny_params(tmp_path, epochs=2, checkpoint_every_minutes=1e-9, steps_per_execution=2)
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(params).train([CrashAtStep(1, 4)])
    assert _state(tmp_path)["epoch"] == 1 and _state(tmp_path)["step"] == 4
    arrays, _ = read_variables(str(tmp_path / "checkpoint"), "metrics")
    assert arrays, "the running epoch metrics"
    with open(tmp_path / "checkpoint" / POSITION, "rb") as f:
        position = pickle.load(f)
    assert position["train"]["taken"] >= 0 and position["identity"]["samples"] == 96
    resumed = Trainer(_stored_params(tmp_path), restore=True)
    resumed.train()
    assert resumed.state.epoch == 2 and resumed.state.step == 0
    assert "after epoch 1 and step 4 of epoch 2" in (tmp_path / "train.log").read_text()


@pytest.mark.parametrize(
    ("minutes_ago", "last_write_seconds", "due"), [(4, 0.1, False), (5.5, 0.1, True), (5.5, 7, False)]
)
def test_time_based_checkpoints_keep_to_their_interval_and_to_two_percent_of_the_time(
    minutes_ago, last_write_seconds, due
):
    trainer = Trainer(tiny_params("out", checkpoint_every_minutes=5))
    written = []

    def write_checkpoint(inside_epoch: bool) -> None:
        written.append(inside_epoch)

    trainer._write_checkpoint = write_checkpoint
    trainer.steps_per_epoch, trainer.state.step = 10, 3
    trainer._last_checkpoint = (time.monotonic() - 60 * minutes_ago, 0)
    trainer._checkpoint_seconds = last_write_seconds  # 7 s: the next one waits 50 x 7 s, not 5 minutes
    trainer.step_begins()
    assert written == ([True] if due else [])


def test_no_checkpoints_inside_epochs_when_both_settings_are_off(tmp_path):
    params = tiny_params(
        tmp_path, epochs=2, checkpoint_every_minutes=0, checkpoint_every_n_steps=0, steps_per_execution=2
    )
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(params).train([CrashAtStep(1, 4)])
    assert _state(tmp_path)["epoch"] == 1 and _state(tmp_path)["step"] == 0


def test_resuming_changed_data_warns_that_the_run_is_no_longer_exact(tmp_path):
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(tiny_params(tmp_path, epochs=2)).train([CrashAfterEpoch(0)])
    stored = json.loads((tmp_path / "trainer_params.json").read_text())
    stored["gen"]["setup"]["train"]["shuffle_buffer_size"] = 7
    stored["gen"]["train_val"]["limit_to"] = 80
    (tmp_path / "trainer_params.json").write_text(json.dumps(stored))
    Trainer(_stored_params(tmp_path), restore=True).train()
    log = (tmp_path / "train.log").read_text()
    assert "gen.setup.train.shuffle_buffer_size" in log and "gen.train_val.limit_to" in log
    assert "the training samples (96 then, 80 now)" in log
    assert "no longer as an unbroken run would (the training data starts a new pass)" in log


def test_an_unchanged_resume_does_not_warn_and_a_checkpoint_without_a_position_does(tmp_path):
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(tiny_params(tmp_path, epochs=3)).train([CrashAfterEpoch(0)])
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(_stored_params(tmp_path), restore=True).train([CrashAfterEpoch(1)])
    assert "WARNING" not in (tmp_path / "train.log").read_text()
    os.remove(tmp_path / "checkpoint" / POSITION)  # as tfaip-train 0.2 wrote it
    Trainer(_stored_params(tmp_path), restore=True).train()
    assert "holds no data position (written by tfaip-train < 0.3)" in (tmp_path / "train.log").read_text()


def test_the_scenario_code_is_the_hash_of_each_loaded_module_of_its_package():
    code = scenario_code(TutorialScenario(TutorialScenario.default_params()))
    with open(tutorial.__file__, "rb") as f:
        assert code["tfaip.train.testing.tutorial"] == hashlib.sha256(f.read()).hexdigest()
    assert all(name.startswith("tfaip.train.testing") for name in code)


def test_checkpoint_settings_must_not_be_negative():
    with pytest.raises(ConfigError, match="checkpoint_every_n_steps and checkpoint_every_minutes must be >= 0"):
        tiny_params(checkpoint_every_minutes=-1)
    assert np.isclose(TrainerParams().checkpoint_every_minutes, 5.0)


class _Pipeline:
    def __init__(self):
        self.loaded = None

    def load_state_dict(self, state):
        self.loaded = state


def test_changed_code_is_named_and_the_same_sample_count_keeps_the_position(caplog):
    identity = {"samples": 10, "code": {"my.data": "a", "my.graph": "b"}}
    position = data_position({"chunk": 3}, identity)
    pipeline = _Pipeline()
    changed = {"samples": 10, "code": {"my.data": "c", "my.graph": "b", "my.new": "d"}}
    resume_position(position, changed, {"epochs": 3}, {"epochs": 3}, pipeline)
    assert "the code of my.data, my.new changed" in caplog.text and "new pass" not in caplog.text
    assert pipeline.loaded == {"chunk": 3}
