"""Checking an export directory before anything is loaded from it (needs no TensorFlow)."""

import os

from tfaip.data import ConfigError
from tfaip.data.util.files import SCENARIO_PARAMS_FILE, SERVE_DIR


class ExportError(ConfigError):
    """An export directory is missing, incomplete or corrupt."""


def check_export_dir(path: str) -> str:
    """The absolute export dir, or an ExportError naming what is missing and how to get it."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        raise ExportError(
            f"The export directory {path} does not exist; pass the directory a training run exported "
            "(OUTPUT_DIR/export or OUTPUT_DIR/best) or that scenario.export(path) wrote."
        )
    if not os.path.isfile(os.path.join(path, SCENARIO_PARAMS_FILE)):
        raise ExportError(
            f"{path} is not a tfaip export: it has no {SCENARIO_PARAMS_FILE}. Pass the export directory itself "
            f"(the one holding {SERVE_DIR}/ and {SCENARIO_PARAMS_FILE})."
        )
    return path
