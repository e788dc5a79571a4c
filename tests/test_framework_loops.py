"""JAX and torch training loops fed by tfaip pipelines (tests/loops/), each in a process of its own.

Importing JAX sets TF_CPP_MIN_LOG_LEVEL and starts threads; in this process that would leak into
the console scripts the other tests start and into the pipeline workers they fork.
"""

import subprocess
import sys
from pathlib import Path

import pytest

LOOPS = Path(__file__).parent / "loops"


@pytest.mark.parametrize("script", ["jax_training.py", "torch_training.py"])
def test_a_framework_loop_trains_and_resumes_exactly(script):
    result = subprocess.run([sys.executable, str(LOOPS / script)], capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "ok"
