"""Find a scenario class by name: a module path, `module:Class`, or a `.py` file."""

import importlib
import importlib.util
import inspect
import logging
import os
import sys
from types import ModuleType
from typing import List, Optional, Type

from tfaip.data import ConfigError
from tfaip.data.cli import current_directory_importable
from tfaip.model.scenario.listfile import ListFileScenario
from tfaip.model.scenario.scenariobase import ScenarioBase

SCENARIO_PACKAGE = "tfaip_scenarios"
ORIGINAL_PACKAGE = "examples"  # the original tfaip's examples: `examples.tutorial.full`

logger = logging.getLogger(__name__)


def import_scenario(name: str) -> Type[ScenarioBase]:
    """The scenario class named by `name`.

    Accepted forms:
        - `tutorial.min`: a module path; also tried as `tutorial.min.scenario` and inside the
          `tfaip_scenarios` package. The module must define exactly one scenario class.
        - `package.module:Class`: a class in an importable module.
        - `path/to/scenario.py` or `path/to/scenario.py:Class`: a file.
        - `examples.tutorial.full`: the original tfaip's path of a bundled scenario, when no
          module `examples` of the user's is importable: the bundled one (a one-line note says so).

    The current directory is importable.

    Raises:
        ConfigError: when the name finds no scenario, or a module with none or several. An
            error raised while the scenario's module is imported propagates as it is.
    """
    current_directory_importable()
    module_name, _, class_name = name.partition(":")
    if module_name.endswith(".py"):
        module = _import_file(module_name)
    else:
        module = _import_first(
            [module_name, f"{module_name}.scenario"]
            + (
                []
                if class_name
                else [f"{SCENARIO_PACKAGE}.{module_name}", f"{SCENARIO_PACKAGE}.{module_name}.scenario"]
            ),
            class_name,
        )
        if module is None and module_name.startswith(ORIGINAL_PACKAGE + "."):
            bundled = f"{SCENARIO_PACKAGE}.{module_name[len(ORIGINAL_PACKAGE) + 1 :]}"
            module = _import_first([bundled, f"{bundled}.scenario"], class_name)
            if module is not None:
                note = "Note: %s is the original tfaip's name of the bundled scenario %s."
                logger.warning(note, module_name, bundled)
        if module is None:
            raise ConfigError(
                f"No scenario {name!r}: no module {module_name!r}, {module_name}.scenario or "
                f"{SCENARIO_PACKAGE}.{module_name} can be imported. Pass a module path, 'module:Class' or a .py file."
            )
    if class_name:
        scenario = getattr(module, class_name, None)
        if not (inspect.isclass(scenario) and _is_scenario(scenario)):
            raise ConfigError(f"{module.__name__} has no scenario class {class_name!r}; found {_names(module)}.")
        return scenario
    scenarios = _scenarios_in(module)
    if len(scenarios) != 1:
        found = ", ".join(f"{module.__name__}:{s.__name__}" for s in scenarios) or "none"
        raise ConfigError(
            f"{module.__name__} must define exactly one scenario class, found {found}; name one as 'module:Class'."
        )
    return scenarios[0]


def import_scenario_id(scenario_id: str, base_path: Optional[str] = None) -> Type[ScenarioBase]:
    """The scenario class of params' `scenario_id` ("module:Class"), else of the file `base_path` defines it in.

    The current directory is importable, as for `import_scenario`.
    """
    current_directory_importable()
    module, _, name = scenario_id.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        if base_path:
            return import_scenario(f"{base_path}:{name}")
        raise


def _import_first(candidates: List[str], class_name: str) -> Optional[ModuleType]:
    for candidate in candidates:
        try:
            module = importlib.import_module(candidate)
        except ModuleNotFoundError as e:
            if e.name and (candidate == e.name or candidate.startswith(e.name + ".")):
                continue  # this candidate does not exist; errors inside an existing module propagate
            raise
        if class_name or _scenarios_in(module):
            return module
    return None


def _import_file(path: str) -> ModuleType:
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise ConfigError(f"The scenario file {path} does not exist.")
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)  # siblings of the file are importable
    module_name = os.path.splitext(os.path.basename(path))[0]
    existing = sys.modules.get(module_name)
    if existing is not None and os.path.abspath(getattr(existing, "__file__", "") or "") == path:
        return existing
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _is_scenario(value: type) -> bool:
    return issubclass(value, ScenarioBase) and value not in (ScenarioBase, ListFileScenario)


def _scenarios_in(module: ModuleType) -> List[type]:
    prefix = module.__name__
    return [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if _is_scenario(value) and (value.__module__ == prefix or value.__module__.startswith(prefix + "."))
    ]


def _names(module: ModuleType) -> str:
    return ", ".join(s.__name__ for s in _scenarios_in(module)) or "no scenario classes"
