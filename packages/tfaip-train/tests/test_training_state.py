"""Training state apart from configuration: the checkpoint carries it, resume goes on with it, old runs load."""

import json

import keras
import numpy as np
import pytest

from tfaip.data import ConfigError
from tfaip.data.cli import params_from_dict
from tfaip.model import ScenarioBase
from tfaip.train import EarlyStoppingParams, Trainer, TrainerParams, TrainingState
from tfaip.train.callbacks.ema import EMAValidationCallback, ema_weights
from tfaip.train.checkpoint import read_training_state, read_variables
from tfaip.train.cli.commands import resume
from tfaip.train.testing import CrashAfterEpoch, tiny_params
from tfaip.train.testing.tutorial import TutorialScenario


def _crashed_run(output_dir, **trainer) -> dict:
    """A run of 4 epochs killed after its second; returns its checkpoint's training state."""
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(tiny_params(output_dir, epochs=4, **trainer)).train([CrashAfterEpoch(1)])
    return json.loads((output_dir / "checkpoint" / "training_state.json").read_text())


def _stored_params(output_dir) -> TrainerParams:
    return TrainerParams.from_dict(json.loads((output_dir / "trainer_params.json").read_text()))


def test_the_state_round_trips_and_refuses_what_it_does_not_know():
    state = TrainingState(epoch=3, stop_reason="why", monitor="val_acc", best=0.9, best_epoch=2)
    assert TrainingState.from_state_dict(json.loads(json.dumps(state.state_dict()))) == state
    assert TrainingState.from_state_dict({"epoch": 2}) == TrainingState(epoch=2)  # an older state: defaults
    with pytest.raises(ConfigError, match=r"holds \['data_position'\].*newer version"):
        TrainingState.from_state_dict({"epoch": 2, "data_position": 7})
    legacy = {"current_epoch": 4, "stop_reason": None, "early_stopping": {"best": 0.5, "best_epoch": 1, "n": 2}}
    assert TrainingState.from_legacy_trainer_params(legacy) == TrainingState(
        epoch=4, best=0.5, best_epoch=1, epochs_without_improvement=2
    )


def test_read_training_state_names_a_missing_checkpoint(tmp_path):
    with pytest.raises(ConfigError, match="No checkpoint at .*training_state.json is missing"):
        read_training_state(str(tmp_path))
    (tmp_path / "training_state.json").write_text("{ nope")
    with pytest.raises(ConfigError, match="training state of the checkpoint at .* cannot be read"):
        read_training_state(str(tmp_path))


def test_a_new_fit_starts_from_a_fresh_state_and_never_writes_into_its_params():
    params = tiny_params(epochs=1)
    configuration = params.to_dict()
    trainer = Trainer(params)
    assert trainer.train() and trainer.state.epoch == 1 and trainer.state.monitor == "val_acc"
    assert trainer.train(), "the second fit of the same trainer is a new run, not one that is already done"
    assert trainer.state.epoch == 1 and params.to_dict() == configuration


def test_a_resumed_run_goes_on_with_the_epoch_count_and_the_early_stopping_counter(tmp_path):
    state = _crashed_run(tmp_path, early_stopping=EarlyStoppingParams(n_to_go=2))
    assert state["epoch"] == 2 and state["monitor"] == "val_acc" and state["best"] is not None
    arrays, paths = read_variables(str(tmp_path / "checkpoint"), "model")
    assert arrays and set(paths) == set(arrays)
    # make the best value so far unreachable, with one checked epoch already gone by without improvement
    state.update(best=2.0, best_epoch=0, epochs_without_improvement=1)
    (tmp_path / "checkpoint" / "training_state.json").write_text(json.dumps(state))
    resumed = Trainer(_stored_params(tmp_path), restore=True)
    resumed.train()
    assert resumed.state.epoch == 3  # one more epoch without improvement: the counter reached 2 of 2
    assert resumed.state.stop_reason == "val_acc did not improve on 2 for 2 checked epochs"
    log = (tmp_path / "train.log").read_text()
    assert "after epoch 2." in log and "Results of epoch 3:" in log and "Results of epoch 4:" not in log
    assert "current_epoch" not in (tmp_path / "trainer_params.json").read_text()


def test_a_checkpoint_of_tfaip_train_0_1_still_resumes(tmp_path):
    _crashed_run(tmp_path)
    (tmp_path / "checkpoint" / "training_state.json").unlink()
    legacy = json.loads((tmp_path / "trainer_params.json").read_text())
    legacy.update(current_epoch=2, stop_reason=None)
    legacy["early_stopping"].update(mode="max", monitor="val_acc", best=2.0, best_epoch=1, n=0)
    legacy["scenario"].update(scenario_params_filename="scenario_params.json", default_serve_dir="serve")
    for path in (tmp_path / "trainer_params.json", tmp_path / "checkpoint" / "trainer_params.json"):
        path.write_text(json.dumps(legacy))
    assert read_training_state(str(tmp_path / "checkpoint")) == TrainingState(
        epoch=2, monitor="val_acc", best=2.0, best_epoch=1
    )
    assert resume("tfaip-resume-training", str(tmp_path)) == 0
    state = json.loads((tmp_path / "checkpoint" / "training_state.json").read_text())
    assert state["epoch"] == 4 and state["best"] == 2.0 and state["best_epoch"] == 1  # the old best went on
    log = (tmp_path / "train.log").read_text()
    assert "after epoch 2." in log and "Results of epoch 3:" in log and "Results of epoch 4:" in log


def test_params_files_of_earlier_versions_still_load_without_their_state(tmp_path):
    defaults = TrainerParams(
        scenario=TutorialScenario.default_params(), gen=TutorialScenario.default_trainer_pipeline_params()
    )
    old = defaults.to_dict()
    old.update(current_epoch=3, stop_reason="val_acc = 1 reached the threshold 1")
    old["early_stopping"].update(mode="max", monitor="val_acc", best=0.9, best_epoch=2, n=1)
    old["scenario"].update(
        default_serve_dir="serve", additional_serve_dir="additional",
        scenario_params_filename="scenario_params.json", trainer_params_filename="trainer_params.json",
    )  # fmt: skip
    assert params_from_dict(old, defaults, "old.json").to_dict() == defaults.to_dict()
    assert TrainerParams.from_dict(old).to_dict() == defaults.to_dict()
    with pytest.raises(ConfigError, match=r"old.json: unknown key 'early_stopping.bset'"):
        params_from_dict({"early_stopping": {"bset": 1}}, defaults, "old.json")
    (tmp_path / "scenario_params.json").write_text(json.dumps(old["scenario"]))  # an export of tfaip-model 0.2
    scenario_cls, scenario_params = ScenarioBase.from_path(str(tmp_path))
    assert scenario_cls is TutorialScenario and scenario_params.model == defaults.scenario.model


def test_ema_weights_are_the_moving_average_and_validation_uses_them():
    # kernel 0, loss = prediction, input 1, SGD with rate 1: after step k the kernel is -k
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    optimizer = keras.optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    model.compile(optimizer=optimizer, loss=lambda y, p: keras.ops.mean(p))
    ones, zeros = np.ones((1, 1), "float32"), np.zeros((1, 1), "float32")
    for _ in range(3):
        model.train_on_batch(ones, zeros)
    kernel = model.trainable_variables[0]
    assert float(kernel.numpy()[0, 0]) == -3.0
    average = -2.25  # the first step takes the weights (-1), then 0.5 * average + 0.5 * weights: -1.5, -2.25
    with ema_weights(model):
        assert float(kernel.numpy()[0, 0]) == pytest.approx(average)
    assert float(kernel.numpy()[0, 0]) == -3.0  # the training weights are back
    validation = model.evaluate(ones, zeros, verbose=0, callbacks=[EMAValidationCallback()], return_dict=True)
    assert validation["loss"] == pytest.approx(average)
    assert float(kernel.numpy()[0, 0]) == -3.0
