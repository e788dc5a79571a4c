"""What tfaip-predict and tfaip-lav share: parsing flags on top of an export, output files, error exits."""

import argparse
import json
import sys
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
from paiargparse import PAIArgumentParser
from paiargparse.dataclass_parser import InvalidChoiceError, RequiredArgumentError, UnknownArgumentError

from tfaip.data import DataPipelineError, Sample
from tfaip.serve.export_loader import ExportError, read_scenario

ExportFlags = Callable[[PAIArgumentParser, Any, Any, List[str]], None]
EXPORT_DIR_HELP = (
    "The exported model: OUTPUT_DIR/export or OUTPUT_DIR/best of a training run, or a directory written by "
    "scenario.export(); several directories vote their predictions."
)


def parse_export_args(
    prog: str, description: str, argv: Optional[Sequence[str]], add_flags: ExportFlags
) -> Tuple[argparse.Namespace, Any, Any]:
    """Parse `--export_dir` first, then the flags that the export's scenario defines (`add_flags`).

    Returns the namespace, the scenario class and its params. Any error exits with code 2
    and one line naming the cause.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--export_dir", nargs="+")
    known, _ = first.parse_known_args(argv)
    parser = PAIArgumentParser(prog=prog, description=description)
    parser.add_argument("--export_dir", nargs="+", required=True, metavar="DIR", help=EXPORT_DIR_HELP)
    scenario_cls = scenario_params = None
    if known.export_dir:
        try:
            scenario_cls, scenario_params = read_scenario(known.export_dir[0])
        except ExportError as e:
            parser.error(str(e))
        try:
            add_flags(parser, scenario_cls, scenario_params, known.export_dir)
        except ExportError as e:
            parser.error(str(e))
    elif any(a in ("-h", "--help") for a in argv):
        parser.epilog = "Pass --export_dir DIR together with --help to list the flags of that export's scenario."
    try:
        args = parser.parse_args(argv)
    except (UnknownArgumentError, RequiredArgumentError, InvalidChoiceError, ValueError, TypeError) as e:
        parser.error(str(e))
    return args, scenario_cls, scenario_params


def run_cli(prog: str, main: Callable[[], int]) -> None:
    """Run `main` and exit with its code; pipeline and export errors end with one line, exit code 1."""
    try:
        code = main()
    except ExportError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 2
    except DataPipelineError as e:  # its message names the processor and sample, then the worker's traceback
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)


def created(prog: str, create: Callable[[], Any]) -> Any:
    """`create()`, or exit 2 with one line when the params are invalid (e.g. a GPU that does not exist)."""
    try:
        return create()
    except (ValueError, KeyError, TypeError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        sys.exit(2)


def to_json(value: Any) -> Any:
    """Arrays (also nested in dicts and lists) as JSON-ready lists; bytes as text."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (np.ndarray, np.generic)):
        return to_json(value.tolist()) if value.dtype.kind in "SO" else value.tolist()
    return value


def sample_record(index: int, sample: Sample) -> dict:
    """The JSON record of a predicted sample: its id (meta id, else its position) and outputs."""
    meta = sample.meta if isinstance(sample.meta, dict) else {}
    record = {"id": to_json(meta.get("id", index)), "outputs": to_json(sample.outputs)}
    if sample.targets is not None:
        record["targets"] = to_json(sample.targets)
    return record


def dumps(record: Any) -> str:
    """One compact JSON line."""
    return json.dumps(record, separators=(",", ":"))
