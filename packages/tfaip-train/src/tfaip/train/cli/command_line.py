"""The part of the training scripts' command lines that is read before TensorFlow loads.

`tfaip-train SCENARIO ...`, `tfaip-train-from-params FILE.json ...` and `tfaip-resume-training
OUTPUT_DIR` first check that their leading argument is there (and that a named file or dir
exists); `--help` without it prints the general help. Only then do they import the scenario.
"""

import contextlib
import os
import signal
import sys
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from tfaip.data import ConfigError
from tfaip.data.cli import ParamsArgumentParser, read_params_file
from tfaip.data.util.files import TRAINER_PARAMS_FILE

SCENARIO_HELP = (
    "The scenario: a module path (tutorial.min, resolved inside tfaip_scenarios too), 'package.module:Class' or a "
    ".py file."
)
PARAMS_HELP = (
    "Start from the params in FILE.json (what --show prints, or a copy of a run's trainer_params.json); flags "
    "override them. A new run starts (the training state of a run is in its checkpoint, not in the file)."
)
SHOW_HELP = "Print the resolved params as JSON (which --params reads back) and exit without training."


@contextlib.contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """In the block, SIGTERM (how Slurm, Kubernetes and `kill` stop a job) stops the run as Ctrl-C does.

    The best model found so far is exported and the exit code is 130, so that the run can be
    resumed; without this, Python would end at once.
    """
    owner = os.getpid()

    def interrupt(signum, frame):
        if os.getpid() != owner:  # a forked child (a data worker, which is stopped by SIGTERM) ends as by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class ParamsFile(NamedTuple):
    """A params file named on the command line, and the JSON object it holds (read once, before TensorFlow)."""

    path: str
    data: Dict[str, Any]


def _parser(
    prog: str, description: str, usage: str, argv: Optional[Sequence[str]]
) -> Tuple[ParamsArgumentParser, List[str]]:
    return ParamsArgumentParser(prog, description, usage=usage), list(sys.argv[1:] if argv is None else argv)


def scenario_command_line(
    prog: str,
    description: str,
    argv: Optional[Sequence[str]],
    example: str = "--trainer.epochs 5",
    add_flags: Optional[Callable[[ParamsArgumentParser], None]] = None,
) -> Tuple[ParamsArgumentParser, List[str], str, Optional[ParamsFile]]:
    """`SCENARIO [--params FILE.json] [--show] [flags]`: the parser, the arguments, the SCENARIO and the file.

    `example` follows `PROG tutorial.min` in the message for a missing SCENARIO.

    Raises:
        ConfigError: without a SCENARIO, or for a --params file that is missing or no JSON object.
    """
    parser, argv = _parser(prog, description, f"{prog} SCENARIO [--params FILE.json] [--show] [flags ...] [-h]", argv)
    parser.add_argument("scenario", metavar="SCENARIO", help=SCENARIO_HELP)
    parser.add_argument("--params", metavar="FILE.json", help=PARAMS_HELP)
    parser.add_argument("--show", action="store_true", help=SHOW_HELP)
    if add_flags is not None:
        add_flags(parser)
    parser.epilog = "Pass a SCENARIO before --help to list every flag of its training."
    scenario = parser.leading_argument(
        argv, f"the first argument must be the SCENARIO, e.g. {prog} tutorial.min {example}"
    )
    parser.epilog = None
    return parser, argv, scenario, _params_flag(parser, argv)


def _params_flag(parser: ParamsArgumentParser, argv: Sequence[str]) -> Optional[ParamsFile]:
    """The file of `--params FILE.json` (None without); a ConfigError if it holds no JSON object."""
    files = parser.peek(argv, "--params")
    if files is None:
        return None
    if len(files) != 1:
        raise ConfigError(f"--params takes one FILE.json, got {len(files)}: {' '.join(files) or 'none'}.")
    return ParamsFile(files[0], read_params_file(files[0]))


def from_params_command_line(
    prog: str, description: str, argv: Optional[Sequence[str]]
) -> Tuple[ParamsArgumentParser, List[str], ParamsFile]:
    """`FILE.json [--show] [flags]`: the parser, the arguments and the params file."""
    parser, argv = _parser(prog, description, f"{prog} FILE.json [--show] [flags ...] [-h]", argv)
    parser.add_argument(
        "params_file", metavar="FILE.json", help="The params to train with, e.g. a run's trainer_params.json."
    )
    parser.add_argument("--show", action="store_true", help=SHOW_HELP)
    parser.epilog = "Pass a FILE.json before --help to list every flag of its scenario's training."
    path = parser.leading_argument(
        argv,
        f"the first argument must be the params FILE.json, e.g. {prog} model/{TRAINER_PARAMS_FILE} --trainer.epochs 5",
    )
    parser.epilog = None
    return parser, argv, ParamsFile(path, read_params_file(path))


def resume_command_line(prog: str, description: str, argv: Optional[Sequence[str]]) -> str:
    """`OUTPUT_DIR`: the output dir of the run to resume, checked to hold a run (its trainer_params.json)."""
    parser, argv = _parser(prog, description, f"{prog} OUTPUT_DIR [-h]", argv)
    parser.add_argument("output_dir", metavar="OUTPUT_DIR", help="The --trainer.output_dir of the run.")
    parser.leading_argument(argv, f"the first argument must be the OUTPUT_DIR of the run, e.g. {prog} model")
    output_dir = parser.parse_args(argv).output_dir
    if not os.path.isfile(os.path.join(output_dir, TRAINER_PARAMS_FILE)):
        raise ConfigError(f"{output_dir} is no training output dir (it has no {TRAINER_PARAMS_FILE}).")
    return output_dir
