"""ATR quality: the CER on 200 held-out rendered lines after a fixed CPU budget of `tfaip-train atr`.

The training lines are rendered from the `train` text with seed 0 (`--n_train`, default 4000),
the held-out lines from the `heldout` text (other standard-library modules) with seed 1; both
are written as PNG + `.gt.txt` before the clock starts, and training reads the files as it would
real data. The codec is the renderer's alphabet (`--data.codec`). `tfaip-train atr` validates
on the held-out lines after every epoch of `--samples_per_epoch` lines; the run stops (Ctrl-C,
as a user would) at the first epoch end after `--budget_s` seconds of training, or after
`--epochs`. Then `tfaip-lav` measures the best export's CER and WER (the Evaluator's, in Python) on the held-out lines.

Prints one JSON line: the curve (epoch, seconds since the start, val_CER), the best val_CER,
LAV's eval_CER and eval_WER, and the setup.

    python benchmarks/atr_quality.py --budget_s 1200
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tfaip_scenarios.atr.data import write_codec
from tfaip_scenarios.atr.synthetic import ALPHABET, write_lines

BIN = Path(sys.executable).parent
EPOCH = re.compile(r"Results of epoch (\d+): .*val_CER: ([0-9.]+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget_s", type=float, default=1200, help="Training seconds (the target: 20 minutes).")
    parser.add_argument("--epochs", type=int, default=1000, help="At most this many epochs.")
    parser.add_argument("--samples_per_epoch", type=int, default=1000)
    parser.add_argument("--n_train", type=int, default=4000)
    parser.add_argument("--n_heldout", type=int, default=200)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--workdir", default=None, help="Keep the lines and the model here (default: a temp dir).")
    parser.add_argument("extra", nargs="*", help="More tfaip-train flags (after --).")
    args = parser.parse_args()

    work = Path(args.workdir or tempfile.mkdtemp(prefix="atr-quality-"))
    write_lines(str(work / "train"), args.n_train, seed=0, text="train")
    write_lines(str(work / "heldout"), args.n_heldout, seed=1, text="heldout")
    write_codec(str(work / "codec.txt"), sorted(ALPHABET))  # every character the renderer draws
    model = work / "model"
    command = [
        BIN / "tfaip-train", "atr", "--trainer.output_dir", model, "--trainer.overwrite_output_dir", "True",
        "--trainer.epochs", args.epochs, "--trainer.samples_per_epoch", args.samples_per_epoch,
        "--trainer.progress_bar", "False", "--train.image_files", f"{work}/train/*.png",
        "--val.image_files", f"{work}/heldout/*.png", "--train.batch_size", args.batch_size,
        "--train.num_processes", "1", "--val.num_processes", "1", "--data.codec", work / "codec.txt", *args.extra,
    ]  # fmt: skip
    # started in the background (`nohup ... &`), this process ignores SIGINT and so would its child: restore it so
    # that the stop below is the Ctrl-C a user gives
    signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.perf_counter()
    curve = []
    process = subprocess.Popen(
        list(map(str, command)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    log = []
    for line in process.stdout:
        log.append(line)
        match = EPOCH.search(line)
        if match:
            elapsed = time.perf_counter() - start
            curve.append({"epoch": int(match.group(1)), "s": round(elapsed, 1), "val_CER": float(match.group(2))})
            print(json.dumps(curve[-1]), file=sys.stderr, flush=True)
            if elapsed >= args.budget_s:
                os.kill(process.pid, signal.SIGINT)
                break
    for line in process.stdout:
        log.append(line)
    process.wait()
    trained_s = time.perf_counter() - start
    if not curve:
        sys.exit("tfaip-train reported no epoch:\n" + "".join(log[-40:]))

    lav = subprocess.run(
        [str(BIN / "tfaip-lav"), "--export_dir", str(model / "best"), "--data.image_files", f"{work}/heldout/*.png",
         "--json", str(work / "lav.json")],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    if lav.returncode != 0:
        sys.exit(lav.stdout + lav.stderr)
    results = json.loads((work / "lav.json").read_text())[0]
    results = results.get("results", results)
    print(
        json.dumps(
            {
                "benchmark": "atr_quality",
                "cpus": os.cpu_count(),
                "budget_s": args.budget_s,
                "trained_s": round(trained_s, 1),
                "samples_per_epoch": args.samples_per_epoch,
                "n_train": args.n_train,
                "n_heldout": args.n_heldout,
                "curve": curve,
                "best_val_CER": min(c["val_CER"] for c in curve),
                "lav_eval_CER": results.get("eval_CER"),
                "lav_eval_WER": results.get("eval_WER"),
                "workdir": str(work),
            }
        )
    )


if __name__ == "__main__":
    main()
