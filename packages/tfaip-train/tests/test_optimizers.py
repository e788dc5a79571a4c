import numpy as np
import pytest

from tfaip.data import ConfigError
from tfaip.train import (
    AdaBeliefOptimizer,
    AdamaxOptimizer,
    AdamOptimizer,
    Constant,
    CosineDecayParams,
    ExponentialDecayParams,
    LambOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
    Trainer,
    WarmupConstantCosineDecayParams,
    WarmupCosineDecayParams,
    WarmupDecayParams,
)
from tfaip.train.testing import tiny_params, weights
from tfaip.train.testing.tutorial import TutorialScenario, load_split


def rates(schedule_params, epochs=10, steps_per_epoch=4):
    schedule = schedule_params.create(epochs, steps_per_epoch)
    return np.array([float(schedule(e * steps_per_epoch)) for e in range(epochs)])


def test_schedules_follow_their_formulas():
    np.testing.assert_allclose(rates(Constant(lr=0.01)), 0.01)
    np.testing.assert_allclose(
        rates(ExponentialDecayParams(lr=1.0, learning_circle=2, lr_decay_rate=0.5)), 0.5 ** (np.arange(10) // 2)
    )
    cosine = rates(CosineDecayParams(lr=1.0, lr_decay_rate=1.0, final_epochs=4, decay_fraction=0.2))
    np.testing.assert_allclose(cosine[:7], 1.0, rtol=1e-6)
    assert cosine[-1] > 0.2 and np.all(np.diff(cosine[6:]) < 0)  # cools down towards the fraction
    warm = rates(WarmupCosineDecayParams(lr=1.0, warmup_epochs=4, warmup_factor=10, lr_decay_rate=1.0, final_epochs=1))
    np.testing.assert_allclose(warm[:5], [0.1, 0.325, 0.55, 0.775, 1.0], rtol=1e-6)
    constant = rates(
        WarmupConstantCosineDecayParams(lr=1.0, warmup_epochs=2, constant_epochs=3, lr_decay_rate=0.5, final_epochs=1)
    )
    np.testing.assert_allclose(constant[2:6], [1.0, 1.0, 1.0, 1.0], rtol=1e-6)
    assert constant[8] == pytest.approx(0.5)  # one decay step 3 epochs after the delay of 5
    noam = rates(WarmupDecayParams(lr=1.0, warmup_epochs=4))
    assert np.argmax(noam) == 4 and noam[4] == pytest.approx(1.0, rel=1e-3)


def test_bad_schedule_params_are_refused():
    with pytest.raises(ConfigError, match=r"Constant: lr must be >= 0, got -0.1 \(--learning_rate.lr\)"):
        Constant(lr=-0.1).create(1, 1)


def test_a_learning_rate_of_0_freezes_the_weights():
    # the original's own tests freeze training with it, e.g. to compare a resumed run's validation
    params = tiny_params(
        samples=32, learning_rate=ExponentialDecayParams(lr=0), optimizer=AdamOptimizer(weight_decay=0.1)
    )
    trainer = Trainer(params)
    before = weights(trainer.scenario.root_graph)
    logs = trainer.train()
    after = weights(trainer.root_graph)
    assert np.isfinite(logs["loss"])
    for key in before:
        np.testing.assert_array_equal(before[key], after[key], err_msg=key)


@pytest.mark.parametrize(
    "optimizer",
    [AdamOptimizer(), AdamaxOptimizer(), AdaBeliefOptimizer(), RMSpropOptimizer(), SGDOptimizer(momentum=0.9),
     LambOptimizer(), AdamOptimizer(clip_value=0.1), SGDOptimizer(clip_norm=0.5), AdamOptimizer(clip_global_norm=1.0),
     AdamOptimizer(weight_decay=1e-4)],
    ids=lambda o: f"{type(o).__name__}-{o.to_dict()}",
)  # fmt: skip
def test_every_optimizer_trains_one_short_epoch(optimizer):
    params = tiny_params(optimizer=optimizer, samples=32, learning_rate=Constant(lr=0.01))
    trainer = Trainer(params)
    before = weights(trainer.scenario.root_graph)
    logs = trainer.train()
    after = weights(trainer.root_graph)
    assert np.isfinite(logs["loss"]) and "val_acc" in logs
    assert all(not np.array_equal(before[k], after[k]) for k in before)


LR = 0.01  # Adam's normalised steps amplify float rounding of near-zero gradients in proportion to the rate


def _sgd_step(optimizer_params, batches, accumulation=1):
    scenario = TutorialScenario(TutorialScenario.default_params())
    graph = scenario.root_graph
    graph.set_weights([np.full(w.shape, 0.01, "float32") * np.arange(w.size).reshape(w.shape) % 0.3 - 0.15
                       for w in graph.get_weights()])  # fmt: skip
    schedule = Constant(lr=LR).create(1, 1)
    graph.compile(optimizer=optimizer_params.create(schedule, LR, accumulation))
    for inputs, targets in batches:
        graph.train_on_batch(inputs, targets)
    return weights(graph), graph.get_weights()


def _digits_batches(n, size):
    images, labels = load_split(True)
    return [({"img": images[i * size : (i + 1) * size]}, {"gt": labels[i * size : (i + 1) * size, None]})
            for i in range(n)]  # fmt: skip


@pytest.mark.parametrize("optimizer", [SGDOptimizer(), AdamOptimizer()], ids=["SGD", "Adam"])
def test_accumulating_n_batches_of_b_equals_one_batch_of_n_times_b(optimizer):
    small = _digits_batches(4, 8)
    big = [({"img": np.concatenate([b[0]["img"] for b in small])}, {"gt": np.concatenate([b[1]["gt"] for b in small])})]
    accumulated, _ = _sgd_step(optimizer, small, accumulation=4)
    single, _ = _sgd_step(optimizer, big)
    for key in single:
        np.testing.assert_allclose(accumulated[key], single[key], atol=1e-5, err_msg=key)


def test_weight_decay_subtracts_decay_times_weight_at_the_base_rate():
    batch = _digits_batches(1, 16)
    plain, _ = _sgd_step(SGDOptimizer(), batch)
    start, _ = _sgd_step(SGDOptimizer(clip_value=1e-30), batch)  # ~no gradient step: the initial weights
    decayed, _ = _sgd_step(SGDOptimizer(weight_decay=0.01), batch)
    for key in plain:
        np.testing.assert_allclose(decayed[key], plain[key] - 0.01 * start[key], atol=1e-6, err_msg=key)


def test_clip_value_bounds_every_update():
    batch = _digits_batches(1, 16)
    start, _ = _sgd_step(SGDOptimizer(clip_value=1e-30), batch)
    clipped, _ = _sgd_step(SGDOptimizer(clip_value=1e-3), batch)
    for key in start:
        assert np.max(np.abs(clipped[key] - start[key])) <= LR * 1e-3 + 1e-8


def test_clip_norm_and_clip_global_norm_together_are_refused():
    with pytest.raises(ValueError, match="only one"):
        AdamOptimizer(clip_norm=1, clip_global_norm=1).create(0.1, 0.1)
