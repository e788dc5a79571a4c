import json

import numpy as np
import pytest
from tfaip_scenarios.tutorial.min.scenario import TutorialScenario
from train_helpers import tiny_params, weights

from tfaip.train import EarlyStoppingParams, Trainer, WarmstartParams


def test_tutorial_min_reaches_90_percent_validation_accuracy(tmp_path):
    params = tiny_params(tmp_path, epochs=6, samples=-1)
    params.gen.setup.val.limit = -1
    logs = Trainer(params).train()
    assert logs["val_acc"] > 0.9
    log = (tmp_path / "train.log").read_text()
    assert "Results of epoch 6: acc: " in log and "val_acc: " in log
    for name in ("best", "export", "checkpoint", "train", "validation"):
        assert (tmp_path / name).is_dir(), name
    stored = json.loads((tmp_path / "checkpoint" / "trainer_params.json").read_text())
    assert stored["current_epoch"] == 6 and stored["early_stopping"]["best"] == pytest.approx(
        max(stored["early_stopping"]["best"], logs["val_acc"])
    )


def test_no_train_scope_leaves_matching_layers_bit_identical():
    trainer = Trainer(tiny_params(no_train_scope=".*conv1"))
    before = weights(trainer.scenario.graph)
    trainer.train()
    after = weights(trainer.graph)
    frozen = [k for k in before if "/conv1/" in k]
    assert frozen and all(np.array_equal(before[k], after[k]) for k in frozen)
    assert all(not np.array_equal(before[k], after[k]) for k in before if k not in frozen)


def test_no_train_scope_matching_nothing_names_the_layers():
    with pytest.raises(ValueError, match="matches no layer.*conv/conv1"):
        Trainer(tiny_params(no_train_scope="nothing")).train()


def test_early_stopping_decisions():
    es = EarlyStoppingParams(n_to_go=2, mode="max", monitor="val_acc", lower_threshold=0.5, upper_threshold=0.99)
    assert es.update(0, 0.3) == (True, None)
    assert es.update(1, 0.2) == (False, None)  # below lower_threshold: not counted
    assert es.update(2, 0.6) == (True, None)
    assert es.update(3, 0.55) == (False, None) and es.n == 1
    improved, reason = es.update(4, 0.58)
    assert not improved and "did not improve" in reason
    es = EarlyStoppingParams(mode="min", monitor="val_loss", lower_threshold=0.1)
    assert es.update(0, 0.05)[1].startswith("val_loss = 0.05 reached the threshold")


def test_early_stopping_stops_the_run_and_is_recorded(tmp_path):
    params = tiny_params(tmp_path, epochs=5, early_stopping=EarlyStoppingParams(upper_threshold=0.0))
    Trainer(params).train()
    stored = json.loads((tmp_path / "trainer_params.json").read_text())
    assert stored["current_epoch"] == 1 and "reached the threshold" in stored["stop_reason"]
    assert (tmp_path / "export").is_dir()


@pytest.mark.parametrize("source", ["checkpoint", "export"])
def test_warmstart_loads_the_weights_of_a_checkpoint_or_an_export(tmp_path, source):
    first = Trainer(tiny_params(tmp_path / "first"))
    first.train()
    trained = weights(first.graph)
    params = tiny_params(warmstart=WarmstartParams(model=str(tmp_path / "first" / source)))
    second = Trainer(params)
    graph = second.scenario.graph
    report = params.warmstart.create().warmstart(graph)
    assert report["cold"] == [] and sorted(report["warm"]) == sorted(trained)
    for key, value in weights(graph).items():
        np.testing.assert_array_equal(value, trained[key])


def test_warmstart_refuses_missing_weights_unless_partial(tmp_path):
    Trainer(tiny_params(tmp_path)).train()
    graph = TutorialScenario(TutorialScenario.default_params()).graph
    rename = WarmstartParams(model=str(tmp_path / "checkpoint"), rename=["conv1->other"])
    with pytest.raises(ValueError, match="allow_partial"):
        rename.create().warmstart(graph)
    rename.allow_partial = True
    report = rename.create().warmstart(graph)
    assert sorted(report["cold"]) == ["conv/conv1/bias", "conv/conv1/kernel"]
    assert sorted(report["unused"]) == ["conv/other/bias", "conv/other/kernel"]


def _scalars(event_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(event_dir), size_guidance={"tensors": 0})
    events.Reload()
    return {tag: len(events.Tensors(tag)) for tag in events.Tags()["tensors"]}


def test_lav_every_n_epochs_and_tensorboard_scalars(tmp_path):
    params = tiny_params(tmp_path, epochs=3, lav_every_n=2, calc_ema=-1)
    logs = Trainer(params).train()
    assert "lav_l0_acc" in logs and "lav_l0_loss" in logs  # after the last epoch
    log = (tmp_path / "train.log").read_text()
    assert "LAV l0 of epoch 2:" in log and "LAV l0 of epoch 3:" in log and "LAV l0 of epoch 1:" not in log
    assert _scalars(tmp_path / "lav_l0") == {"acc": 2, "loss": 2}
    train = _scalars(tmp_path / "train")
    assert train["learning_rate"] == 3 and train["loss"] == 3
    assert _scalars(tmp_path / "validation")["acc"] == 3
