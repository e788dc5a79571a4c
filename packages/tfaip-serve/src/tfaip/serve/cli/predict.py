"""`tfaip-predict --export_dir DIR [DIR ...] --data.* --predict.* --pipeline.* [--output FILE.jsonl]`."""

import contextlib
import sys
from typing import Any, List, Optional, Sequence

from paiargparse import PAIArgumentParser

from tfaip.serve.cli.common import created, dumps, parse_export_args, run_cli, sample_record
from tfaip.serve.lav.report import atomic_file, summarize
from tfaip.serve.params import PredictorParams

PROG = "tfaip-predict"


def _add_flags(parser: PAIArgumentParser, scenario_cls: Any, scenario_params: Any, export_dirs: List[str]) -> None:
    del scenario_params, export_dirs
    parser.add_root_argument("data", scenario_cls.predict_generator_params_cls())
    parser.add_root_argument("predict", PredictorParams)
    parser.add_argument(
        "--output",
        metavar="FILE.jsonl",
        help="Write each predicted sample as one JSON line: id, outputs (and, with several models, the "
        "individual outputs). Written to a temporary file and renamed when the prediction succeeded.",
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Predict the data of `--data.*` with the export(s); returns the exit code."""
    args, scenario_cls, _ = parse_export_args(
        PROG, "Apply an exported model (pre-processing, model, post-processing) to data.", argv, _add_flags
    )
    if args.output is not None and not args.output.endswith(".jsonl"):
        print(f"{PROG}: error: --output must name a .jsonl file, got {args.output!r}.", file=sys.stderr)
        return 2
    params: PredictorParams = args.predict
    multi = len(args.export_dir) > 1
    if multi:
        predictor = created(PROG, lambda: scenario_cls.create_multi_predictor(args.export_dir, params))
    else:
        predictor = created(PROG, lambda: scenario_cls.create_predictor(args.export_dir[0], params))
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_file(args.output)) if args.output else None
        for index, prediction in enumerate(predictor.predict(args.data)):
            sample, individual = prediction if multi else (prediction, None)
            record = sample_record(index, sample)
            if individual is not None:
                record["individual"] = [sample_record(index, s)["outputs"] for s in individual]
            if out is not None:
                out.write(dumps(record) + "\n")
            if not params.silent:
                print(f"{record['id']}: {dumps(summarize(sample.outputs))}")
    print(f"Prediction: {predictor.throughput}")
    return 0


def run() -> None:
    """Console script entry point."""
    run_cli(PROG, main)
