"""Params files: a JSON tree of params (as `to_dict()` writes it, e.g. a run's `trainer_params.json`).

A file is checked against the params classes before it is used: an unknown key names the file, the
key and the closest valid key; a value of the wrong type names what the field expects. A partial
file is fine: its keys are laid over the defaults, and a subtree whose `__cls__` names another
class replaces the default subtree. Keys a params class lists in `retired_fields()` (fields of
earlier versions) are accepted and ignored.
"""

import importlib
import json
import os
from typing import Any, Dict, Optional, Tuple, TypeVar

from paiargparse.dataclass_extractor import ArgumentField, extract_args_of_dataclass

from tfaip.data.cli.values import closest, describe, json_value_fits
from tfaip.data.errors import ConfigError

T = TypeVar("T")
CLASS_KEY = "__cls__"


def read_params_file(path: str) -> Dict[str, Any]:
    """The JSON object in the file at `path`; a ConfigError if it is missing or no JSON object."""
    if not os.path.isfile(path):
        raise ConfigError(f"The params file {path} does not exist.")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"The params file {path} is no readable JSON ({e}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"The params file {path} must hold a JSON object of params, got a {type(data).__name__}.")
    return data


def params_from_file(path: str, defaults: T) -> T:
    """The params of the file at `path`, laid over `defaults` (a params dataclass instance).

    Example:
        >>> params = params_from_file("run/trainer_params.json", TrainerParams())
        >>> params.epochs
        5

    Raises:
        ConfigError: for a missing or unreadable file, an unknown key, a class that cannot be
            imported or a value of the wrong type, naming the file and the key.
    """
    return params_from_dict(read_params_file(path), defaults, path)


def params_from_dict(data: Dict[str, Any], defaults: T, where: str = "params") -> T:
    """The params of a JSON object (e.g. of `read_params_file`) laid over `defaults`; see `params_from_file`.

    `where` names the object's source in error messages.
    """
    check_params_dict(data, type(defaults), defaults, where)
    merged = _laid_over(defaults.to_dict(), data)
    try:
        return type(defaults).from_dict(merged)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{where}: {e}") from None


def params_to_json(params: Any) -> str:
    """The params as the JSON text that `params_from_file` reads back."""
    return json.dumps(params.to_dict(), indent=2)


def check_params_dict(
    data: Dict[str, Any], cls: type, default: Any = None, where: str = "params", path: str = ""
) -> None:
    """Raise a ConfigError naming `where` and the key path if `data` does not fit the params class `cls`.

    Args:
        data: the JSON object of one params class.
        cls: the declared params class (a `__cls__` key may name a subclass).
        default: the default instance at this place, whose class applies when `data` names none.
        where: the name of the file, for messages.
        path: the dotted key path of `data` in the file, for messages.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: {path or 'the file'} must be a JSON object of {cls.__name__}, got {data!r}.")
    cls = _class_of(data, cls, default, where, path)
    fields = {f.name: f for f in extract_args_of_dataclass(cls, exclude_ignored=False)}
    retired = retired_fields(cls)
    for key, value in data.items():
        if key == CLASS_KEY or (key in retired and key not in fields):
            continue
        key_path = f"{path}.{key}" if path else key
        if key not in fields:
            match = closest(key, fields)
            hint = f"; did you mean {(f'{path}.{match}' if path else match)!r}?" if match else "."
            raise ConfigError(f"{where}: unknown key {key_path!r} ({cls.__name__} has no field {key!r}){hint}")
        child_default = getattr(default, key, None) if isinstance(default, cls) else None
        _check_field(value, fields[key], child_default, where, key_path)


def retired_fields(cls: type) -> Tuple[str, ...]:
    """The fields that the params class `cls` dropped, which files of earlier versions may still hold.

    A params class lists them in a classmethod `retired_fields()`; such keys are accepted and their
    values ignored (`from_dict` ignores keys it does not know), so old files keep loading.

    Example:
        >>> @classmethod
        ... def retired_fields(cls):
        ...     return ("current_epoch", "stop_reason")   # now in the checkpoint's training state
    """
    method = getattr(cls, "retired_fields", None)
    return tuple(method()) if callable(method) else ()


def _check_field(value: Any, field: ArgumentField, default: Any, where: str, path: str) -> None:
    if value is None and field.optional:
        return
    if field.dataclass and field.dict_type is None:
        if field.list:
            if not isinstance(value, list):
                raise ConfigError(f"{where}: {path} expects a list of {field.type.__name__}, got {value!r}.")
            for i, item in enumerate(value):
                check_params_dict(item, field.type, None, where, f"{path}[{i}]")
        else:
            check_params_dict(value, field.type, default, where, path)
    elif field.dict_type is not None:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {path} expects a JSON object, got {value!r}.")
        for key, item in value.items():
            if field.dataclass:
                check_params_dict(item, field.dict_type, None, where, f"{path}.{key}")
    elif not json_value_fits(field, value):
        raise ConfigError(f"{where}: {path} expects {describe(field)}, got {json.dumps(value)}.")


def _class_of(data: Dict[str, Any], declared: type, default: Any, where: str, path: str) -> type:
    """The class of a params JSON object: its `__cls__`, else the default's class, else the declared one."""
    name: Optional[str] = data.get(CLASS_KEY)
    if name is None:
        return type(default) if isinstance(default, declared) else declared
    module, _, class_name = str(name).partition(":")
    key = f"{path}.{CLASS_KEY}" if path else CLASS_KEY
    try:
        cls = getattr(importlib.import_module(module), class_name)
    except (ImportError, AttributeError, ValueError) as e:
        raise ConfigError(f"{where}: {key} names {name!r}, which cannot be imported ({e}).") from None
    if not (isinstance(cls, type) and issubclass(cls, declared)):
        raise ConfigError(f"{where}: {key} names {name!r}, which is no {declared.__name__}.")
    return cls


def _laid_over(base: Any, override: Any) -> Any:
    """`override` laid over `base`: params objects of the same class merge key by key, anything else is replaced."""
    if not (isinstance(base, dict) and isinstance(override, dict) and CLASS_KEY in base):
        return override
    if override.get(CLASS_KEY, base[CLASS_KEY]) != base[CLASS_KEY]:
        return override
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _laid_over(base[key], value) if key in base else value
    return merged
