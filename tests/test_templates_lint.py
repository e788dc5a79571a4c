"""The packages that `tfaip-new-scenario` writes are clean under the repository's ruff configuration (for a NAME
of up to 20 characters: longer class names make longer lines)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfaip.train.templates import TEMPLATES, write_scenario

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_new_scenario_passes_ruff_check_and_format(tmp_path, template):
    package = write_scenario(f"handwritten_{template}", template, str(tmp_path))  # names of up to 20 characters
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [RUFF, *command, "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(package)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
