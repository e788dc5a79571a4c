"""`tfaip-benchmark-input-pipeline SCENARIO [flags] [--time_limit S]`: samples/s of the training pipeline.

Also installed as `tfaip-benchmark-scenario-input-pipeline`, the name the original tfaip installed.
"""

import os
import sys
from typing import Optional, Sequence

from tfaip.data.cli import ParamsArgumentParser, run_console_script, tensorflow_start_quietly
from tfaip.train.cli.command_line import scenario_command_line

PROG = "tfaip-benchmark-input-pipeline"


def _add_flags(parser: ParamsArgumentParser) -> None:
    parser.add_argument("--time_limit", type=float, default=-1, help="Seconds to run (-1: until Ctrl-C).")


def main(argv: Optional[Sequence[str]] = None, prog: str = PROG) -> int:
    """Run the scenario's training pipeline and print its throughput; returns the exit code."""
    parser, argv, scenario, params_file = scenario_command_line(
        prog, "Measure the samples per second of a scenario's training pipeline.", argv, "--time_limit 10", _add_flags
    )
    with tensorflow_start_quietly():  # only now: usage errors and --help are answered without it
        from tfaip.train.cli.commands import benchmark_input_pipeline

    return benchmark_input_pipeline(parser, argv, scenario, params_file)


def run() -> None:
    """Console script entry point (under either name)."""
    prog = os.path.basename(sys.argv[0])
    run_console_script(prog, lambda: main(prog=prog))
