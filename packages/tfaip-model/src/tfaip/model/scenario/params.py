"""`ScenarioBaseParams[DataParams, ModelParams]`: everything needed to rebuild a scenario."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, List, Optional, Tuple, Type, TypeVar

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError, DataBaseParams, resolve_generic, specialize_generic_fields
from tfaip.model.evaluator import EvaluatorParams
from tfaip.model.formats import EXPORT_FORMATS, SAVED_MODEL, check_export_formats
from tfaip.model.params import ModelBaseParams

if TYPE_CHECKING:
    from tfaip.data import DataBase
    from tfaip.model.modelbase import ModelBase
    from tfaip.model.scenario.scenariobase import ScenarioBase

TDataParams = TypeVar("TDataParams", bound=DataBaseParams)
TModelParams = TypeVar("TModelParams", bound=ModelBaseParams)


@pai_dataclass
@dataclass
class ScenarioBaseParams(Generic[TDataParams, TModelParams]):
    """The params of a scenario: `data`, `model` and `evaluator` (flags `--data.*`, `--model.*`, `--evaluator.*`).

    Subclass it with the scenario's data and model params; the `data` and `model` fields then
    default to those classes. Data or a model without params of their own are named by their
    class instead: `ScenarioBaseParams[TutorialData, TutorialModelParams]` (the field then holds
    the plain `DataBaseParams`).

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
    export_formats: List[str] = field(
        default_factory=lambda: [SAVED_MODEL],
        metadata=pai_meta(
            choices=list(EXPORT_FORMATS),
            help="Formats of each export (best/, export/, scenario.export): saved_model (always), litert "
            "(model.tflite) and onnx (model.onnx), which run without TensorFlow. Each converted model is checked "
            "against the SavedModel on a batch of validation samples.",
        ),
    )
    export_tolerance: float = field(
        default=1e-4,
        metadata=pai_meta(
            help="How far a converted model's float outputs may differ from the SavedModel's, relative to "
            "max(1, |value|); integer outputs may differ in at most a hundredth of their values (float32 near-ties)."
        ),
    )
    scenario_id: Optional[str] = field(
        default=None, metadata=pai_meta(mode="ignore", help="module:Class of the scenario (set automatically).")
    )
    scenario_base_path: Optional[str] = field(
        default=None, metadata=pai_meta(mode="ignore", help="File that defines the scenario (set automatically).")
    )
    id: Optional[str] = field(default=None, metadata=pai_meta(mode="ignore", help="An id of the trained model."))

    @classmethod
    def retired_fields(cls) -> Tuple[str, ...]:
        """Fields of earlier versions that exports and params files may still hold (their values are ignored).

        The file and directory names are constants now (`tfaip.model.SCENARIO_PARAMS_FILE`, ...).
        """
        return ("default_serve_dir", "additional_serve_dir", "scenario_params_filename", "trainer_params_filename")

    def __post_init__(self):
        self.export_formats = check_export_formats(self.export_formats)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        specialize_generic_fields(cls, {"data": TDataParams, "model": TModelParams}, params_of=_params_of)

    @classmethod
    def data_cls(cls) -> Type[DataBaseParams]:
        """The data params class."""
        return _params_of(resolve_generic(cls, TDataParams))

    @classmethod
    def model_cls(cls) -> Type[ModelBaseParams]:
        """The model params class."""
        return _params_of(resolve_generic(cls, TModelParams))

    @classmethod
    def data_class(cls) -> Type["DataBase"]:
        """The DataBase class: the generic argument itself, or its params' `cls()`."""
        return _class_of(resolve_generic(cls, TDataParams))

    @classmethod
    def model_class(cls) -> Type["ModelBase"]:
        """The ModelBase class: the generic argument itself, or its params' `cls()`."""
        return _class_of(resolve_generic(cls, TModelParams))

    def create_data(self) -> "DataBase":
        """Create the DataBase of `data`."""
        bound = resolve_generic(type(self), TDataParams)
        return self.data.create() if _is_params(bound) else bound(params=self.data)

    def create_model(self) -> "ModelBase":
        """Create the ModelBase of `model`."""
        bound = resolve_generic(type(self), TModelParams)
        return self.model.create() if _is_params(bound) else bound(self.model)

    def cls(self) -> Type["ScenarioBase"]:
        """The scenario class, imported from `scenario_id` (or `scenario_base_path` for a .py file).

        The current directory is importable, as for `tfaip-train NAME`.
        """
        from tfaip.model.scenario.lookup import import_scenario_id  # params know their class

        if self.scenario_id is None:
            raise ConfigError(
                f"{type(self).__name__}.scenario_id is not set, so the scenario class is unknown; create the params "
                "with Scenario.default_params() or set scenario_id='package.module:Class'."
            )
        return import_scenario_id(self.scenario_id, self.scenario_base_path)

    def create(self) -> "ScenarioBase":
        """Create the scenario."""
        return self.cls()(self)


def _is_params(bound: type) -> bool:
    return issubclass(bound, (DataBaseParams, ModelBaseParams))


def _params_of(bound: type) -> type:
    """The params class of a generic argument that is a params class or a DataBase/ModelBase class."""
    return bound if _is_params(bound) else bound.params_cls()


def _class_of(bound: type) -> type:
    return bound.cls() if _is_params(bound) else bound
