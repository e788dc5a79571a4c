"""`tfaip-train SCENARIO [--params FILE.json] [--show] [--trainer.* --optimizer ... --learning_rate ... --train.*]`."""

from typing import Optional, Sequence

from tfaip.data.cli import run_console_script, tensorflow_start_quietly
from tfaip.train.cli.command_line import scenario_command_line, sigterm_as_ctrl_c

PROG = "tfaip-train"
INTERRUPTED = "interrupted; continue with tfaip-resume-training OUTPUT_DIR"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Train the scenario; returns the exit code."""
    parser, argv, scenario, params_file = scenario_command_line(PROG, "Train a tfaip scenario.", argv)
    with tensorflow_start_quietly():  # only now: usage errors and --help are answered without it
        from tfaip.train.cli.commands import train

    return train(parser, argv, scenario, params_file)


def run() -> None:
    """Console script entry point."""
    with sigterm_as_ctrl_c():
        run_console_script(PROG, main, INTERRUPTED)


if __name__ == "__main__":  # tfaip-train-cluster starts its workers as python -m
    run()
