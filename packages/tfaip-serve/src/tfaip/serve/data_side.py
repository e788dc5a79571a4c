"""`DataSide`: what a predictor needs of a scenario besides the model: its data, prediction generator and voter.

    scenario class (TensorFlow) ──► scenario.data, predict_generator_params_cls(), create_voter(data)  ─┐
    export without TensorFlow ────► deploy.json: data class, generator params class; scenario_params  ─┴► DataSide
                                    .json: the data params; voter.pkl: the pickled voter

Without TensorFlow only the scenario's data module is imported (the module of its DataBase and
generator params): it must not import TensorFlow itself (specs as `tfaip.data.ArraySpec`).
"""

import dataclasses
import importlib
import json
import os
import pickle
from typing import Any, Callable, Dict, Optional, Type

from tfaip.data import DataBase, DataBaseParams, DataGeneratorParams
from tfaip.data.cli import current_directory_importable
from tfaip.data.util.files import SCENARIO_PARAMS_FILE, VOTER_FILE
from tfaip.serve.export_dir import ExportError

TF_FREE_HELP = (
    "prediction without TensorFlow imports only the scenario's data module, so keep TensorFlow out of it (specs as "
    "tfaip.data.ArraySpec; see docs/serve.md, Deploy without TensorFlow), or install tensorflow and use "
    "--predict.backend saved_model"
)


@dataclasses.dataclass
class DataSide:
    """The data of a scenario, the params class of its prediction data and its voter factory.

    `scenario` is the ScenarioBase instance where it was built from the scenario (TensorFlow),
    None where it was read from an export without TensorFlow.
    """

    data: DataBase
    predict_generator_params_cls: Type[DataGeneratorParams]
    create_voter: Callable[[], Any]
    scenario: Any = None

    @staticmethod
    def of_scenario(scenario: Any) -> "DataSide":
        """The data side of a ScenarioBase instance."""
        cls = type(scenario)
        data = scenario.data
        return DataSide(data, cls.predict_generator_params_cls(), lambda: cls.create_voter(data), scenario)

    @staticmethod
    def predict_generator_of_export(path: str, manifest: Dict[str, Any]) -> Type[DataGeneratorParams]:
        """The prediction generator params class the export's `deploy.json` names (its module imported)."""
        current_directory_importable()
        return _import_class(manifest["predict_generator"], path)

    @staticmethod
    def of_export(
        path: str, manifest: Dict[str, Any], skip_invalid: bool = False, data_params: Optional[DataBaseParams] = None
    ) -> "DataSide":
        """The data side of the export at `path` (its `deploy.json` is `manifest`), importing no TensorFlow.

        `data_params` replace the export's own (`scenario_params.json`).
        """
        current_directory_importable()
        if manifest.get("data") is None:
            raise ExportError(
                f"The scenario of the export {path} builds its data itself (it overrides create_data), so only the "
                "scenario, with TensorFlow, can rebuild it: install tensorflow and use --predict.backend saved_model."
            )
        data_cls = _import_class(manifest["data"], path)
        generator_cls = DataSide.predict_generator_of_export(path, manifest)
        data_params = data_params or _data_params(path)
        if skip_invalid:
            data_params = dataclasses.replace(data_params, skip_invalid=True)
        return DataSide(data_cls(params=data_params), generator_cls, lambda: _voter(path))


def _import_class(class_id: str, path: str) -> type:
    module_name, _, qualname = class_id.partition(":")
    try:
        value: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise _import_error(path, f"The module {module_name}", e) from e
    for part in qualname.split("."):
        value = getattr(value, part, None)
    if value is None:
        raise ExportError(
            f"The export {path} names the class {class_id}, which the installed scenario lacks; install the scenario "
            "version that made the export, or export again."
        )
    return value


def _import_error(path: str, what: str, error: ImportError) -> ExportError:
    missing = getattr(error, "name", None) or ""
    if missing.startswith(("tensorflow", "keras", "tfaip.model", "tfaip.train")):
        return ExportError(f"{what} of the export {path} imports {missing}, which is not installed: {TF_FREE_HELP}.")
    return ExportError(
        f"The export {path} was made by a scenario that cannot be imported here ({error}); install the scenario's "
        "package (or run from the directory that holds it)."
    )


def _data_params(path: str) -> DataBaseParams:
    file = os.path.join(path, SCENARIO_PARAMS_FILE)
    try:
        with open(file, encoding="utf-8") as f:
            data = json.load(f)["data"]
        data["resource_base_path"] = path  # resources resolve inside the export
        return DataBaseParams.from_dict(data)
    except ImportError as e:
        raise _import_error(path, "The class of the data params", e) from e
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ExportError(
            f"The data params in {file} cannot be read ({type(e).__name__}: {e}); the export is corrupt or was "
            "written by an incompatible scenario version: export the model again."
        ) from e


def _voter(path: str) -> Optional[Any]:
    file = os.path.join(path, VOTER_FILE)
    if not os.path.isfile(file):
        return None
    try:
        with open(file, "rb") as f:
            return pickle.load(f)
    except ImportError as e:
        raise _import_error(path, f"The voter in {VOTER_FILE}", e) from e
    except Exception as e:  # unpickling raises many types for a damaged file
        raise ExportError(f"{file} cannot be read ({type(e).__name__}: {e}); export the model again.") from e
