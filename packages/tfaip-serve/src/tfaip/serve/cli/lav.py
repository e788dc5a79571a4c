"""`tfaip-lav --export_dir DIR [DIR ...] --data.* --lav.*`: losses, metrics and Evaluator values of an export."""

from typing import Optional, Sequence

from tfaip.data.cli import run_console_script
from tfaip.serve.cli.common import export_command_line

PROG = "tfaip-lav"
DESCRIPTION = "Load and validate (LAV) an exported model on labelled data."


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Validate the export(s) on the data of `--data.*`; returns the exit code."""
    parser, argv, export_dirs = export_command_line(PROG, DESCRIPTION, argv)
    from tfaip.serve.cli.commands import lav  # only now: usage errors and --help are answered at once

    return lav(parser, argv, export_dirs)


def run() -> None:
    """Console script entry point."""
    run_console_script(PROG, main)
