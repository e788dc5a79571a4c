"""Logging of a training run: the console (level from `TFAIP_LOG_LEVEL`) and `train.log` in the output dir."""

import contextlib
import logging
import os
import sys
from typing import Iterator, Optional

from tfaip.data.cli import log_level

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextlib.contextmanager
def training_logs(log_file: Optional[str], verbose: int = 1) -> Iterator[None]:
    """Route the `tfaip` loggers to the console and (appending) to `log_file` for the block."""
    root = logging.getLogger("tfaip")
    level = log_level()
    handlers = []
    console = logging.StreamHandler(sys.stdout)
    console.setLevel(level if verbose > 0 else max(level, logging.WARNING))
    console.setFormatter(logging.Formatter("%(message)s"))
    handlers.append(console)
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        file = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        file.setLevel(level)
        file.setFormatter(logging.Formatter(LOG_FORMAT))
        handlers.append(file)
    old_level, old_propagate = root.level, root.propagate
    root.setLevel(level)
    root.propagate = False
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(old_level)
        root.propagate = old_propagate
