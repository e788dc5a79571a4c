"""A stand-in for tfaip-train: logs epochs like it, records its arguments and environment, can wait and fail.

    fake_run.py [--epochs N] [--sleep S] [--exit CODE] [--barrier DIR COUNT SECONDS] [--ignore-sigint]
                [--any.flag value ...] --trainer.output_dir DIR

FAKE_SLEEP in the environment overrides --sleep (a test's first pass may be slow, its rerun fast).
"""

import json
import os
import signal
import sys
import time
from pathlib import Path


def main() -> int:
    args = sys.argv[1:]
    options = {}
    i = 0
    while i < len(args):
        key = args[i]
        values = []
        i += 1
        while i < len(args) and not args[i].startswith("--"):
            values.append(args[i])
            i += 1
        options[key] = values
    output_dir = Path(options["--trainer.output_dir"][0])
    output_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "argv": args,
        "pgid": os.getpgid(0),
        **{k: os.environ.get(k) for k in ("CUDA_VISIBLE_DEVICES", "ID", "PYTHON")},
    }
    (output_dir / "fake.json").write_text(json.dumps(record))
    if "--ignore-sigint" in options:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "--barrier" in options:  # wait until COUNT runs have started: proves they run at once
        barrier, count, seconds = options["--barrier"]
        barrier = Path(barrier)
        (barrier / f"started-{output_dir.name}").touch()
        deadline = time.time() + float(seconds)
        count = int(count)
        while len(list(barrier.glob("started-*"))) < count:
            if time.time() > deadline:
                print(f"only {len(list(barrier.glob('started-*')))} of {count} runs started", file=sys.stderr)
                return 3
            time.sleep(0.05)
    epochs = int(options.get("--epochs", ["1"])[0])
    for epoch in range(1, epochs + 1):
        print(f"Start of epoch {epoch}/{epochs}", flush=True)
        time.sleep(float(os.environ.get("FAKE_SLEEP", options.get("--sleep", ["0"])[0])))
        print(f"Results of epoch {epoch}: acc: {0.5 + epoch / 100:.4f} - loss: {1 / epoch:.4f}", flush=True)
    code = int(options.get("--exit", ["0"])[0])
    if code:
        raise SystemExit(f"ValueError: fake failure with exit code {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
