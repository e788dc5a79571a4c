"""Multi-worker training on one machine: samples per second of 2 local workers against 1, in one run.

Three setups of the same training (the Minimal Tutorial CNN, `--train.batch_size` per worker,
`--samples_per_epoch` samples per epoch over all workers, validation on 64 digits per epoch):

- `fit`: `tfaip-train` in one process, keras' `fit` (the default strategy);
- `1 worker`: `tfaip-train-cluster --workers 1`: MultiWorkerMirroredStrategy and tfaip's own loop
  (`MultiWorkerFit`) in one process: what the loop and the collective strategy cost;
- `2 workers`: `tfaip-train-cluster --workers 2`: two processes on 127.0.0.1, each on its shard,
  the global batch twice the per-worker batch (so half the steps per epoch).

Runs are whole processes as a user starts them, alternating `--repeats` times. Seconds per
epoch come from the times `train.log` gives the ends of the epochs, leaving out the first
(tracing); samples/s are `--samples_per_epoch` over them, and the ratios are medians of paired
ratios. Prints one JSON line.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Dict, List

BIN = Path(sys.executable).parent
SETUPS = ("fit", "1 worker", "2 workers")


def command(setup: str, out: str, args: argparse.Namespace) -> List[str]:
    flags = [
        "tutorial.min", "--trainer.epochs", str(args.epochs), "--trainer.samples_per_epoch",
        str(args.samples_per_epoch), "--train.batch_size", str(args.batch_size), "--val.limit", "64",
        "--trainer.progress_bar", "False", "--trainer.output_dir", out,
    ]  # fmt: skip
    if setup == "fit":
        return [str(BIN / "tfaip-train"), *flags]
    return [str(BIN / "tfaip-train-cluster"), "--workers", setup.split(maxsplit=1)[0], *flags]


def seconds_per_epoch(train_log: Path) -> float:
    """The mean time between the ends of the epochs after the first, from train.log's timestamps."""
    ends = [
        datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
        for line in train_log.read_text().splitlines()
        if " Results of epoch " in line
    ]
    return (ends[-1] - ends[0]).total_seconds() / (len(ends) - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4, help="Epochs per run (the first one is not timed).")
    parser.add_argument("--samples_per_epoch", type=int, default=9600)
    parser.add_argument("--batch_size", type=int, default=32, help="Per worker.")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    seconds: Dict[str, List[float]] = {setup: [] for setup in SETUPS}
    root = tempfile.mkdtemp(prefix="tfaip_multi_worker_")
    try:
        for repeat in range(args.repeats):
            for setup in SETUPS:
                out = os.path.join(root, f"{setup.replace(' ', '_')}_{repeat}")
                subprocess.run(command(setup, out, args), env=env, check=True, capture_output=True)
                seconds[setup].append(seconds_per_epoch(Path(out) / "train.log"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    samples_per_second = {s: [args.samples_per_epoch / t for t in times] for s, times in seconds.items()}

    def ratio(a: str, b: str) -> float:
        return round(statistics.median(x / y for x, y in zip(samples_per_second[a], samples_per_second[b])), 3)

    result = {
        "benchmark": "multi_worker",
        "cpus": os.cpu_count(),
        "samples_per_epoch": args.samples_per_epoch,
        "batch_size_per_worker": args.batch_size,
        "samples_per_second": {s: [round(v, 1) for v in values] for s, values in samples_per_second.items()},
        "median_samples_per_second": {s: round(statistics.median(v), 1) for s, v in samples_per_second.items()},
        "ratio_2_workers_vs_1": ratio("2 workers", "1 worker"),
        "ratio_1_worker_vs_fit": ratio("1 worker", "fit"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
