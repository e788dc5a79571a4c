"""tfaip uses keras' public API only, and every dist that imports keras pins the major version it was tested with."""

import re
from pathlib import Path

import keras
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# keras' private names tfaip once used (spelled in parts, so that a grep for them finds no use in this file)
PRIVATE_NAMES = ["flatten_layers", "trainable_variables", "model_variables_moving_average", "get_current_learning_rate"]
PRIVATE = re.compile(r"\._(" + "|".join(PRIVATE_NAMES) + r")\b")
TREES = [ROOT / "packages", ROOT / "scenarios", ROOT / "tests", ROOT / "docs", ROOT / "benchmarks"]


def _sources():
    for tree in TREES:
        for path in tree.rglob("*"):
            if path.suffix in (".py", ".md") and path.is_file() and path != Path(__file__).resolve():
                yield path


def test_no_private_keras_names_are_used():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert not found, "\n".join(found)


def test_every_dist_that_imports_keras_pins_it_below_4_and_admits_the_installed_version():
    imports = re.compile(r"^\s*(import keras|from keras\b)", re.M)
    for pyproject in sorted((ROOT / "packages").glob("*/pyproject.toml")):
        sources = (pyproject.parent / "src").rglob("*.py")
        if not any(imports.search(path.read_text(encoding="utf-8")) for path in sources):
            continue
        pins = [Requirement(r) for r in re.findall(r'"(keras[<>=!~][^"]*)"', pyproject.read_text())]
        assert len(pins) == 1, f"{pyproject.relative_to(ROOT)} imports keras but does not pin it"
        assert pins[0].specifier.contains(keras.__version__), (pyproject, pins[0], keras.__version__)
        assert not pins[0].specifier.contains("4.0.0"), (pyproject, pins[0])
