"""`SCENARIO [flags]` command lines: find the scenario, expose every TrainerParams field as a flag."""

import argparse
import sys
from typing import Any, Callable, Optional, Sequence, Tuple, Type

from paiargparse import PAIArgumentParser
from paiargparse.dataclass_parser import InvalidChoiceError, RequiredArgumentError, UnknownArgumentError

from tfaip.model import ScenarioBase, import_scenario
from tfaip.train.params import TrainerParams

SCENARIO_HELP = (
    "The scenario: a module path (tutorial.min, resolved inside tfaip_scenarios too), 'package.module:Class' or a "
    ".py file."
)


def default_trainer_params(scenario_cls: Type[ScenarioBase]) -> TrainerParams:
    """TrainerParams with the scenario's default params and data."""
    return TrainerParams(scenario=scenario_cls.default_params(), gen=scenario_cls.default_trainer_pipeline_params())


def parse_scenario_args(
    prog: str,
    description: str,
    argv: Optional[Sequence[str]],
    add_flags: Optional[Callable[[PAIArgumentParser], None]] = None,
) -> Tuple[argparse.Namespace, Type[ScenarioBase]]:
    """Parse `SCENARIO` and then the flags of its TrainerParams (`args.trainer`); errors exit 2 with one line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = PAIArgumentParser(prog=prog, description=description)
    parser.add_argument("scenario", metavar="SCENARIO", help=SCENARIO_HELP)
    if add_flags is not None:
        add_flags(parser)
    positional = [a for a in argv if not a.startswith("-")]
    if not positional or argv[0].startswith("-"):
        if any(a in ("-h", "--help") for a in argv):
            parser.epilog = "Pass a SCENARIO before --help to list every flag of its training."
            parser.print_help()
            sys.exit(0)
        parser.error("the first argument must be the SCENARIO, e.g. tfaip-train tutorial.min --trainer.epochs 5")
    try:
        scenario_cls = import_scenario(argv[0])
    except (ImportError, FileNotFoundError) as e:
        parser.error(str(e).splitlines()[0])
    parser.add_root_argument("trainer", TrainerParams, default_trainer_params(scenario_cls))
    return parse_or_exit(parser, argv), scenario_cls


def parse_or_exit(parser: PAIArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """`parser.parse_args(argv)`; a bad flag or value exits 2 with one line."""
    try:
        return parser.parse_args(argv)
    except (UnknownArgumentError, RequiredArgumentError, InvalidChoiceError, ValueError, TypeError) as e:
        parser.error(str(e).splitlines()[0] if str(e) else type(e).__name__)


def run_main(prog: str, main: Callable[[], Any]) -> None:
    """Run `main`, exit with its code; bad params end with one line and exit 2, Ctrl-C with 130."""
    try:
        code = main() or 0
    except (ValueError, KeyError, FileNotFoundError, FileExistsError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; continue with tfaip-resume-training OUTPUT_DIR", file=sys.stderr)
        code = 130
    sys.exit(code)
