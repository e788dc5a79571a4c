"""Console scripts run inside the test process, as a shell would run them: exit code, stdout and stderr.

A console script started as a process pays for Python and, for most tfaip scripts, TensorFlow's
import (several seconds) before it does anything. Where the process boundary is not what a test
is about, `run_script` calls the script's own entry point here instead: the same `run()` that the
installed script calls, with `sys.argv` set, its `SystemExit` turned into the exit code (an
exception it lets through: its traceback and code 1, as Python ends a script) and what Python
writes to `sys.stdout` / `sys.stderr` captured. What only a process shows (TensorFlow's
C++ start-up lines, signals, the import order before TensorFlow loads) stays with real processes.
"""

import contextlib
import io
import logging
import os
import sys
import traceback
import warnings
from dataclasses import dataclass
from importlib import metadata
from typing import Iterator, Mapping, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class ScriptResult:
    """What a console script left: its exit code and what it wrote (as `subprocess.CompletedProcess` names them)."""

    returncode: int
    stdout: str
    stderr: str


def run_script(
    name: str, *args: object, cwd: Optional[PathLike] = None, env: Optional[Mapping[str, str]] = None
) -> ScriptResult:
    r"""Run the installed console script `name` with `args` in this process, in `cwd` and with `env` if given.

    The entry point is looked up by name in the installed distributions, as the script's own
    launcher does; `env` holds variables added to the environment for the call. The current
    directory, `sys.argv`, `sys.path`, `os.environ` and the root logger's handlers are restored
    afterwards, and every warning is shown (not once per process), so that one call does not
    change what the next one sees.

    Example:
        >>> result = run_script("tfaip-train", "tutorial.min", "--trainer.epochs", "x")
        >>> result.returncode, result.stderr
        (2, "tfaip-train: error: --trainer.epochs expects an integer, got 'x'.\n")
    """
    (entry_point,) = metadata.entry_points(group="console_scripts", name=name)
    entry = entry_point.load()
    stdout, stderr = io.StringIO(), io.StringIO()
    code: object = 0
    with _process_state(name, [str(a) for a in args], cwd, env or {}):
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                entry()
            except SystemExit as e:
                code = e.code
            except Exception:  # as Python ends a script: the traceback, code 1
                traceback.print_exc()
                code = 1
    return ScriptResult(_exit_code(code, stderr), stdout.getvalue(), stderr.getvalue())


def _exit_code(code: object, stderr: io.StringIO) -> int:
    """The process's exit code for `sys.exit(code)`: a message is printed to stderr and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning to `sys.stderr` as Python does by default."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@contextlib.contextmanager
def _process_state(prog: str, args: list, cwd: Optional[PathLike], env: Mapping[str, str]) -> Iterator[None]:
    """`sys.argv` set as the shell would; the directory, paths, environment and warnings restored after the block."""
    saved = os.getcwd(), list(sys.argv), list(sys.path), dict(os.environ)
    root_handlers = logging.root.handlers[:]  # e.g. pytest's
    # as in a new process: no handlers on the root logger, so that records nobody handles reach stderr
    # through logging's last resort
    logging.root.handlers.clear()
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = [prog, *args]
        os.environ.update(env)
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _print_warning  # not a test runner's record of them
            yield
    finally:
        logging.root.handlers[:] = root_handlers
        directory, sys.argv, sys.path[:], environment = saved
        os.chdir(directory)
        os.environ.clear()
        os.environ.update(environment)
