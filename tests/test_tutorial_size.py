"""The Minimal Tutorial stays short: `benchmarks/scenario_size.py` counts its lines of code."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_minimal_tutorial_has_at_most_70_lines_of_code():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scenario_size.py")], capture_output=True, text=True, check=True
    ).stdout
    sizes = json.loads(out)
    tutorial = sizes["scenarios/src/tfaip_scenarios/tutorial/min"]
    print(f"tutorial.min: {tutorial['code_lines']} lines of code in {tutorial['files']} file(s)")
    assert 0 < tutorial["code_lines"] <= 70


def test_the_counter_skips_docstrings_comments_and_blank_lines(tmp_path):
    (tmp_path / "__init__.py").write_text('"""Only a docstring."""\n')
    module = [
        '"""Module',
        'docstring."""',
        "",
        "# a comment",
        "import os",
        "",
        "",
        "def f(x):",
        '    """Doc."""',
        "    return (",
        "        x",
        "    )",
    ]
    (tmp_path / "a.py").write_text("\n".join(module) + "\n")
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scenario_size.py"), str(tmp_path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert json.loads(out)[str(tmp_path)] == {"files": 1, "code_lines": 5, "ratio_to_original": 0.03}


def test_readme_and_model_docs_show_the_tutorial_as_it_is():
    for module in ("data.py", "scenario.py"):
        source = (ROOT / "scenarios/src/tfaip_scenarios/tutorial/min" / module).read_text()
        for page in ("README.md", "docs/model.md"):
            assert f"```python\n{source}```" in (ROOT / page).read_text(), f"{page} shows an outdated {module}"
