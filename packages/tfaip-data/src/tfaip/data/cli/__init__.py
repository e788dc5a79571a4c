"""What every tfaip console script shares, without TensorFlow: parsing, params files, start and exit.

- `ParamsArgumentParser`: dotted flags of a params tree whose errors name the flag, the expected
  type and the value, and suggest the closest flag or class name.
- `params_from_file` / `params_from_dict` / `params_to_json`: params files (`--params FILE.json`,
  `--show`), checked key by key.
- `run_console_script`, `tensorflow_start_quietly`, `log_level`: exit codes (2 for a `ConfigError`),
  TensorFlow without its C++ start-up lines, `TFAIP_LOG_LEVEL`.

It lives in tfaip-data, the one distribution below every console script, so that a script can
answer `--help` and usage errors before it imports TensorFlow.
"""

from tfaip.data.cli.console import (
    current_directory_importable,
    log_level,
    run_console_script,
    tensorflow_start_quietly,
)
from tfaip.data.cli.params_file import params_from_dict, params_from_file, params_to_json, read_params_file
from tfaip.data.cli.parser import ParamsArgumentParser

__all__ = [
    "ParamsArgumentParser",
    "current_directory_importable",
    "log_level",
    "params_from_dict",
    "params_from_file",
    "params_to_json",
    "read_params_file",
    "run_console_script",
    "tensorflow_start_quietly",
]
