"""The root graph's train step scales the loss for distribution: a mirrored step equals a plain step."""

import subprocess
import sys

SCRIPT = """
import keras, numpy as np, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from tfaip.model.testing.tutorial import TutorialScenario, load_split

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

start, mirrored = one_step(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
_, plain = one_step(tf.distribute.get_strategy(), start)
assert any(np.abs(a - b).max() > 1e-3 for a, b in zip(start, plain)), "the step changed nothing"
for a, b in zip(mirrored, plain):
    np.testing.assert_allclose(a, b, atol=1e-5)
print("OK")
"""


def test_a_mirrored_step_on_two_devices_equals_the_plain_step(tmp_path):
    script = tmp_path / "mirrored.py"
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0 and "OK" in result.stdout, result.stderr[-3000:]
