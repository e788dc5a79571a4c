import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfaip.data import ConfigError
from tfaip.model import TensorboardWriter
from tfaip.train import BestModelCallback, EarlyStoppingParams, Trainer, TrainerParams, TrainingState, WarmstartParams
from tfaip.train.best_export import BestExport
from tfaip.train.testing import CrashAfterEpoch, tiny_params, weights
from tfaip.train.testing.tutorial import TutorialGraph, TutorialModelParams, TutorialScenario


@pytest.mark.slow
def test_tutorial_min_reaches_90_percent_validation_accuracy(tmp_path):
    params = tiny_params(tmp_path, epochs=6, samples=-1)
    params.gen.setup.val.limit = -1
    logs = Trainer(params).train()
    assert logs["val_acc"] > 0.9
    log = (tmp_path / "train.log").read_text()
    assert "Results of epoch 6: acc: " in log and "val_acc: " in log
    for name in ("best", "export", "checkpoint", "train", "validation"):
        assert (tmp_path / name).is_dir(), name
    state = json.loads((tmp_path / "checkpoint" / "training_state.json").read_text())
    assert state["epoch"] == 6 and state["monitor"] == "val_acc"
    assert state["best"] == pytest.approx(max(state["best"], logs["val_acc"]))


def test_no_train_scope_leaves_matching_layers_bit_identical():
    trainer = Trainer(tiny_params(no_train_scope=".*conv1"))
    before = weights(trainer.scenario.root_graph)
    trainer.train()
    after = weights(trainer.root_graph)
    frozen = [k for k in before if "/conv1/" in k]
    assert frozen and all(np.array_equal(before[k], after[k]) for k in frozen)
    assert all(not np.array_equal(before[k], after[k]) for k in before if k not in frozen)


def test_no_train_scope_matching_nothing_names_the_layers():
    with pytest.raises(ValueError, match="matches no layer.*conv/conv1"):
        Trainer(tiny_params(no_train_scope="nothing")).train()


def test_early_stopping_decisions():
    state = TrainingState()
    params = EarlyStoppingParams(n_to_go=2, lower_threshold=0.5, upper_threshold=0.99)
    es = BestModelCallback(params, state, "max", "val_acc")
    assert es.update(0, 0.3) == (True, None)
    assert es.update(1, 0.2) == (False, None)  # below lower_threshold: not counted
    assert es.update(2, 0.6) == (True, None)
    assert es.update(3, 0.55) == (False, None) and state.epochs_without_improvement == 1
    improved, reason = es.update(4, 0.58)
    assert not improved and "did not improve" in reason
    assert (state.best, state.best_epoch, state.epochs_without_improvement) == (0.6, 2, 2)
    assert params == EarlyStoppingParams(n_to_go=2, lower_threshold=0.5, upper_threshold=0.99)  # config untouched
    es = BestModelCallback(EarlyStoppingParams(lower_threshold=0.1), TrainingState(), "min", "val_loss")
    assert es.update(0, 0.05)[1].startswith("val_loss = 0.05 reached the threshold")
    with pytest.raises(ConfigError, match="mode must be 'max' or 'min', got 'best'"):
        BestModelCallback(params, state, "best", "val_acc")


def test_early_stopping_stops_the_run_and_is_recorded(tmp_path):
    params = tiny_params(tmp_path, epochs=5, early_stopping=EarlyStoppingParams(upper_threshold=0.0))
    configuration = params.to_dict()
    trainer = Trainer(params)
    trainer.train()
    state = json.loads((tmp_path / "checkpoint" / "training_state.json").read_text())
    assert state["epoch"] == 1 and "reached the threshold" in state["stop_reason"]
    assert state == trainer.state.state_dict()
    assert (tmp_path / "export").is_dir()
    # the params stay the run's configuration: unchanged in memory and on disk, no state in them
    assert params.to_dict() == configuration
    assert json.loads((tmp_path / "trainer_params.json").read_text()) == configuration
    assert json.loads((tmp_path / "checkpoint" / "trainer_params.json").read_text()) == configuration


@pytest.mark.parametrize("source", ["checkpoint", "export"])
def test_warmstart_loads_the_weights_of_a_checkpoint_or_an_export(tiny_run, source):
    first, trained = tiny_run
    params = tiny_params(warmstart=WarmstartParams(model=str(first / source)))
    second = Trainer(params)
    graph = second.scenario.root_graph
    report = params.warmstart.create().warmstart(graph)
    assert report["cold"] == [] and sorted(report["warm"]) == sorted(trained)
    for key, value in weights(graph).items():
        np.testing.assert_array_equal(value, trained[key])


def test_warmstart_refuses_missing_weights_unless_partial(tiny_run):
    graph = TutorialScenario(TutorialScenario.default_params()).root_graph
    rename = WarmstartParams(model=str(tiny_run[0] / "checkpoint"), rename=["conv1->other"])
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


def test_best_export_keeps_to_its_budget_and_exports_what_waits():
    now = [0.0]
    exported = []

    def export(weights):
        now[0] += 1.0  # every export takes one second
        exported.append(weights)

    best = BestExport(export, snapshot=lambda: [np.array(now[0])], budget=0.25, clock=lambda: now[0])
    best.improved()  # t=0: at once; the next export may start at t=4
    assert exported == [None] and best.pending is None
    now[0] = 2.0
    best.improved()  # too soon: its weights wait
    assert len(exported) == 1 and best.pending == [2.0]
    best.epoch_end()
    assert len(exported) == 1
    now[0] = 4.0
    best.epoch_end()  # the budget allows it now
    assert exported[1] == [2.0] and best.pending is None
    best.improved()  # t=5 < 8: waits, then flush exports it regardless
    best.flush()
    assert exported[2] == [5.0] and best.pending is None


class _LossScenario(TutorialScenario):
    """The best model by validation loss: early in training it improves every epoch."""

    def best_logging_settings(self):
        return "min", "loss"


def test_ctrl_c_exports_the_waiting_best_model(tmp_path):
    params = tiny_params(tmp_path, epochs=3, export_best_budget=1e-9)
    trainer = Trainer(params, _LossScenario(params.scenario))
    with pytest.raises(KeyboardInterrupt):
        trainer.train([CrashAfterEpoch(1, KeyboardInterrupt())])
    assert trainer.state.best_epoch == 1 and trainer.best_export.pending is None  # epoch 2's model is in best/
    reloaded = TutorialScenario(params.scenario)
    WarmstartParams(model=str(tmp_path / "best")).create().warmstart(reloaded.root_graph)
    assert all(np.array_equal(w, weights(trainer.root_graph)[k]) for k, w in weights(reloaded.root_graph).items())


def test_a_waiting_best_model_survives_a_crash_and_is_exported_on_resume(tmp_path):
    # a budget this small lets only the first better model be exported at once
    params = tiny_params(tmp_path, epochs=3, export_best_budget=1e-9)
    with pytest.raises(RuntimeError, match="crash"):
        Trainer(params, _LossScenario(params.scenario)).train([CrashAfterEpoch(1)])
    stored = json.loads((tmp_path / "trainer_params.json").read_text())
    state = json.loads((tmp_path / "checkpoint" / "training_state.json").read_text())
    assert state["epoch"] == 2 and state["best_epoch"] == 1
    with np.load(tmp_path / "checkpoint" / "variables.npz") as variables:
        waiting = [variables[k] for k in sorted(variables.files) if k.startswith("best/")]
    assert waiting  # epoch 2's best model was not exported yet
    exported_first = (tmp_path / "best" / "serve").stat().st_mtime_ns

    params = TrainerParams.from_dict(stored)
    params.epochs = 2  # nothing left to train: the resumed run only exports
    trainer = Trainer(params, _LossScenario(params.scenario), restore=True)
    trainer.train()
    assert (tmp_path / "best" / "serve").stat().st_mtime_ns != exported_first
    reloaded = TutorialScenario(params.scenario)
    report = WarmstartParams(model=str(tmp_path / "best")).create().warmstart(reloaded.root_graph)
    assert not report["cold"]
    for value, expected in zip(reloaded.root_graph.weights, waiting):
        np.testing.assert_array_equal(value.numpy(), expected)


def _first_channel(name, value, step):
    tf.summary.image(name, value[..., :1] / max(float(value.max()), 1e-6), step=step, max_outputs=2)


class _GraphWithImages(TutorialGraph):
    """The tutorial graph that also shows its first feature map in TensorBoard."""

    def __init__(self, params, **kwargs):
        super().__init__(params, **kwargs)
        self.maps = TensorboardWriter(func=_first_channel, dtype="float32", name="conv1_maps")

    def call(self, inputs, **kwargs):
        conv1 = self.conv1(keras.ops.expand_dims(keras.ops.cast(inputs["img"], "float32") / 255, -1))
        self.add_tensorboard(self.maps, conv1)
        logits = self.logits(self.ff(self.flatten(self.pool2(self.conv2(self.pool1(conv1))))))
        pred = keras.ops.softmax(logits, axis=-1)
        return {"pred": pred, "logits": logits, "class": keras.ops.argmax(pred, axis=-1)}


@pytest.mark.slow
def test_tensorboard_images_of_the_graph_and_a_profile(tmp_path, monkeypatch):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.setattr(TutorialModelParams, "graph_cls", lambda self: _GraphWithImages)
    params = tiny_params(tmp_path, epochs=2, samples=352, profile=True)  # 22 batches: 10-20 are profiled
    Trainer(params).train()
    events = EventAccumulator(str(tmp_path / "validation"), size_guidance={"tensors": 0})
    events.Reload()
    assert [e.step for e in events.Tensors("conv1_maps")] == [1, 2]
    assert list((tmp_path / "train" / "plugins" / "profile").glob("*/*.xplane.pb"))


def test_an_earlier_run_is_refused_unless_overwritten(tiny_run, tmp_path):
    shutil.copytree(tiny_run[0], tmp_path, dirs_exist_ok=True)  # a finished run of one epoch
    with pytest.raises(ConfigError, match=r"holds an earlier training run \(epoch 1 of 1 done\).*resume"):
        Trainer(tiny_params(tmp_path, epochs=2)).train()
    assert (tmp_path / "export").is_dir()  # untouched
    (tmp_path / "lav_l0").mkdir()
    Trainer(tiny_params(tmp_path, epochs=2, overwrite_output_dir=True)).train()
    log = (tmp_path / "train.log").read_text()
    assert log.count("Results of epoch 1:") == 1 and "Results of epoch 2:" in log
    assert not (tmp_path / "lav_l0").exists()


def test_empty_data_is_one_config_error_and_the_failed_run_is_replaced_without_asking(tmp_path):
    params = tiny_params(tmp_path)
    params.gen.setup.val.limit = 0
    with pytest.raises(ConfigError, match=r"The validation data holds no samples.*--val\.limit"):
        Trainer(params).train()
    params = tiny_params(tmp_path)
    params.gen.train_val.limit_to = 0
    with pytest.raises(ConfigError, match=r"The training data holds no samples.*--train\.limit"):
        Trainer(params).train()
    Trainer(tiny_params(tmp_path)).train()  # the failed runs left no checkpoint: nothing to refuse
    assert (tmp_path / "export").is_dir()


class _CallsIntoTensorFlow(keras.callbacks.Callback):
    """Records the steps at which keras calls into TensorFlow."""

    def __init__(self):
        super().__init__()
        self.begins = []

    def on_train_batch_begin(self, batch, logs=None):
        self.begins.append(batch)


@pytest.mark.parametrize(("limit", "per_call"), [(4, 3), (16, 6)])
def test_steps_per_execution_runs_a_divisor_of_the_epoch_with_the_same_numerics(limit, per_call):
    # 96 samples of batch 16: 6 steps per epoch; 4 allows 3 steps per call, 16 the whole epoch in one
    runs = {}
    for n in (1, limit):
        trainer = Trainer(tiny_params(epochs=2, steps_per_execution=n))
        calls = _CallsIntoTensorFlow()
        trainer.train([calls])
        assert int(trainer.root_graph.optimizer.iterations) == 12  # no call ran past the end of an epoch
        assert trainer.state.epoch == 2
        runs[n] = (calls.begins, weights(trainer.root_graph))
    assert runs[1][0] == list(range(6)) * 2
    assert runs[limit][0] == list(range(0, 6, per_call)) * 2
    for key, expected in runs[1][1].items():
        np.testing.assert_allclose(runs[limit][1][key], expected, rtol=1e-5, atol=1e-6, err_msg=key)


def test_steps_per_execution_must_be_positive():
    with pytest.raises(ConfigError, match="steps_per_execution must be >= 1"):
        tiny_params(steps_per_execution=0)
