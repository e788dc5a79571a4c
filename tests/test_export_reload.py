"""An export runs with bare TensorFlow in a fresh process that cannot import tfaip.model."""

import subprocess
import sys

import keras
import numpy as np
import pytest

from tfaip.model.testing.tutorial import TutorialScenario, load_split

pytestmark = pytest.mark.slow

RELOAD = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name == "tfaip" or name.startswith("tfaip."):
            raise ImportError("tfaip is blocked in this process")
sys.meta_path.insert(0, Blocker())
import numpy as np
import tensorflow as tf
inputs = dict(np.load(sys.argv[2]))
loaded = tf.saved_model.load(sys.argv[1])
served = {k: v.numpy() for k, v in loaded.serve(inputs).items()}
signature = {k: v.numpy() for k, v in loaded.signatures["serving_default"](**inputs).items()}
assert not any(m.startswith("tfaip") for m in sys.modules)
np.savez(sys.argv[3], **{"serve_" + k: v for k, v in served.items()}, **{"sig_" + k: v for k, v in signature.items()})
"""


def test_export_reloads_with_bare_tensorflow_and_matches_the_live_model(tmp_path):
    keras.utils.set_random_seed(3)
    scenario = TutorialScenario(TutorialScenario.default_params())
    root = scenario.root_graph
    images, labels = load_split(training=True)
    root.compile(optimizer=keras.optimizers.Adam(3e-3))
    root.fit({"img": images[:256]}, {"gt": labels[:256, None]}, batch_size=32, epochs=1, verbose=0)
    scenario.export(str(tmp_path / "export"))

    batch = {"img": load_split(training=False)[0][:50]}
    live = {k: np.asarray(v) for k, v in root.predict(batch, verbose=0).items()}
    np.savez(tmp_path / "inputs.npz", **batch)
    script = tmp_path / "reload.py"
    script.write_text(RELOAD)
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(tmp_path / "export" / "serve"),
            str(tmp_path / "inputs.npz"),
            str(tmp_path / "outputs.npz"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    reloaded = np.load(tmp_path / "outputs.npz")
    for prefix in ("serve_", "sig_"):
        assert {k[len(prefix) :] for k in reloaded.files if k.startswith(prefix)} == set(live)
        for name, value in live.items():
            np.testing.assert_allclose(reloaded[prefix + name], value, atol=1e-5, rtol=1e-5)
