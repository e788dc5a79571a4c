"""How a tfaip console script starts and ends: the log level, a quiet TensorFlow start, exit codes.

Exit codes: 0 done, 1 an error in a scenario's code or its data (with its traceback), 2 invalid
input (`ConfigError`: a flag, a value, a path, an export; one line), 130 interrupted.
"""

import contextlib
import logging
import os
import re
import subprocess
import sys
import traceback
from typing import Callable, Iterator, NoReturn, Optional, Tuple

from tfaip.data.errors import ConfigError, DataPipelineError, StoppedError

LOG_LEVEL_VARIABLE = "TFAIP_LOG_LEVEL"
LOG_LEVELS = ("debug", "info", "warning", "error")
_TF_LEVEL, _OUR_TF_LEVEL = "TF_CPP_MIN_LOG_LEVEL", "TFAIP_SET_TF_CPP_MIN_LOG_LEVEL"
# TensorFlow's C++ log lines of severity INFO and WARNING (absl's format, and the older one of TF <= 2.15),
# and the line absl writes before its first message.
_NATIVE_START_LINES = re.compile(
    r"([IW]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] "
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$)"
)


def log_level() -> int:
    """The level named by `TFAIP_LOG_LEVEL` (debug, info, warning, error; default info)."""
    name = os.environ.get(LOG_LEVEL_VARIABLE, "info").lower()
    if name not in LOG_LEVELS:
        raise ConfigError(f"{LOG_LEVEL_VARIABLE}={name} is no log level; use one of {', '.join(LOG_LEVELS)}.")
    return getattr(logging, name.upper())


# Passes the lines of its stdin on to its stderr (the console), but TensorFlow's start-up lines. A process of its
# own, so that what TensorFlow wrote reaches the console even if it ends the process (a LOG(FATAL) aborts).
_FILTER = (
    "import re, sys\n"
    f"start_line = re.compile({_NATIVE_START_LINES.pattern!r})\n"
    "for line in sys.stdin.buffer:\n"
    "    if not start_line.match(line.decode('utf-8', 'replace')):\n"
    "        sys.stderr.buffer.write(line)\n"
    "        sys.stderr.buffer.flush()\n"
)


@contextlib.contextmanager
def tensorflow_start_quietly() -> Iterator[None]:
    """Import TensorFlow inside this block without its C++ start-up lines on the console.

    TensorFlow writes its start-up notes (oneDNN, CPU features, CUDA drivers; absl's note on
    its own initialisation) to the process's stderr from C++, so Python's logging cannot touch
    them, and some are written before `TF_CPP_MIN_LOG_LEVEL` is read. The block therefore sets
    `TF_CPP_MIN_LOG_LEVEL=1` (INFO off from then on) and, while it runs, sends file descriptor 2
    through a small filter process that passes on everything but TensorFlow's INFO and WARNING
    lines, so errors and Python warnings stay visible, even from an import that aborts.

    Nothing is hidden when the user asks for TensorFlow's lines (`TFAIP_LOG_LEVEL=debug`),
    sets `TF_CPP_MIN_LOG_LEVEL` (TensorFlow then logs as it is told), or TensorFlow is
    already imported.

    Example:
        >>> with tensorflow_start_quietly():
        ...     import tensorflow as tf
    """
    level = os.environ.get(_TF_LEVEL)
    chosen = level is not None and level != os.environ.get(_OUR_TF_LEVEL)  # not inherited from a tfaip script
    if "tensorflow" in sys.modules or chosen or os.environ.get(LOG_LEVEL_VARIABLE, "").lower() == "debug":
        yield
        return
    # the marker tells this process's children (which inherit the variable) that the user did not choose it
    os.environ[_TF_LEVEL] = os.environ[_OUR_TF_LEVEL] = "1"
    sys.stderr.flush()
    started = _start_filter()
    if started is None:  # no interpreter to run it with: TensorFlow's INFO lines stay off, its first notes show
        yield
        return
    filtering, write_end = started
    saved = os.dup(2)
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe: the filter passes on the rest and ends
        os.close(saved)
        try:
            filtering.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a child of the block still holds the pipe open
            filtering.kill()


def _start_filter() -> Optional[Tuple[subprocess.Popen, int]]:
    """The filter process and the write end of the pipe to its stdin; None if it cannot start."""
    read_end, write_end = os.pipe()
    try:
        return subprocess.Popen([sys.executable, "-I", "-S", "-c", _FILTER], stdin=read_end), write_end
    except OSError:
        os.close(write_end)
        return None
    finally:
        os.close(read_end)


def current_directory_importable() -> None:
    """Put the current directory on `sys.path` (a console script, unlike `python -m`, does not)."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def run_console_script(prog: str, main: Callable[[], Optional[int]], interrupted: str = "interrupted") -> NoReturn:
    """Run a console script's `main` and exit with its code.

    The current directory is importable (`current_directory_importable`), so that a scenario
    package in it is found by name and by the module paths its params and exports store. A
    `ConfigError` ends with one `PROG: error: ...` line and code 2, a `DataPipelineError` with
    its message (which carries the failing processor's traceback) and code 1, a `StoppedError`
    (e.g. a lost worker) with its message and code 1, Ctrl-C with
    `PROG: <interrupted>` and code 130. A `SyntaxError` (of a scenario's file) shows its file,
    line and caret without the frames of the import, code 1. Any other exception is an error in
    a scenario's code: Python prints its traceback and the code is 1.
    """
    current_directory_importable()
    try:
        code = main() or 0
    except ConfigError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 2
    except (DataPipelineError, StoppedError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 1
    except SyntaxError as e:
        print(f"{prog}: error: {e.filename} cannot be compiled:", file=sys.stderr)
        print("".join(traceback.format_exception_only(type(e), e)), end="", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        code = 130
    sys.exit(code)
