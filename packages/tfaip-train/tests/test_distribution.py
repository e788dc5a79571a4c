"""Distribution on two logical CPU devices (no GPU needed): the root graph's train step scales the loss, so a
mirrored step equals a plain step, and `--trainer.dist_strategy mirror|central_storage` trains like one device.

Everything runs in one process of its own: TensorFlow's devices are fixed once it starts.
"""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

SCRIPT = """
import json, sys
import keras
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from tfaip.model.testing.tutorial import TutorialScenario, load_split
from tfaip.train import Trainer
from tfaip.train.testing import tiny_params, weights

images, labels = load_split(training=True)
x, y = {"img": images[:8]}, {"gt": labels[:8, None]}

def one_step(strategy, initial=None):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        root = TutorialScenario(TutorialScenario.default_params()).root_graph
        if initial is not None:
            root.set_weights(initial)
        start = root.get_weights()
        root.compile(optimizer=keras.optimizers.SGD(0.5))
    root.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    return start, root.get_weights()

# reduced on one device: a second strategy with collective ops (the trainer's mirror) fails in the same process
one_device = tf.distribute.ReductionToOneDevice()
start, mirrored = one_step(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"], cross_device_ops=one_device))
_, plain = one_step(tf.distribute.get_strategy(), start)
step = {
    "changed": max(float(np.abs(a - b).max()) for a, b in zip(start, plain)),
    "equal": all(np.allclose(a, b, atol=1e-5) for a, b in zip(mirrored, plain)),
    "worst": max(float(np.abs(a - b).max()) for a, b in zip(mirrored, plain)),
}

def train(strategy, output_dir):
    params = tiny_params(output_dir, epochs=2, samples=64, dist_strategy=strategy)
    trainer = Trainer(params)
    trainer.train()
    return trainer, weights(trainer.root_graph)

_, expected = train("default", None)
strategies = {}
for strategy in sys.argv[2:]:
    distributed, got = train(strategy, f"{sys.argv[1]}/{strategy}")
    replicas = distributed.root_graph.distribute_strategy.num_replicas_in_sync
    worst = max(float(np.abs(got[k] - expected[k]).max()) for k in expected)
    strategies[strategy] = {"replicas": replicas, "worst": worst}
print(json.dumps({"step": step, "strategies": strategies}))
"""
STRATEGIES = ["mirror", "central_storage"]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """What the script found, and the folder its runs wrote to."""
    folder = tmp_path_factory.mktemp("distributed")
    script = folder / "distributed.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(folder), *STRATEGIES], capture_output=True, text=True, timeout=300,
        cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), folder


def test_a_mirrored_step_on_two_devices_equals_the_plain_step(outcome):
    step = outcome[0]["step"]
    assert step["changed"] > 1e-3, "the step changed nothing"
    assert step["equal"], step


def test_each_strategy_on_two_cpu_devices_trains_like_one_device(outcome):
    strategies, folder = outcome
    strategies = strategies["strategies"]
    assert sorted(strategies) == sorted(STRATEGIES)
    for strategy, result in strategies.items():
        assert result["replicas"] == 2, strategy
        assert result["worst"] < 1e-4, (strategy, result)  # the same updates, split over two devices
        for name in ("checkpoint", "best", "export"):
            assert (folder / strategy / name).is_dir(), (strategy, name)
