"""The part of tfaip-predict's and tfaip-lav's command line that is read before TensorFlow loads: `--export_dir`."""

import sys
from typing import List, Optional, Sequence, Tuple

from tfaip.data.cli import ParamsArgumentParser
from tfaip.serve.export_dir import check_export_dir

EXPORT_DIR_HELP = (
    "The exported model: OUTPUT_DIR/export or OUTPUT_DIR/best of a training run, or a directory written by "
    "scenario.export(); several directories vote their predictions."
)


def export_command_line(
    prog: str, description: str, argv: Optional[Sequence[str]]
) -> Tuple[ParamsArgumentParser, List[str], List[str]]:
    """The parser (knowing `--export_dir`), the arguments and the export dirs they name.

    `--help` without an export prints the general help and exits; a missing `--export_dir`, or
    one that is no export, raises a ConfigError. Neither needs TensorFlow.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = ParamsArgumentParser(prog, description, usage=f"{prog} --export_dir DIR [DIR ...] [--data.* ...] [-h]")
    parser.add_argument("--export_dir", nargs="+", required=True, metavar="DIR", help=EXPORT_DIR_HELP)
    export_dirs = parser.peek(argv, "--export_dir")
    if not export_dirs:
        parser.epilog = "Pass --export_dir DIR together with --help to list the flags of that export's scenario."
        parser.help_or_error(
            argv, f"--export_dir DIR is required: the export of a training run, e.g. {prog} --export_dir model/export"
        )
    for export_dir in export_dirs:
        check_export_dir(export_dir)
    return parser, argv, export_dirs
