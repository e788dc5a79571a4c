"""`tfaip-new-scenario NAME [--template general|listfile] [--dir DIR]`: a new scenario package that trains.

Needs no TensorFlow: it only fills in the templates of `tfaip.train.templates`.
"""

import argparse
import os
from typing import NoReturn, Optional, Sequence

from tfaip.data import ConfigError
from tfaip.data.cli import run_console_script
from tfaip.train.templates import TEMPLATES, write_scenario

PROG = "tfaip-new-scenario"
USAGE = f"{PROG} NAME [--template general|listfile] [--dir DIR] [-h]"
DESCRIPTION = (
    "Write a new scenario package NAME (params, data with a generator and two processors, graph, model, scenario "
    "and a test) that trains out of the box on a small toy task; notes starting with 'Real data:' and 'Real "
    "graph:' mark what to replace."
)
TEMPLATE_HELP = (
    "general: one generator for training and validation (--train_val.*); listfile: a ListFileScenario reading "
    "list files of sample paths (--train.lists, --val.lists, --lav.lists); its toy task writes its own list files."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Raise the error as a ConfigError: one line and exit code 2."""
        raise ConfigError(f"{message} (see {self.prog} --help).")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Write the package; returns the exit code."""
    parser = _Parser(prog=PROG, description=DESCRIPTION, usage=USAGE)
    parser.add_argument("name", metavar="NAME", nargs="?", help="The package to write: a Python package name.")
    parser.add_argument("--template", choices=TEMPLATES, default="general", help=TEMPLATE_HELP)
    parser.add_argument("--dir", default=".", metavar="DIR", help="Where to write NAME/ (default: here).")
    args = parser.parse_args(argv)
    if args.name is None:
        raise ConfigError(f"the first argument must be the NAME of the new package, e.g. {PROG} my_scenario.")
    package = write_scenario(args.name, args.template, args.dir)
    files = ", ".join(sorted(p.name for p in package.iterdir()))
    print(f"Wrote {package}{os.sep} from the {args.template} template: {files}")
    print("Train it and run its tests (from the directory that holds it):")
    if os.path.abspath(args.dir) != os.getcwd():
        print(f"  cd {args.dir}")
    print(f"  tfaip-train {args.name} --trainer.epochs 5 --trainer.output_dir {args.name}_model")
    print(f"  pytest {args.name}")
    return 0


def run() -> None:
    """Console script entry point."""
    run_console_script(PROG, main)
