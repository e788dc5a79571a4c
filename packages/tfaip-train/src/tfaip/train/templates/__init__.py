"""The templates of `tfaip-new-scenario`: a new scenario package that trains out of the box.

    templates/
      common/     the files every template shares: __init__.py, graph.py, model.py
      general/    ScenarioBase with one generator for training and validation (`--train_val.*`)
      listfile/   ListFileScenario: list files of sample paths (`--train.lists`, `--val.lists`, `--lav.lists`)

Each `FILE.tmpl` becomes `NAME/FILE`, `${name}` replaced by the package name, `${Prefix}` by its
CamelCase (the prefix of the class names) and `${template}` by the template's name
(`string.Template`); a template's own file replaces a common one of the same name. The files are
data, not modules, so that linters and import checks skip them. Nothing here imports TensorFlow.
"""

import importlib.util
import keyword
import os
import re
import shutil
import string
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Dict

from tfaip.data import ConfigError

TEMPLATES = ("general", "listfile")
_COMMON = "common"
_SUFFIX = ".tmpl"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check_name(name: str) -> None:
    """Raise a ConfigError unless `name` can be the name of a new top-level Python package.

    The name of an existing module (`json`, `numpy`) is refused too: the new package would hide
    that module, or that module the package.
    """
    _check_syntax(name)
    _check_unused(name)


def _check_syntax(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} is no Python package name: use a letter, then letters, digits or _ (e.g. my_scenario)."
        )
    if keyword.iskeyword(name):
        raise ConfigError(f"{name!r} is a Python keyword and cannot name a package; choose another NAME.")


def _check_unused(name: str) -> None:
    if name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None:
        raise ConfigError(f"{name!r} is the name of an installed module; choose another NAME, e.g. my_{name}.")


def class_prefix(name: str) -> str:
    """The CamelCase of `name` that starts the class names: `my_scenario` -> `MyScenario`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def render(name: str, template: str = "general") -> Dict[str, str]:
    """The files of a new package `name` from `template`: relative path -> text."""
    if template not in TEMPLATES:
        raise ConfigError(f"No template {template!r}; choose one of {', '.join(TEMPLATES)}.")
    values = {"name": name, "Prefix": class_prefix(name), "template": template}
    root = resources.files(__name__)
    sources = {}
    for part in (_COMMON, template):  # the template's own files replace the common ones
        for source in root.joinpath(part).iterdir():
            if source.name.endswith(_SUFFIX):
                sources[source.name[: -len(_SUFFIX)]] = source
    return {path: string.Template(source.read_text("utf-8")).substitute(values) for path, source in sources.items()}


def write_scenario(name: str, template: str = "general", directory: str = ".") -> Path:
    """Write the new scenario package `directory/name` from `template`; returns its path.

    The package appears whole or not at all: it is written into a temporary directory beside the
    target and renamed into place.

    Raises:
        ConfigError: for a name that is no package name or that of an installed module, an unknown
            template, or a target that exists (nothing is written then).

    Example:
        >>> write_scenario("my_scenario", "listfile", "work")
        PosixPath('work/my_scenario')
    """
    _check_syntax(name)
    parent = Path(directory)
    target = parent / name
    if target.exists() or target.is_symlink():
        raise ConfigError(f"{target} exists; choose another NAME or --dir (nothing was written).")
    if parent.exists() and not parent.is_dir():
        raise ConfigError(f"{directory} is no directory; pass a directory as --dir (nothing was written).")
    _check_unused(name)
    files = render(name, template)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    try:
        for path, text in files.items():
            (staging / path).write_text(text, encoding="utf-8")
        staging.chmod(0o777 & ~_umask())
        os.rename(staging, target)  # fails if the target appeared meanwhile
    except OSError:
        if target.exists():
            raise ConfigError(f"{target} exists; choose another NAME or --dir (nothing was written).") from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
