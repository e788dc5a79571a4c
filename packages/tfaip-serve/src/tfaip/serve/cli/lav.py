"""`tfaip-lav --export_dir DIR [DIR ...] --data.* --lav.*`: losses, metrics and Evaluator values of an export."""

import json
import sys
from typing import Any, List, Optional, Sequence

from paiargparse import PAIArgumentParser

from tfaip.serve.cli.common import created, parse_export_args, run_cli, to_json
from tfaip.serve.export_loader import recorded_lav_generator
from tfaip.serve.lav.report import atomic_file
from tfaip.serve.params import LAVParams

PROG = "tfaip-lav"


def _add_flags(parser: PAIArgumentParser, scenario_cls: Any, scenario_params: Any, export_dirs: List[str]) -> None:
    del scenario_params
    default = recorded_lav_generator(export_dirs[0], scenario_cls)
    if default is None:
        default = scenario_cls.predict_generator_params_cls()()
    parser.add_root_argument("data", type(default), default=default)
    parser.add_root_argument("lav", LAVParams)
    parser.add_argument("--run_eagerly", action="store_true", help="The same as --lav.run_eagerly True.")
    parser.add_argument("--dump", metavar="FILE.npz", help="The same as --lav.dump FILE.npz.")
    parser.add_argument("--json", metavar="FILE", help="Also write the results of each dataset as JSON to FILE.")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Validate the export(s) on the data of `--data.*`; returns the exit code."""
    args, scenario_cls, _ = parse_export_args(
        PROG, "Load and validate (LAV) an exported model on labelled data.", argv, _add_flags
    )
    params: LAVParams = args.lav
    params.run_eagerly = params.run_eagerly or args.run_eagerly
    if args.dump is not None:
        if not args.dump.endswith(".npz"):
            print(f"{PROG}: error: --dump must name a .npz file, got {args.dump!r}.", file=sys.stderr)
            return 2
        params.dump = args.dump
    if len(args.export_dir) > 1:
        lav = created(PROG, lambda: params.create_multi(scenario_cls, args.export_dir))
    else:
        lav = created(PROG, lambda: scenario_cls.create_lav(args.export_dir[0], params))
    results = list(lav.run([args.data]))
    if args.json:
        with atomic_file(args.json) as f:
            json.dump(to_json(results), f, indent=2)
    return 0


def run() -> None:
    """Console script entry point."""
    run_cli(PROG, main)
