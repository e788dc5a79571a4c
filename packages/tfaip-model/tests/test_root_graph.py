"""The tutorial scenario trains with plain keras fit; losses and metrics are logged by name."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfaip.data import PipelineMode, Sample
from tfaip.data.tf import create_dataset
from tfaip.model import GenericGraphBase, MetricDefinition, ModelBase, RootGraph
from tfaip.model.testing.tutorial import (
    TutorialData,
    TutorialDataParams,
    TutorialModel,
    TutorialModelParams,
    TutorialScenario,
)


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(1)
    scenario = TutorialScenario(TutorialScenario.default_params())
    gen = TutorialScenario.default_trainer_pipeline_params()
    gen.setup.train.batch_size = 32
    gen.setup.val.batch_size = 64
    root = scenario.root_graph
    root.compile(optimizer=keras.optimizers.Adam(3e-3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = root.fit(
            create_dataset(gen.train_data(scenario.data)),
            validation_data=create_dataset(gen.val_data(scenario.data)),
            epochs=2,
            verbose=0,
        )
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning)] == []  # shuffle, ran out of data
    return scenario, gen, history.history


def test_two_epochs_of_fit_learn_the_digits(trained):
    _, _, history = trained
    assert history["val_acc"][-1] > 0.5  # chance is 0.1
    assert history["loss"][1] < history["loss"][0]


def test_running_short_of_the_steps_asked_for_still_warns(trained):
    scenario, gen, _ = trained
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        scenario.root_graph.evaluate(create_dataset(gen.val_data(scenario.data)), steps=100, verbose=0)


def test_losses_and_metric_definition_are_logged_by_name(trained):
    _, _, history = trained
    names = {"loss", "keras_loss", "raw_loss", "acc"}
    assert set(history) == names | {f"val_{n}" for n in names}


def test_total_loss_is_the_weighted_sum(trained):
    scenario, gen, _ = trained
    logs = scenario.root_graph.evaluate(create_dataset(gen.val_data(scenario.data)), return_dict=True, verbose=0)
    assert logs["loss"] == pytest.approx(0.5 * logs["keras_loss"] + 2.0 * logs["raw_loss"], rel=1e-5)


def test_prediction_mode_dataset_feeds_predict(trained):
    scenario, gen, _ = trained
    gen.setup.val.mode = PipelineMode.PREDICTION
    try:
        outputs = scenario.root_graph.predict(create_dataset(gen.val_data(scenario.data)), verbose=0)
    finally:
        gen.setup.val.mode = PipelineMode.EVALUATION
    assert outputs["pred"].shape == (297, 10) and outputs["class"].shape == (297,)


def test_print_evaluate_gets_an_unbatched_sample(trained):
    scenario, _, _ = trained
    lines = []
    sample = Sample(outputs={"class": 3}, targets={"gt": np.array([3], "uint8")})
    scenario.model.print_evaluate(sample, scenario.data, print_fn=lines.append)
    assert lines == ["PRED/GT: 3==3"]


def test_best_logging_settings_come_from_the_model(trained):
    scenario, _, _ = trained
    assert scenario.best_logging_settings() == ("max", "acc")


def make_root(model_cls, **params):
    return RootGraph(model_cls(TutorialModelParams(**params)), TutorialData(TutorialDataParams()))


class ListMetricModel(TutorialModel):
    """The reference "Model" chapter form: metrics created in __init__, called in _metric."""

    def __init__(self, params):
        super().__init__(params)
        self.acc_metric = keras.metrics.SparseCategoricalAccuracy(name="my_acc")

    def _loss(self, inputs, targets, outputs):
        return {"loss": self.scc_loss(targets["gt"], outputs["logits"])}

    def _loss_weights(self):
        return None

    def _metric(self, inputs, targets, outputs):
        return [self.acc_metric(targets["gt"], outputs["logits"])]

    def _best_logging_settings(self):
        return "min", "loss"


def test_called_keras_metrics_are_tracked_reset_and_logged_under_their_name():
    root = make_root(ListMetricModel)
    assert root.log_names == ["loss", "my_acc"]
    root.compile(optimizer="sgd")
    images = np.zeros([4, 8, 8], "uint8")
    targets = np.array([[1], [1], [2], [3]], "uint8")
    first = root.evaluate({"img": images}, {"gt": targets}, return_dict=True, verbose=0)
    second = root.evaluate({"img": images}, {"gt": targets}, return_dict=True, verbose=0)
    assert first == second  # the metric is reset between runs
    assert set(first) == {"loss", "my_acc"}


def test_the_root_graph_is_built_before_fit_and_exposes_named_layers():
    root = make_root(TutorialModel)
    assert root.built and len(root.trainable_weights) == 8
    layer_names = {name for v in root.user_graph.weights for name in v.path.split("/")[:-1]}  # layer/.../weight
    assert layer_names >= {"conv1", "f_ff", "classify"}


class LossNotADict(TutorialModel):
    def _loss(self, inputs, targets, outputs):
        return self.scc_loss(targets["gt"], outputs["logits"])


class LossObjectInsteadOfValue(TutorialModel):
    def _loss(self, inputs, targets, outputs):
        return {"keras_loss": self.scc_loss, "raw_loss": self.scc_loss}


class UnknownMetricTarget(TutorialModel):
    def _metric(self):
        return {"acc": MetricDefinition("label", "logits", keras.metrics.SparseCategoricalAccuracy())}


class UnknownMetricOutput(TutorialModel):
    def _metric(self):
        return {"acc": MetricDefinition("gt", "probabilities", keras.metrics.SparseCategoricalAccuracy())}


class UnknownBestKey(TutorialModel):
    def _best_logging_settings(self):
        return "max", "accuracy"


class BadBestMode(TutorialModel):
    def _best_logging_settings(self):
        return "highest", "acc"


class UnknownLossWeight(TutorialModel):
    def _loss_weights(self):
        return {"keras_loss": 1.0, "ctc_loss": 1.0}


class MetricCreatedInCall(TutorialModel):
    def _metric(self, inputs, targets, outputs):
        return {"acc": MetricDefinition("gt", "logits", keras.metrics.SparseCategoricalAccuracy())}


class LossNamedLikeAMetric(TutorialModel):
    def _loss(self, inputs, targets, outputs):
        return {"acc": self.scc_loss(targets["gt"], outputs["logits"])}

    def _loss_weights(self):
        return None


@pytest.mark.parametrize(
    "model_cls, error, message",
    [
        (LossNotADict, TypeError, "_loss must return a non-empty dict name -> loss tensor"),
        (LossObjectInsteadOfValue, TypeError, "not the loss object"),
        (UnknownMetricTarget, KeyError, "names the target 'label', but the targets are ['gt']"),
        (UnknownMetricOutput, KeyError, "names the output 'probabilities', but the outputs are ['class', 'logits'"),
        (UnknownBestKey, KeyError, "monitors 'accuracy', which no loss or metric defines; choose one of ['loss'"),
        (BadBestMode, ValueError, "must return ('min' or 'max', key)"),
        (UnknownLossWeight, KeyError, "_loss_weights names ['ctc_loss'], which _loss does not return"),
        (MetricCreatedInCall, ValueError, "create it once in __init__"),
        (LossNamedLikeAMetric, ValueError, "would contain ['acc'] more than once"),
    ],
)
def test_bad_model_hooks_fail_at_construction_with_a_clear_message(model_cls, error, message):
    with pytest.raises(error) as info:
        make_root(model_cls)
    assert message in str(info.value)


class TeacherForcedGraph(GenericGraphBase[TutorialModelParams]):
    """Training sees the targets; prediction does not."""

    def __init__(self, params, **kwargs):
        super().__init__(params, **kwargs)
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(params.n_classes)
        self.embed = keras.layers.Embedding(params.n_classes, params.n_classes)

    def build_train_graph(self, inputs, targets=None, training=None):
        logits = self.dense(self.flatten(keras.ops.cast(inputs["img"], "float32")))
        return {"logits": logits + self.embed(keras.ops.cast(targets["gt"][:, 0], "int32")), "class": logits}

    def build_prediction_graph(self, inputs):
        logits = self.dense(self.flatten(keras.ops.cast(inputs["img"], "float32")))
        return {"logits": logits, "class": keras.ops.argmax(logits, -1)}

    def pre_proc_targets(self, inputs, targets):
        return {"gt": targets["gt"] + 0}


class TeacherForcedModel(ListMetricModel):
    def create_graph(self, params):
        return TeacherForcedGraph(params)


def test_generic_graph_uses_the_training_graph_with_targets_and_the_prediction_graph_without():
    root = make_root(TeacherForcedModel)
    root.compile(optimizer="sgd")
    images = np.ones([2, 8, 8], "uint8")
    logs = root.evaluate({"img": images}, {"gt": np.array([[1], [2]], "uint8")}, return_dict=True, verbose=0)
    assert np.isfinite(logs["loss"])
    predicted = root.predict({"img": images}, verbose=0)
    assert predicted["class"].shape == (2,) and predicted["class"].dtype.kind == "i"
    assert len(root.user_graph.embed.weights) == 1  # built by the construction trace


def test_batches_without_targets_or_with_sample_weights_are_rejected():
    root = make_root(TutorialModel)
    root.compile(optimizer="sgd")
    data = tf.data.Dataset.from_tensors({"img": np.zeros([1, 8, 8], "uint8")})
    with pytest.raises(ValueError, match="no targets"):
        root.fit(data, verbose=0)


def test_a_model_without_loss_says_what_to_implement():
    class NoLoss(ModelBase[TutorialModelParams]):
        pass

    with pytest.raises(NotImplementedError, match=r"NoLoss._loss\(inputs, targets, outputs\)"):
        make_root(NoLoss)
