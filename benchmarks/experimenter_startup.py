"""Start-up of `tfaip-experimenter`: how long a user waits before anything happens.

Each command runs as a fresh process `--repeats` times, alternating; the figure is the median
wall time. The baseline is a bare interpreter (`python -c pass`) timed in the same run, so the
ratios show what tfaip-experimenter adds on this machine:

- `help`: `tfaip-experimenter --help` (argparse, rich and our modules; no openpyxl, no TensorFlow);
- `import`: `import tfaip.experimenter`;
- `dry_run`: `tfaip-experimenter --xlsx <20 rows> --dry-run`: a real use, reading the sheet;
- `openpyxl` and `rich`: the two libraries imported alone, to show their share.

Prints one JSON line.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import openpyxl

BIN = Path(sys.executable).parent


def write_sheet(path: Path, rows: int) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["USER", "RESULT", "SKIP", "SCRIPT", "ID", "CLEANUP", "PARAMS", None, None])
    sheet.append([None] * 6 + ["trainer", None, "default"])
    sheet.append([None] * 6 + ["epochs", "samples_per_epoch", "optimizer"])
    for i in range(rows):
        sheet.append([None, None, None, "tfaip-train tutorial.min", i + 1, None, 5, 1000 * (i + 1), "Adam"])
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "runs.xlsx"
        write_sheet(sheet, 20)
        commands: Dict[str, List[str]] = {
            "baseline": [sys.executable, "-c", "pass"],
            "help": [str(BIN / "tfaip-experimenter"), "--help"],
            "import": [sys.executable, "-c", "import tfaip.experimenter"],
            "dry_run": [str(BIN / "tfaip-experimenter"), "--xlsx", str(sheet), "--dry-run"],
            "openpyxl": [sys.executable, "-c", "import openpyxl"],
            "rich": [sys.executable, "-c", "import rich.console, rich.live, rich.table"],
        }
        times: Dict[str, List[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
                times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}
    result = {"benchmark": "experimenter_startup", "repeats": args.repeats}
    result.update({f"{name}_s": round(value, 4) for name, value in median.items()})
    ratios = {f"{name}_vs_baseline": round(median[name] / median["baseline"], 2) for name in commands}
    del ratios["baseline_vs_baseline"]
    result.update(ratios)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
