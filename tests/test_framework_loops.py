"""The torch training loop fed by a tfaip pipeline (tests/loops/), in a process of its own.

Its threads stay out of this process, whose other tests fork pipeline workers. The JAX loop
runs in the `bench` environment (`.ci/run`): TensorFlow imports JAX whenever it is installed.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LOOPS = Path(__file__).parent / "loops"


@pytest.mark.parametrize("script", ["torch_training.py"])
def test_a_framework_loop_trains_and_resumes_exactly(script):
    result = subprocess.run([sys.executable, str(LOOPS / script)], capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "ok"
