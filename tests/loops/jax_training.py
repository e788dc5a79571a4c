"""A tiny JAX model trained on the tutorial's digits through tfaip.data.jax, and resumed exactly mid-pass.

TensorFlow imports JAX whenever it is installed (1.3 s, and it sets TF_CPP_MIN_LOG_LEVEL), so JAX
is kept out of the test environment: `.ci/run` runs this script in the `bench` environment
(tfaip-data, torch, jax, scikit-learn; no TensorFlow). It exits non-zero when a check fails.
"""

import pickle
import random
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from paiargparse import pai_dataclass
from sklearn.datasets import load_digits

import tfaip.data.jax as tfaip_jax
from tfaip.data import ArraySpec, DataBase, DataGenerator, DataGeneratorParams, DataPipelineParams, PipelineMode, Sample


@pai_dataclass
@dataclass
class DigitsParams(DataGeneratorParams):
    """The first 200 digits."""


class DigitsGenerator(DataGenerator[DigitsParams]):
    """scikit-learn's 8x8 digits as uint8 images (random access)."""

    def __init__(self, mode, params):
        super().__init__(mode, params)
        digits = load_digits()
        self.images = (digits.images[:200] * 16).clip(0, 255).astype("uint8")
        self.labels = digits.target[:200].astype("uint8")

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return Sample(inputs={"img": self.images[i]}, targets={"gt": self.labels[i : i + 1]})

    def generate(self):
        return (self[i] for i in range(len(self)))


class Digits(DataBase):
    """scikit-learn's 8x8 digits (the tutorial scales the same ones to 28x28)."""

    def _input_layer_specs(self):
        return {"img": ArraySpec([8, 8], "uint8")}

    def _target_layer_specs(self):
        return {"gt": ArraySpec([1], "uint8")}


def _pipeline(mode=PipelineMode.TRAINING):
    params = DataPipelineParams(mode=mode, batch_size=16, num_processes=2, shuffle_buffer_size=50)
    return Digits(Digits.default_params()).create_pipeline(params, DigitsParams())


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
    w0 = jnp.zeros((8 * 8, 10))
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
