"""The README's example and the layout of the five distributions."""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["data", "model", "serve", "train", "experimenter"]


@pytest.mark.parametrize("parallel", ["True", "False"])
def test_standalone_example_runs_end_to_end(parallel):
    cmd = [
        sys.executable,
        "examples/standalone_pipeline.py",
        "--generator.repeat",
        "1",
        "--data.pre_proc.run_parallel",
        parallel,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert re.search(r"1797 samples in [\d.]+ s: [\d,]+ samples/s", result.stdout), result.stdout


def test_example_rejects_unknown_flags():
    cmd = [sys.executable, "examples/standalone_pipeline.py", "--pipeline.batchsize", "3"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode != 0 and "--pipeline.batch_size" in result.stderr


def test_readme_starts_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.S).group(1).strip().splitlines()
    assert block == [
        "python -m pip install -q hatch && hatch run tutorial",
        "python -m pip install -q hatch && hatch run test",
    ]
    assert "hatch run test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("index, name", list(enumerate(PACKAGES)))
def test_each_package_is_versioned_and_pins_the_ones_below(index, name):
    module = __import__(f"tfaip.{name}", fromlist=["__version__"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", module.__version__)
    assert metadata.version(f"tfaip-{name}") == module.__version__
    deps = [Requirement(d) for d in metadata.requires(f"tfaip-{name}") or [] if d.startswith("tfaip-")]
    assert all({s.operator for s in d.specifier} == {">=", "<"} for d in deps), deps  # compatible ranges
    assert {d.name for d in deps} <= {f"tfaip-{p}" for p in PACKAGES[:index]}  # only packages below
    assert all(d.specifier.contains(metadata.version(d.name)) for d in deps), deps  # the pins admit today's versions
    assert (ROOT / "packages" / f"tfaip-{name}" / "CHANGELOG.md").exists()
    assert not (ROOT / "packages" / f"tfaip-{name}" / "src" / "tfaip" / "__init__.py").exists()  # namespace
