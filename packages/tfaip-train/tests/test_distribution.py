"""`--trainer.dist_strategy mirror|central_storage` on two logical CPU devices (no GPU needed).

Each case runs in its own process: TensorFlow's devices are fixed once it starts.
"""

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, sys
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from tfaip.train.testing import tiny_params, weights
from tfaip.train import Trainer

def train(strategy, output_dir):
    params = tiny_params(output_dir, epochs=2, samples=64, dist_strategy=strategy)
    trainer = Trainer(params)
    trainer.train()
    return trainer, weights(trainer.root_graph)

distributed, got = train(sys.argv[1], sys.argv[2])
replicas = distributed.root_graph.distribute_strategy.num_replicas_in_sync
_, expected = train("default", None)
worst = max(float(np.abs(got[k] - expected[k]).max()) for k in expected)
print(json.dumps({"replicas": replicas, "worst": worst}))
"""


@pytest.mark.parametrize("strategy", ["mirror", "central_storage"])
def test_a_strategy_on_two_cpu_devices_trains_like_one_device(tmp_path, strategy):
    script = tmp_path / "distributed.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), strategy, str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["replicas"] == 2
    assert outcome["worst"] < 1e-4, outcome  # the same updates, split over two devices
    for name in ("checkpoint", "best", "export"):
        assert (tmp_path / "run" / name).is_dir(), name
