"""`tfaip-train SCENARIO [--trainer.* --optimizer ... --learning_rate ... --train.* --data.* ...]`."""

from typing import Optional, Sequence

from tfaip.train.cli.parsing import parse_scenario_args, run_main

PROG = "tfaip-train"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Train the scenario; returns the exit code."""
    args, scenario_cls = parse_scenario_args(PROG, "Train a tfaip scenario.", argv)
    scenario_cls.create_trainer(args.trainer).train()
    return 0


def run() -> None:
    """Console script entry point."""
    run_main(PROG, main)
