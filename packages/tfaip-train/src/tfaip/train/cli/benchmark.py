"""`tfaip-benchmark-input-pipeline SCENARIO [flags] [--time_limit S]`: samples/s of the training pipeline."""

import time
from typing import Optional, Sequence

from paiargparse import PAIArgumentParser
from rich.console import Console

from tfaip.train.cli.parsing import parse_scenario_args, run_main

PROG = "tfaip-benchmark-input-pipeline"


def _add_flags(parser: PAIArgumentParser) -> None:
    parser.add_argument("--time_limit", type=float, default=-1, help="Seconds to run (-1: until Ctrl-C).")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the scenario's training pipeline and print its throughput; returns the exit code."""
    args, scenario_cls = parse_scenario_args(
        PROG, "Measure the samples per second of a scenario's training pipeline.", argv, _add_flags
    )
    params = args.trainer
    pipeline = params.gen.train_data(scenario_cls(params.scenario).data)
    console = Console()
    samples, start, last_print = 0, time.perf_counter(), time.perf_counter()
    try:
        with pipeline.generate_input_batches(auto_repeat=True) as batches:
            for batch in batches:
                samples += len(next(iter(batch.inputs.values())))
                now = time.perf_counter()
                if now - last_print >= 1:
                    console.print(f"{samples / (now - start):10.1f} samples/s ({samples} samples)")
                    last_print = now
                if 0 <= args.time_limit <= now - start:
                    break
    except KeyboardInterrupt:
        pass
    elapsed = time.perf_counter() - start
    console.print(
        f"Input pipeline: {samples} samples in {elapsed:.1f} s = {samples / max(elapsed, 1e-9):.1f} samples/s"
    )
    return 0


def run() -> None:
    """Console script entry point."""
    run_main(PROG, main)
