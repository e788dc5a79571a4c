"""`tfaip-experimenter --xlsx runs.xlsx --gpus 0 1`: run the experiments of a sheet.

Exit codes: 0 when every run finished, 1 when a run failed, 2 for a bad command line or sheet
(nothing ran), 130 after Ctrl-C.
"""

import argparse
import sys
from typing import Optional, Sequence

from tfaip.experimenter.experimenter import XLSXExperimenter
from tfaip.experimenter.plan import LaunchError
from tfaip.experimenter.results import ResultsError
from tfaip.experimenter.sheet import SheetError
from tfaip.experimenter.slots import SlotError

PROG = "tfaip-experimenter"


def build_parser() -> argparse.ArgumentParser:
    """The command line of `tfaip-experimenter`."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run the experiments listed in an xlsx sheet, N at a time on GPU or CPU slots.",
        epilog="Sheet layout and examples: docs/experimenter.md.",
    )
    parser.add_argument("--xlsx", required=True, help="The experiment sheet (its first worksheet is read).")
    parser.add_argument(
        "--gpus", nargs="+", metavar="GPU",
        help="GPU slots: '0 1' runs one run on each of GPU 0 and 1, '3a 3b' two at once on GPU 3. "
        "Each run sees only its GPU (CUDA_VISIBLE_DEVICES).",
    )  # fmt: skip
    parser.add_argument("--cpus", nargs="+", metavar="CPU", help="CPU slots: '0 1' runs two runs at once on the CPU.")
    parser.add_argument(
        "--python", default=sys.executable,
        help="The Python of the virtual env that runs the scripts (default: %(default)s).",
    )  # fmt: skip
    parser.add_argument(
        "--output_dir", "--output-dir",
        help="Where the runs' output dirs go, one per ID (default: beside the sheet, named after it: "
        "runs.xlsx -> runs/<ID>).",
    )  # fmt: skip
    parser.add_argument(
        "--update", action="store_true",
        help="Write the last epoch's losses and metrics of every run to a new sheet of the workbook and to a CSV "
        "beside it (after running, if slots are given).",
    )  # fmt: skip
    parser.add_argument("--dry_run", "--dry-run", action="store_true", help="Print the commands, run nothing.")
    parser.add_argument(
        "--grace", type=float, default=30.0,
        help="Seconds a run stopped by Ctrl-C gets to exit before it is killed (default: %(default)s).",
    )  # fmt: skip
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run `tfaip-experimenter` with `argv`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        experimenter = XLSXExperimenter(
            args.xlsx, args.gpus, args.cpus, args.python, args.output_dir, args.dry_run, args.update, args.grace
        )
        return experimenter.run()
    except (SheetError, LaunchError, SlotError) as e:
        parser.exit(2, f"{PROG}: error: {e}\n")
    except (ResultsError, OSError) as e:
        parser.exit(1, f"{PROG}: error: {e}\n")
    except KeyboardInterrupt:
        print(f"{PROG}: stopped. Run the same command again to go on: finished runs are skipped, started ones resumed.",
              file=sys.stderr)  # fmt: skip
        return 130


def run() -> None:
    """Console script entry point."""
    sys.exit(main())
