"""What a params field accepts: its description for error messages, and checks of flag texts and JSON values.

A field is paiargparse's `ArgumentField` (the declared type split into optional, list, enum and
dict parts). Flags arrive as strings (`--trainer.epochs 5`), params files as JSON values; both are
checked against the same field so that their errors read alike.
"""

import difflib
import importlib
from enum import Enum
from typing import Any, Iterable, List, Optional, Sequence

from paiargparse.dataclass_extractor import ArgumentField

from tfaip.data.errors import ConfigError

NONE_TEXTS = ("none", "null")
TRUE_TEXTS = ("true", "yes", "y", "1")
FALSE_TEXTS = ("false", "no", "n", "0")
_SCALARS = {
    bool: ("true or false", "true/false values"),
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
}


def closest(word: str, candidates: Iterable[str]) -> Optional[str]:
    """The candidate most similar to `word`, if any is similar enough (difflib's ratio >= 0.6)."""
    matches = difflib.get_close_matches(word, list(candidates), n=1)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`"; did you mean X?"` for the candidate closest to `word`, or `""`."""
    match = closest(word, candidates)
    return f"; did you mean {match}?" if match else ""


def class_choices(field: ArgumentField, aliases_only: bool = False) -> List[str]:
    """The names that choose a params class of a field with `pai_meta(choices=[...])`.

    A class is chosen by its name or its alias (`@pai_dataclass(alt="Adam")`); with
    `aliases_only`, a class with an alias is listed by the alias only.
    """
    names: List[str] = []
    for choice in field.meta.get("choices") or []:
        alias = getattr(choice, "__alt_name__", None)
        candidates = [alias] if alias and aliases_only else [choice.__name__, alias]
        names += [n for n in candidates if n and n not in names]
    return names


def describe(field: ArgumentField) -> str:
    """What a field expects, e.g. `an integer`, `a list of numbers`, `one of default, mirror (or None)`."""
    if field.dataclass:
        names = class_choices(field, aliases_only=True)
        text = f"one of {', '.join(names)} or 'package.module:Class'" if names else "'package.module:Class'"
    elif field.dict_type is not None:
        text = "KEY=VALUE pairs"
    elif field.enum is not None:
        text = f"one of {', '.join(str(member.value) for member in field.enum)}"  # the names are accepted too
        text = f"a list of ({text})" if field.list else text
    else:
        single, plural = _SCALARS.get(field.type, (f"a {getattr(field.type, '__name__', field.type)}",) * 2)
        text = f"a list of {plural}" if field.list else single
    return f"{text} (or None)" if field.optional else text


def _convert(kind: type, enum: Optional[type], text: str) -> Any:
    """`text` as a value of `kind` (or of the enum); ValueError if it is none."""
    if enum is not None:
        for member in enum:
            if text in (str(member.value), member.name):
                return member
        raise ValueError(text)
    if kind is bool:
        lowered = text.lower()
        if lowered not in TRUE_TEXTS + FALSE_TEXTS:
            raise ValueError(text)
        return lowered in TRUE_TEXTS
    if kind in (int, float, str):
        return kind(text)
    return text  # a type paiargparse passes through as text


def check_flag(flag: str, field: ArgumentField, values: "str | Sequence[str]") -> None:
    """Raise a ConfigError naming the flag, what it expects and the value, if `values` do not fit `field`."""
    texts = [values] if isinstance(values, str) else list(values)
    if field.optional and len(texts) == 1 and texts[0].lower() in NONE_TEXTS:
        return
    for text in texts:
        try:
            if field.dict_type is not None:
                key, separator, value = text.partition("=")
                if not separator:
                    raise ValueError(text)
                _convert(field.type, None, key)
                if not field.dataclass:
                    _convert(field.dict_type, None, value)
            else:
                _convert(field.type, field.enum, text)
        except ValueError:
            raise ConfigError(f"{flag} expects {describe(field)}, got {text!r}.") from None


def check_class_names(flag: str, field: ArgumentField, values: "str | Sequence[str]") -> None:
    """Raise a ConfigError if a value does not name a params class for `field` (a choice or `module:Class`)."""
    texts = [values] if isinstance(values, str) else list(values)
    if field.optional and len(texts) == 1 and texts[0].lower() in NONE_TEXTS:
        return
    names = class_choices(field)
    for text in texts:
        if text in names:
            continue
        if ":" not in text:
            raise ConfigError(
                f"{flag}: {text!r} is not a choice{did_you_mean(text, names) or '.'} Give {describe(field)}."
            )
        module, _, name = text.partition(":")
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as e:
            raise ConfigError(f"{flag}: cannot import {text!r} ({e}).") from None
        if not (isinstance(cls, type) and issubclass(cls, field.type)):
            raise ConfigError(f"{flag}: {text!r} is no subclass of {field.type.__name__}.")


def json_value_fits(field: ArgumentField, value: Any) -> bool:
    """Whether a JSON value (not a params object) fits a scalar, list or enum field."""
    if value is None:
        return field.optional
    if field.list:
        return isinstance(value, list) and all(_json_scalar_fits(field, v) for v in value)
    return _json_scalar_fits(field, value)


def _json_scalar_fits(field: ArgumentField, value: Any) -> bool:
    if field.enum is not None:
        return isinstance(value, (str, int, float, Enum)) and _enum_fits(field.enum, value)
    kind = field.type
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str)
    return True  # other types are not checked


def _enum_fits(enum_cls: type, value: Any) -> bool:
    try:
        _convert(str, enum_cls, str(value.value if isinstance(value, Enum) else value))
    except ValueError:
        return False
    return True
