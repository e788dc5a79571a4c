"""`pip install packages/tfaip-data` in a clean venv: numpy yes, TensorFlow no, import works."""

import json
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_tfaip_data_installs_without_tensorflow(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(ROOT / "packages" / "tfaip-data")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    code = (
        "import importlib.util, json, sys, time; t = time.perf_counter(); import tfaip.data; "
        "print(json.dumps({'seconds': time.perf_counter() - t, 'numpy': importlib.util.find_spec('numpy') is not None, "
        "'tensorflow': importlib.util.find_spec('tensorflow') is not None, 'version': tfaip.data.__version__}))"
    )
    out = json.loads(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)
    import tfaip.data

    assert out["numpy"] and not out["tensorflow"] and out["version"] == tfaip.data.__version__
    print(f"import tfaip.data in a clean venv: {out['seconds']:.3f} s", file=sys.stderr)
