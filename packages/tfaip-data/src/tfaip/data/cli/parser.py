"""`ParamsArgumentParser`: paiargparse's params-tree parser with errors that name the flag and suggest the fix.

paiargparse maps a tree of params dataclasses onto dotted flags (`--trainer.epochs 5`,
`--optimizer SGD --optimizer.momentum 0.9`). This parser keeps that and changes how it fails:

- a value is checked against its field before paiargparse converts it, so `--trainer.epochs abc`
  says `--trainer.epochs expects an integer, got 'abc'` (bools, lists, enums and class names too);
- an unknown flag or class name suggests the closest one of the parsed tree;
- every error is a `ConfigError` (one line; the console scripts exit with code 2), never a
  `SystemExit` from deep inside argparse.
"""

import argparse
import difflib
import itertools
import sys
from dataclasses import is_dataclass
from typing import Any, List, NoReturn, Optional, Sequence

from paiargparse import PAIArgumentParser
from paiargparse.dataclass_extractor import ArgumentField, extract_args_of_dataclass
from paiargparse.dataclass_parser import (
    InvalidChoiceError,
    PAIDataClassArgumentParser,
    RequiredArgumentError,
    UnknownArgumentError,
)

from tfaip.data.cli.values import check_class_names, check_flag, closest, did_you_mean
from tfaip.data.errors import ConfigError


class ParamsArgumentParser(PAIArgumentParser):
    """A `PAIArgumentParser` whose errors are one-line `ConfigError`s naming the flag, the value and the fix.

    Args:
        prog: the program name that error and usage lines start with.
        description: the text of `--help`.

    Example:
        >>> parser = ParamsArgumentParser("my-script", "Train my model.")
        >>> parser.add_root_argument("trainer", TrainerParams, default=TrainerParams())
        >>> parser.parse_args(["--trainer.epochs", "abc"])
        Traceback (most recent call last):
        tfaip.data.errors.ConfigError: --trainer.epochs expects an integer, got 'abc'.
    """

    def __init__(self, prog: str, description: str, **kwargs: Any):
        super().__init__(prog=prog, description=description, add_show=False, **kwargs)

    def _data_class_argument_parser_cls(self) -> type:
        return _CheckedFieldParser

    def error(self, message: str):
        """Raise the error as a ConfigError instead of printing the usage and exiting."""
        raise ConfigError(message)

    def parse_args(self, args: Optional[Sequence[str]] = None, namespace: Any = None) -> argparse.Namespace:
        """Parse `args`; any problem raises a ConfigError with one line naming it."""
        try:
            namespace, unknown = self.parse_known_args(args, namespace)
        except (RequiredArgumentError, InvalidChoiceError, UnknownArgumentError) as e:
            raise ConfigError(str(e).strip().splitlines()[0]) from None
        except ConfigError:
            raise
        except ValueError as e:  # a params class's own validation (__post_init__)
            raise ConfigError(str(e)) from None
        if unknown:
            raise ConfigError(self._unknown_arguments(unknown))
        return namespace

    def leading_argument(self, argv: Sequence[str], missing: str) -> str:
        """The positional argument `argv` must start with (a SCENARIO, a FILE.json, an OUTPUT_DIR).

        Without it, `--help` prints the help known so far and exits, anything else raises
        `ConfigError(missing)`; so both are answered before the script loads what the argument names.
        """
        if argv and not argv[0].startswith("-"):
            return argv[0]
        self.help_or_error(argv, missing)

    def peek(self, argv: Sequence[str], flag: str) -> Optional[List[str]]:
        """The values given to `flag` in `argv` (None if it is absent), read before the params tree is parsed."""
        values = None
        for i, arg in enumerate(argv):
            if arg == flag:
                values = list(itertools.takewhile(lambda a: not a.startswith("-"), argv[i + 1 :]))
            elif arg.startswith(f"{flag}="):
                values = [arg.partition("=")[2]]
        return values

    def help_or_error(self, argv: Sequence[str], message: str) -> NoReturn:
        """Print the help and exit if `argv` asks for it (-h, --help), else raise `ConfigError(message)`."""
        if any(a in ("-h", "--help") for a in argv):
            self.print_help()
            sys.exit(0)
        raise ConfigError(message)

    def option_strings(self) -> List[str]:
        """Every flag the parser knows so far (those of the params tree included)."""
        actions = self._actions + self._data_class_parser._actions
        return sorted({option for action in actions for option in action.option_strings if option.startswith("--")})

    def _unknown_arguments(self, unknown: List[str]) -> str:
        flags = [a.split("=")[0] for a in unknown if a.startswith("-")]
        if not flags:
            return f"unexpected argument {' '.join(unknown)!r}; flags start with -- (see {self.prog} --help)."
        known = self.option_strings()
        described = []
        for flag in flags:
            match = closest_flag(flag, known)
            described.append(f"{flag}; did you mean {match}?" if match else flag)
        return f"unknown flag {', '.join(described)} (see {self.prog} --help for every flag)."


class _CheckedFieldParser(PAIDataClassArgumentParser):
    """The inner parser of the params tree: checks each value against its field before paiargparse sees it."""

    def error(self, message: str):
        raise ConfigError(message)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = kwargs.get("action")
        if isinstance(action, type) and issubclass(action, argparse.Action):
            kwargs["action"] = _checked(action)
        return super().add_argument(*args, **kwargs)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            choices = [str(c) for c in action.choices]
            choices = [c for c in choices if c == c.lower() or c.lower() not in choices]  # enum values, not names
            raise ConfigError(
                f"{action.option_strings[0]} expects one of {', '.join(choices)}, got {value!r}"
                f"{did_you_mean(value, choices) or '.'}"
            )

    def check_values(self, action: argparse.Action, values: Any) -> None:
        """Raise a ConfigError if the values given to `action`'s flag do not fit its field."""
        flag = action.option_strings[0]
        key = flag[2:]
        if key in self._default_data_classes_to_set_after_next_run and values in (key, [key]):
            return  # paiargparse filling in a default, not a value of the user
        field = self.field_of(key)
        if field is None:
            return
        if field.dataclass and field.dict_type is None:
            check_class_names(flag, field, values)
        else:
            check_flag(flag, field, values)

    def field_of(self, flag: str) -> Optional[ArgumentField]:
        """The dataclass field behind `--flag` in the params tree parsed so far (None if unknown)."""
        nodes = [self._params_tree]
        while nodes:
            node = nodes.pop()
            nodes.extend(node.dcs.values())
            if not (isinstance(node.parsed_type, type) and is_dataclass(node.parsed_type)):
                continue
            fields = {f.name: f for f in extract_args_of_dataclass(node.parsed_type)}
            for name, param in node.params.items():
                if param.arg_name == flag and name in fields:
                    return fields[name]
            for name, child in node.dcs.items():
                if child.arg_name + name == flag and name in fields:
                    return fields[name]
        return None


def closest_flag(flag: str, known: Sequence[str]) -> Optional[str]:
    """The known flag `flag` most likely misspells, compared by the name after the last dot.

    A sibling comes first (`--trainer.epoch` -> `--trainer.epochs`), then the same name under
    another parent (`--epochs` -> `--trainer.epochs`); a shared parent alone is no match
    (`--optimizer.momentum` is not `--optimizer.lr`).
    """
    parent, _, name = flag[2:].rpartition(".")
    split = [(k, *k[2:].rpartition(".")[::2]) for k in known]  # (flag, parent, name)
    match = closest(name, [n for _, p, n in split if p == parent])
    if match is not None:
        return f"--{parent}.{match}" if parent else f"--{match}"
    similar = [k for k, _, n in split if closest(name, [n]) is not None]
    return max(similar, key=lambda k: difflib.SequenceMatcher(None, flag, k).ratio()) if similar else None


def _checked(action_cls: type) -> type:
    """A subclass of a paiargparse action that checks the values first and turns its errors into ConfigErrors."""

    class Checked(action_cls):
        def __call__(self, parser: _CheckedFieldParser, namespace: Any, values: Any, option_string: Any = None):
            parser.check_values(self, values)
            try:
                super().__call__(parser, namespace, values, option_string)
            except (ConfigError, RequiredArgumentError, InvalidChoiceError):
                raise
            except (ValueError, TypeError, ImportError, AttributeError) as e:
                raise ConfigError(f"{self.option_strings[0]}: {str(e).strip().splitlines()[0]}") from e

    Checked.__name__ = Checked.__qualname__ = action_cls.__name__
    return Checked
