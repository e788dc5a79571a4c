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
        "python -m pip install -q hatch && hatch run tutorial:train",
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


# What the tutorial never imports: test tools, other frameworks, the converters and runtimes of the extras
NOT_FOR_THE_TUTORIAL = {"pytest", "torch", "jax", "jaxlib", "onnx", "onnxruntime", "tf2onnx", "ai-edge-litert"}


def test_the_tutorial_environment_holds_only_what_the_tutorial_needs():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["envs"]
    tutorial = config["tutorial"]
    assert tutorial["template"] == "tutorial"  # nothing inherited from the development environment
    assert "extra-dependencies" not in tutorial and "features" not in tutorial
    dropped = {Requirement(line).name for line in (ROOT / ".ci" / "uv-overrides.txt").read_text().splitlines()}
    # every distribution the environment installs: its own requirements, the workspace members and what they require
    wanted = [Requirement(r) for r in tutorial["dependencies"]]
    wanted += [Requirement(f"tfaip-{name}") for name in PACKAGES] + [Requirement("tfaip-scenarios")]
    installed, walked = set(), set()
    while wanted:
        requirement = wanted.pop()
        name = requirement.name.lower().replace("_", "-")
        extras = frozenset({""} | requirement.extras)  # its requirements, and those of the extras asked for
        if (name, extras) in walked or name in dropped or (requirement.marker and not requirement.marker.evaluate()):
            continue
        walked.add((name, extras))
        installed.add(name)
        for line in metadata.requires(name) or []:
            required = Requirement(line)
            if required.marker is None or any(required.marker.evaluate({"extra": e}) for e in extras):
                wanted.append(Requirement(str(required).split(";")[0]))
    assert not installed & NOT_FOR_THE_TUTORIAL, sorted(installed & NOT_FOR_THE_TUTORIAL)
    assert {"tfaip-scenarios", "scikit-learn", "pillow"} <= installed
    assert "tensorflow-cpu" in installed or "tensorflow" in installed
