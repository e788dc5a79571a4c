"""`tfaip-resume-training OUTPUT_DIR`: continue a stopped or killed run from its checkpoint."""

from typing import Optional, Sequence

from tfaip.data.cli import run_console_script, tensorflow_start_quietly
from tfaip.train.cli.command_line import resume_command_line, sigterm_as_ctrl_c
from tfaip.train.cli.train import INTERRUPTED

PROG = "tfaip-resume-training"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Resume the run in OUTPUT_DIR; returns the exit code."""
    output_dir = resume_command_line(PROG, "Resume a training run from its checkpoint.", argv)
    with tensorflow_start_quietly():  # only now: usage errors and --help are answered without it
        from tfaip.train.cli.commands import resume

    return resume(PROG, output_dir)


def run() -> None:
    """Console script entry point."""
    with sigterm_as_ctrl_c():
        run_console_script(PROG, main, INTERRUPTED)


if __name__ == "__main__":  # tfaip-train-cluster starts its workers as python -m
    run()
