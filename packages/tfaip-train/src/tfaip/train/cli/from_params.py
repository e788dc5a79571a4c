"""`tfaip-train-from-params FILE.json [--show] [flags]`: train with the params of a file, e.g. an earlier run's."""

from typing import Optional, Sequence

from tfaip.data.cli import run_console_script, tensorflow_start_quietly
from tfaip.train.cli.command_line import from_params_command_line
from tfaip.train.cli.train import INTERRUPTED

PROG = "tfaip-train-from-params"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Train with the params of the file (flags override them); returns the exit code."""
    parser, argv, params_file = from_params_command_line(
        PROG, "Train with the params of a file (its scenario included).", argv
    )
    with tensorflow_start_quietly():  # only now: usage errors and --help are answered without it
        from tfaip.train.cli.commands import train_from_params

    return train_from_params(parser, argv, params_file)


def run() -> None:
    """Console script entry point."""
    run_console_script(PROG, main, INTERRUPTED)
