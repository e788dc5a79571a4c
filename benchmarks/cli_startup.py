"""How long a user waits for a console script's answer to `--help` or a usage error.

Each command runs as a fresh process `--repeats` times, alternating; the figure is the median
wall time. Three baselines run in the same rounds:

- `python`: a bare interpreter (`python -c pass`);
- `floor`: `import numpy, paiargparse`, the libraries that every tfaip script needs;
- `tensorflow`: `import tensorflow`, what every usage error waited for before tfaip answered
  them without TensorFlow (and what a real run still loads).

The usage errors are: tfaip-train, tfaip-train-from-params, tfaip-resume-training and
tfaip-benchmark-input-pipeline without their first argument, tfaip-predict and tfaip-lav
without `--export_dir`, and `--help` of tfaip-train and tfaip-predict. `train_bad_value`
(`tfaip-train tutorial.min --trainer.epochs abc`) needs the scenario and so TensorFlow.

Prints one JSON line.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

BIN = Path(sys.executable).parent
COMMANDS: Dict[str, Tuple[List[str], int]] = {  # name: (command, expected exit code)
    "python": ([sys.executable, "-c", "pass"], 0),
    "floor": ([sys.executable, "-c", "import numpy, paiargparse"], 0),
    "tensorflow": ([sys.executable, "-c", "import tensorflow"], 0),
    "train_no_scenario": ([str(BIN / "tfaip-train")], 2),
    "train_help": ([str(BIN / "tfaip-train"), "--help"], 0),
    "train_from_params_no_file": ([str(BIN / "tfaip-train-from-params")], 2),
    "resume_no_dir": ([str(BIN / "tfaip-resume-training")], 2),
    "benchmark_no_scenario": ([str(BIN / "tfaip-benchmark-input-pipeline")], 2),
    "predict_no_export": ([str(BIN / "tfaip-predict")], 2),
    "predict_help": ([str(BIN / "tfaip-predict"), "--help"], 0),
    "lav_no_export": ([str(BIN / "tfaip-lav")], 2),
    "train_bad_value": ([str(BIN / "tfaip-train"), "tutorial.min", "--trainer.epochs", "abc"], 2),
}
USAGE_ERRORS = [name for name in COMMANDS if name not in ("python", "floor", "tensorflow", "train_bad_value")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times: Dict[str, List[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, (command, code) in COMMANDS.items():
            start = time.perf_counter()
            result = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            times[name].append(time.perf_counter() - start)
            if result.returncode != code:
                raise SystemExit(f"{name}: exit code {result.returncode}, expected {code}\n{result.stderr}")
    median = {name: statistics.median(values) for name, values in times.items()}
    result = {"benchmark": "cli_startup", "repeats": args.repeats}
    result.update({f"{name}_s": round(value, 3) for name, value in median.items()})
    result["slowest_usage_error_s"] = round(max(median[name] for name in USAGE_ERRORS), 3)
    result["slowest_usage_error_vs_tensorflow"] = round(result["slowest_usage_error_s"] / median["tensorflow"], 3)
    result["slowest_usage_error_vs_floor"] = round(result["slowest_usage_error_s"] / median["floor"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
