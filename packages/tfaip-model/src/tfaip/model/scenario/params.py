"""`ScenarioBaseParams[DataParams, ModelParams]`: everything needed to rebuild a scenario."""

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Optional, Type, TypeVar

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError, DataBaseParams, resolve_generic, specialize_generic_fields
from tfaip.model.evaluator import EvaluatorParams
from tfaip.model.params import ModelBaseParams

if TYPE_CHECKING:
    from tfaip.model.scenario.scenariobase import ScenarioBase

TDataParams = TypeVar("TDataParams", bound=DataBaseParams)
TModelParams = TypeVar("TModelParams", bound=ModelBaseParams)


@pai_dataclass
@dataclass
class ScenarioBaseParams(Generic[TDataParams, TModelParams]):
    """The params of a scenario: `data`, `model` and `evaluator` (flags `--data.*`, `--model.*`, `--evaluator.*`).

    Subclass it with the scenario's data and model params; the `data` and `model` fields then
    default to those classes.

    Example:
        >>> @pai_dataclass
        ... @dataclass
        ... class TutorialScenarioParams(ScenarioBaseParams[TutorialDataParams, TutorialModelParams]):
        ...     pass
    """

    data: DataBaseParams = field(
        default_factory=DataBaseParams, metadata=pai_meta(mode="flat", help="Parameters of the data.")
    )
    model: ModelBaseParams = field(
        default_factory=ModelBaseParams, metadata=pai_meta(mode="flat", help="Parameters of the model.")
    )
    evaluator: EvaluatorParams = field(
        default_factory=EvaluatorParams, metadata=pai_meta(mode="flat", help="Parameters of the evaluator.")
    )
    print_eval_limit: int = field(
        default=10, metadata=pai_meta(help="Validation samples passed to the model's _print_evaluate (-1: all).")
    )
    export_serve: bool = field(default=True, metadata=pai_meta(help="Write the SavedModels when exporting."))
    default_serve_dir: str = field(default="serve", metadata=pai_meta(mode="ignore"))
    additional_serve_dir: str = field(default="additional", metadata=pai_meta(mode="ignore"))
    scenario_params_filename: str = field(default="scenario_params.json", metadata=pai_meta(mode="ignore"))
    trainer_params_filename: str = field(default="trainer_params.json", metadata=pai_meta(mode="ignore"))
    scenario_id: Optional[str] = field(
        default=None, metadata=pai_meta(mode="ignore", help="module:Class of the scenario (set automatically).")
    )
    scenario_base_path: Optional[str] = field(
        default=None, metadata=pai_meta(mode="ignore", help="File that defines the scenario (set automatically).")
    )
    id: Optional[str] = field(default=None, metadata=pai_meta(mode="ignore", help="An id of the trained model."))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        specialize_generic_fields(cls, {"data": TDataParams, "model": TModelParams})

    @classmethod
    def data_cls(cls) -> Type[TDataParams]:
        """The data params class."""
        return resolve_generic(cls, TDataParams)

    @classmethod
    def model_cls(cls) -> Type[TModelParams]:
        """The model params class."""
        return resolve_generic(cls, TModelParams)

    def cls(self) -> Type["ScenarioBase"]:
        """The scenario class, imported from `scenario_id` (or `scenario_base_path` for a .py file)."""
        from tfaip.model.scenario.lookup import import_scenario

        if self.scenario_id is None:
            raise ConfigError(
                f"{type(self).__name__}.scenario_id is not set, so the scenario class is unknown; create the params "
                "with Scenario.default_params() or set scenario_id='package.module:Class'."
            )
        module, _, name = self.scenario_id.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            if self.scenario_base_path:
                return import_scenario(f"{self.scenario_base_path}:{name}")
            raise

    def create(self) -> "ScenarioBase":
        """Create the scenario."""
        return self.cls()(self)
