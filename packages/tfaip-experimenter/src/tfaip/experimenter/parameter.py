"""One parameter column of a sheet: its flag (group + name), its options and how a cell becomes arguments."""

import datetime
from dataclasses import dataclass
from typing import Any, List, Optional

DEFAULT_GROUP = "default"
OPTIONS = ("split", "empty")


@dataclass(frozen=True)
class Parameter:
    """A parameter column: row 2 gave its `group`, row 3 its `name` and options (`name:split:empty`).

    Args:
        name: The parameter's name without dashes, e.g. `epochs`.
        group: The group of row 2; None for `default` (the flag is `--name`), else the flag is `--group.name`.
        split: Split a value at whitespace into several arguments (`:split`).
        allow_empty: Pass the bare flag for an empty cell (`:empty`); by default an empty cell adds nothing.
    """

    name: str
    group: Optional[str] = None
    split: bool = False
    allow_empty: bool = False

    @property
    def flag(self) -> str:
        """The command-line flag, e.g. `--trainer.epochs` or `--optimizer`."""
        return f"--{self.group}.{self.name}" if self.group else f"--{self.name}"

    @property
    def label(self) -> str:
        """The dotted name without dashes, e.g. `trainer.epochs`: the column title in result sheets."""
        return self.flag[2:]

    def to_args(self, value: Any) -> List[str]:
        """The arguments for a cell `value`: `[]` or `[flag]` for an empty cell, else `[flag, value...]`."""
        if is_empty(value):
            return [self.flag] if self.allow_empty else []
        text = format_value(value)
        return [self.flag, *text.split()] if self.split else [self.flag, text]


def parse_parameter(label: str, group: Optional[str]) -> Parameter:
    """A `Parameter` from a row-3 label like `post_distortions:split:empty` under `group` (None: `default`).

    Raises:
        ValueError: naming the unknown option or the empty name.
    """
    name, *options = [part.strip() for part in label.strip().split(":")]
    if not name or name.startswith("-"):
        raise ValueError(f"'{label}' names no parameter; write its name without dashes, e.g. 'epochs'.")
    unknown = [option for option in options if option not in OPTIONS]
    if unknown:
        raise ValueError(f"unknown option ':{unknown[0]}' in '{label}'; the options are :split and :empty.")
    return Parameter(name, group, split="split" in options, allow_empty="empty" in options)


def is_empty(value: Any) -> bool:
    """Whether a cell value counts as empty (None or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def format_value(value: Any) -> str:
    """The text of a cell value as an argument: whole floats without `.0`, dates in ISO format."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def is_set(value: Any) -> bool:
    """Whether a flag cell (SKIP, CLEANUP) is set: anything but empty, `0`, FALSE, `no` and `false`."""
    if is_empty(value):
        return False
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return str(value).strip().lower() not in ("0", "no", "false")
