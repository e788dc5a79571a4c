"""`pip install packages/tfaip-data` in a clean venv: numpy yes, TensorFlow no, import works, its tests pass."""

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def python(tmp_path_factory) -> Path:
    """The interpreter of a clean venv holding tfaip-data (and pytest, to run its tests)."""
    env_dir = tmp_path_factory.mktemp("clean") / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(ROOT / "packages" / "tfaip-data"), "pytest"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return python


def test_tfaip_data_installs_without_tensorflow(python):
    code = (
        "import importlib.util, json, sys, time; t = time.perf_counter(); import tfaip.data; "
        "print(json.dumps({'seconds': time.perf_counter() - t, 'numpy': importlib.util.find_spec('numpy') is not None, "
        "'tensorflow': importlib.util.find_spec('tensorflow') is not None, 'version': tfaip.data.__version__}))"
    )
    out = json.loads(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)
    import tfaip.data

    assert out["numpy"] and not out["tensorflow"] and out["version"] == tfaip.data.__version__
    print(f"import tfaip.data in a clean venv: {out['seconds']:.3f} s", file=sys.stderr)


def test_tfaip_data_tests_pass_from_its_own_tree_against_the_installed_dist(python, tmp_path):
    """The dist's tests need only the dist (and its `tfaip.data.testing`): no repository, no TensorFlow."""
    shutil.copytree(ROOT / "packages" / "tfaip-data" / "tests", tmp_path / "tests")
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestUnknownMarkWarning",
         "tests"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout.splitlines()[-1]
