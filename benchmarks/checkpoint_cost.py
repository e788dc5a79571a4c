"""The cost of checkpoints inside epochs: `tfaip-train tutorial.min` with none, the default, and frequent ones.

Three variants of the same run (the Minimal Tutorial CNN with an output dir: a checkpoint after
each epoch, `best/`, TensorBoard, `train.log`), alternating `--repeats` times:

- `none`: no checkpoints inside epochs (`--trainer.checkpoint_every_minutes 0`);
- `default`: the default (every 5 minutes; an epoch here is shorter, so this measures what the
  always-on bookkeeping costs: the data position after each step, the step counter);
- `frequent`: one every `--every_n_steps` steps, to measure what one checkpoint costs.

Seconds per epoch leave out the first epoch (tracing), as in `train_overhead.py`; on 2 shared
cores they vary by 20 % from run to run, more than checkpoints cost, so the cost of one
checkpoint is also timed directly (the Trainer's `_write_checkpoint`: the data position, the
variables' values, the atomic write with fsync). Divided by the default interval (300 s) it is
the share of the training time that the default costs a run whose epochs last longer than that.
Prints one JSON line.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Dict, List

import keras
from tfaip_scenarios.tutorial.min.scenario import TutorialScenario
from train_overhead import EpochClock

from tfaip.train import Trainer, TrainerParams

VARIANTS = ("none", "default", "frequent")
WRITES: List[float] = []  # seconds of each checkpoint inside an epoch


def timed_checkpoints() -> None:
    """Time each checkpoint inside an epoch that the Trainer writes."""
    write = Trainer._write_checkpoint

    def timed(trainer: Trainer, inside_epoch: bool) -> None:
        start = time.perf_counter()
        write(trainer, inside_epoch)
        if inside_epoch:
            WRITES.append(time.perf_counter() - start)

    Trainer._write_checkpoint = timed


def run(variant: str, out_dir: str, args: argparse.Namespace) -> float:
    params = TrainerParams(
        scenario=TutorialScenario.default_params(),
        gen=TutorialScenario.default_trainer_pipeline_params(),
        epochs=args.epochs,
        samples_per_epoch=args.samples_per_epoch,
        output_dir=out_dir,
        progress_bar=False,
        verbose=0,
    )
    if variant == "none":
        params.checkpoint_every_minutes = 0
    elif variant == "frequent":
        params.checkpoint_every_n_steps = args.every_n_steps
    clock = EpochClock()
    TutorialScenario.create_trainer(params).train(callbacks=[clock])
    return clock.seconds_per_epoch()


def checkpoint_mb(out_dir: str) -> float:
    folder = os.path.join(out_dir, "checkpoint")
    return sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder)) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="Epochs per run (the first one is not timed).")
    parser.add_argument("--samples_per_epoch", type=int, default=16000, help="(1,000 steps of 16)")
    parser.add_argument("--every_n_steps", type=int, default=100, help="Checkpoint interval of the frequent variant.")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    timed_checkpoints()
    seconds: Dict[str, List[float]] = {variant: [] for variant in VARIANTS}
    size = 0.0
    for _ in range(args.repeats):
        for variant in VARIANTS:
            with tempfile.TemporaryDirectory() as out_dir:
                seconds[variant].append(run(variant, out_dir, args))
                size = checkpoint_mb(out_dir)
            keras.backend.clear_session()
    steps = args.samples_per_epoch // 16
    per_epoch = steps // args.every_n_steps - (steps % args.every_n_steps == 0)  # the epoch end has its own
    default_share = [d / n - 1 for d, n in zip(seconds["default"], seconds["none"])]
    frequent_share = [f / n - 1 for f, n in zip(seconds["frequent"], seconds["none"])]
    write = statistics.median(WRITES)
    result = {
        "benchmark": "checkpoint_cost",
        "epochs": args.epochs,
        "samples_per_epoch": args.samples_per_epoch,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "checkpoint_mb": round(size, 2),
        "s_per_epoch": {variant: round(statistics.median(times), 3) for variant, times in seconds.items()},
        "default_vs_none": round(statistics.median(default_share), 4),
        "default_vs_none_range": [round(min(default_share), 4), round(max(default_share), 4)],
        "frequent_vs_none": round(statistics.median(frequent_share), 4),
        "frequent_vs_none_range": [round(min(frequent_share), 4), round(max(frequent_share), 4)],
        "checkpoints_per_epoch_frequent": per_epoch,
        "s_per_checkpoint": round(write, 4),
        "s_per_checkpoint_range": [round(min(WRITES), 4), round(max(WRITES), 4)],
        "frequent_share_timed": round(write * per_epoch / statistics.median(seconds["none"]), 4),
        "mb_per_s": round(size / write, 1),
        "default_share_of_long_epochs": round(write / 300, 6),
        "runs": {variant: [round(t, 3) for t in times] for variant, times in seconds.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
