"""`tfaip-resume-training OUTPUT_DIR`: continue a stopped or killed run from its checkpoint."""

import argparse
import json
import os
from typing import Optional, Sequence

from tfaip.model import recover_directory
from tfaip.train.checkpoint import read_checkpoint_params
from tfaip.train.cli.parsing import run_main
from tfaip.train.params import TrainerParams

PROG = "tfaip-resume-training"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Resume the run in OUTPUT_DIR; returns the exit code."""
    parser = argparse.ArgumentParser(prog=PROG, description="Resume a training run from its checkpoint.")
    parser.add_argument("output_dir", metavar="OUTPUT_DIR", help="The --trainer.output_dir of the run.")
    args = parser.parse_args(argv)
    params_file = os.path.join(args.output_dir, "trainer_params.json")
    if not os.path.isfile(params_file):
        parser.error(f"{args.output_dir} is no training output dir (it has no trainer_params.json).")
    with open(params_file, encoding="utf-8") as f:
        params = TrainerParams.from_dict(json.load(f))
    checkpoint = params.checkpoint_dir or os.path.join(args.output_dir, "checkpoint")
    recover_directory(checkpoint)
    restore = os.path.isdir(checkpoint)
    if restore:  # the checkpoint holds the state that belongs to its weights
        params = TrainerParams.from_dict(read_checkpoint_params(checkpoint))
    else:
        print(f"{PROG}: no checkpoint in {args.output_dir} yet; training starts from the first epoch.")
        params.overwrite_output_dir = True  # the run's files belong to the run that starts again
    params.output_dir = args.output_dir
    params.warmstart.model = None if restore else params.warmstart.model
    params.scenario.cls().create_trainer(params, restore=restore).train()
    return 0


def run() -> None:
    """Console script entry point."""
    run_main(PROG, main)
