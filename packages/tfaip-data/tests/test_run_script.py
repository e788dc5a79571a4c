"""`tfaip.data.testing.run_script`: a console script's entry point in the test process, as a shell would run it."""

import logging
import os
import sys
import textwrap

import pytest

from tfaip.data.testing import run_script

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys, warnings

    def run():
        print("args:", *sys.argv, "cwd:", os.getcwd(), "var:", os.environ.get("FAKE_VAR"))
        sys.path.insert(0, "added")
        os.environ["FAKE_LEFT_BEHIND"] = "1"
        logging.getLogger("fake").warning("a warning through logging")
        warnings.warn("a Python warning")
        print("to stderr", file=sys.stderr)
        action = sys.argv[1]
        if action == "raise":
            raise ValueError("the script failed")
        sys.exit(None if action == "none" else action if action.startswith("message") else int(action))
    """
)


@pytest.fixture
def fake_script(tmp_path, monkeypatch):
    """An installed distribution (on sys.path) whose console script `fake-script` runs `SCRIPT`."""
    (tmp_path / "fake_script_module.py").write_text(SCRIPT)
    info = tmp_path / "fake_script-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-script\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[console_scripts]\nfake-script = fake_script_module:run\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_exit_code_and_the_output_of_the_script(fake_script, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = run_script("fake-script", 3, "x", cwd=work, env={"FAKE_VAR": "set"})
    assert result.returncode == 3
    assert result.stdout == f"args: fake-script 3 x cwd: {work} var: set\n"
    lines = result.stderr.splitlines()
    assert "a warning through logging" in lines  # records nobody handles reach stderr, as in a new process
    assert any("UserWarning: a Python warning" in line for line in lines)
    assert lines[-1] == "to stderr"
    assert run_script("fake-script", "none").returncode == 0
    message = run_script("fake-script", "message to the user")
    assert message.returncode == 1 and message.stderr.endswith("to stderr\nmessage to the user\n")


def test_an_exception_is_its_traceback_and_exit_code_1(fake_script):
    result = run_script("fake-script", "raise")
    assert result.returncode == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert result.stderr.endswith("ValueError: the script failed\n")


def test_the_process_state_is_restored_and_every_call_sees_the_same(fake_script, tmp_path):
    state = os.getcwd(), list(sys.argv), list(sys.path), dict(os.environ), logging.root.handlers[:]
    first = run_script("fake-script", "0", cwd=tmp_path, env={"FAKE_VAR": "once"})
    assert (os.getcwd(), sys.argv, sys.path, dict(os.environ), logging.root.handlers) == state
    second = run_script("fake-script", "0")
    assert "var: None" in second.stdout
    assert "UserWarning: a Python warning" in first.stderr and "UserWarning: a Python warning" in second.stderr
