"""A tiny JAX model trained on the tutorial's pipeline through tfaip.data.jax, and resumed exactly mid-pass.

Run by tests/test_framework_loops.py in a process of its own; exits non-zero when a check fails.
"""

import pickle
import random

import jax
import jax.numpy as jnp
import numpy as np
from tfaip_scenarios.tutorial.min.scenario import TutorialData, TutorialDataGeneratorParams

import tfaip.data.jax as tfaip_jax
from tfaip.data import DataPipelineParams, PipelineMode


def _pipeline(mode=PipelineMode.TRAINING):
    data = TutorialData(TutorialData.default_params())
    params = DataPipelineParams(mode=mode, batch_size=16, num_processes=2, shuffle_buffer_size=50)
    return data.create_pipeline(params, TutorialDataGeneratorParams(limit_to=200))


def _loss(w, img, gt):
    logits = img.reshape(img.shape[0], -1).astype("float32") / 255 @ w
    return -jnp.mean(jnp.sum(jax.nn.log_softmax(logits) * jax.nn.one_hot(gt[:, 0], 10), axis=-1))


@jax.jit
def _step(w, img, gt):
    return w - 0.5 * jax.grad(_loss)(w, img, gt)


def _train(w, batches, steps):
    for _, (inputs, targets) in zip(range(steps), batches):
        w = _step(w, inputs["img"], targets["gt"])
    return w


def check_a_jax_model_trains_and_resumes_exactly():
    w0 = jnp.zeros((28 * 28, 10))
    random.seed(0)
    with tfaip_jax.batches(_pipeline(), auto_repeat=True) as batches:
        straight = _train(w0, batches, 30)  # 2.4 passes of 200 digits

    random.seed(0)
    with tfaip_jax.batches(_pipeline(), prefetch=3, auto_repeat=True) as batches:
        half = _train(w0, batches, 17)  # three more batches are on the device already
        saved = pickle.dumps((np.asarray(half), batches.state_dict()))
    weights, state = pickle.loads(saved)
    resumed = _pipeline()
    resumed.load_state_dict(state)
    with tfaip_jax.batches(resumed, auto_repeat=True) as batches:
        end = _train(jnp.asarray(weights), batches, 13)
    np.testing.assert_allclose(np.asarray(end), np.asarray(straight), rtol=1e-6, atol=1e-7)

    with tfaip_jax.batches(_pipeline(PipelineMode.EVALUATION)) as batches:
        correct = [int(jnp.sum(jnp.argmax(i["img"].reshape(len(t["gt"]), -1) / 255 @ end, -1) == t["gt"][:, 0]))
                   for i, t in batches]  # fmt: skip
    assert sum(correct) / 200 > 0.6  # it learned (chance: 0.1)


if __name__ == "__main__":
    check_a_jax_model_trains_and_resumes_exactly()
    print("ok")
