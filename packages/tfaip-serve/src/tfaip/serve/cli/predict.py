"""`tfaip-predict --export_dir DIR [DIR ...] --data.* --predict.* --pipeline.* [--output FILE.jsonl]`."""

from typing import Optional, Sequence

from tfaip.data.cli import run_console_script
from tfaip.serve.cli.common import export_command_line

PROG = "tfaip-predict"
DESCRIPTION = "Apply an exported model (pre-processing, model, post-processing) to data."


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Predict the data of `--data.*` with the export(s); returns the exit code."""
    parser, argv, export_dirs = export_command_line(PROG, DESCRIPTION, argv)
    from tfaip.serve.cli.commands import predict  # only now: usage errors and --help are answered at once

    return predict(parser, argv, export_dirs)


def run() -> None:
    """Console script entry point."""
    run_console_script(PROG, main)
