"""`PredictorParams` and `LAVParams`: how a predictor or LAV runs (pipeline, device, output)."""

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, List, Optional, Type

from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError, DataPipelineParams, PipelineMode
from tfaip.data.util.device_params import DeviceConfigParams
from tfaip.serve.backends import AUTO, BACKENDS

if TYPE_CHECKING:
    from tfaip.serve.lav.lav import LAV
    from tfaip.serve.lav.multilav import MultiLAV
    from tfaip.serve.multimodelpredictor import MultiModelPredictor
    from tfaip.serve.predictor import Predictor


class _CreatesRunners:
    """`create` and `create_multi` through the classes that `cls()` and `multi_cls()` name."""

    def create(self, scenario_cls: Any, model: Any, scenario_params: Any = None) -> Any:
        """The runner of `scenario_cls` for an export dir or a keras Model (`ScenarioBase.create_predictor/lav`).

        `scenario_cls` None takes the scenario recorded in the export.
        """
        return self.cls()(self, scenario_cls, model, scenario_params)

    def create_multi(self, scenario_cls: Any, models: List[Any], scenario_params: Optional[List[Any]] = None) -> Any:
        """The runner of several models and their vote (`ScenarioBase.create_multi_predictor`)."""
        return self.multi_cls()(self, scenario_cls, models, scenario_params)


def _prediction_pipeline() -> DataPipelineParams:
    return DataPipelineParams(mode=PipelineMode.PREDICTION)


@pai_dataclass
@dataclass
class PredictorParams(_CreatesRunners):
    """Params of a `Predictor` (`--predict.*`; the pipeline is `--pipeline.*`, the device `--device.*`).

    Example:
        >>> predictor = TutorialScenario.create_predictor("model/export", PredictorParams())
        >>> for sample in predictor.predict_raw([Sample(inputs={"img": image})]):
        ...     print(sample.outputs["class"])
    """

    pipeline: DataPipelineParams = field(
        default_factory=_prediction_pipeline,
        metadata=pai_meta(mode="flat", fix_dc=True, help="Batching and worker processes of the pre-processing."),
    )
    device: DeviceConfigParams = field(
        default_factory=DeviceConfigParams,
        metadata=pai_meta(mode="flat", help="The devices the model runs on (the saved_model backend)."),
    )
    backend: str = field(
        default=AUTO,
        metadata=pai_meta(
            choices=list(BACKENDS),
            help="What runs an export's model: saved_model (TensorFlow), litert (model.tflite) or onnx (model.onnx, "
            "onnxruntime); auto: saved_model where TensorFlow is installed, else the first of litert and onnx "
            "that the export holds and this environment can run.",
        ),
    )
    silent: bool = field(default=False, metadata=pai_meta(help="Do not print each predicted sample (tfaip-predict)."))
    progress_bar: bool = field(default=True, metadata=pai_meta(help="Show a progress bar while predicting."))
    run_eagerly: bool = field(
        default=False,
        metadata=pai_meta(help="Run a live keras model eagerly (debugging); an export always runs its graph."),
    )
    include_targets: bool = field(
        default=False,
        metadata=pai_meta(
            help="Also load and pre-/post-process the targets, which each sample must then have; the predicted "
            "samples carry them (EVALUATION mode)."
        ),
    )
    model_queue_size: int = field(
        default=2,
        metadata=pai_meta(
            help="Batches handed to the model thread ahead of the post-processing: the model runs while the "
            "previous batch is split and post-processed."
        ),
    )
    skip_invalid: bool = field(
        default=False,
        metadata=pai_meta(
            help="Skip a sample whose pre-processing fails (an undecodable file, a bad label), counted by reason in "
            "one warning per pass, instead of stopping (the export's data.skip_invalid)."
        ),
    )

    def __post_init__(self):
        if self.model_queue_size < 1:
            raise ConfigError(f"PredictorParams.model_queue_size must be >= 1, got {self.model_queue_size}.")

    def pipeline_mode(self) -> PipelineMode:
        """EVALUATION when the targets are included, else PREDICTION."""
        return PipelineMode.EVALUATION if self.include_targets else PipelineMode.PREDICTION

    @staticmethod
    def cls() -> Type["Predictor"]:
        """The Predictor class these params configure."""
        from tfaip.serve.predictor import Predictor  # the predictor module imports these params

        return Predictor

    @staticmethod
    def multi_cls() -> Type["MultiModelPredictor"]:
        """The MultiModelPredictor class these params configure."""
        from tfaip.serve.multimodelpredictor import MultiModelPredictor

        return MultiModelPredictor


@pai_dataclass
@dataclass
class LAVParams(DataPipelineParams, _CreatesRunners):
    """Params of LAV (`--lav.*`): the pipeline's own fields (`--lav.batch_size 5`), plus device and output.

    LAVParams extend DataPipelineParams, so the pipeline flags sit directly under `--lav`, as in
    the reference; the mode is always EVALUATION.

    Example:
        >>> lav = TutorialScenario.create_lav("model/best", LAVParams(batch_size=32, report="errors.csv"))
        >>> for result in lav.run([generator_params]):
        ...     print(result["acc"], result["eval_edit_distance"])
    """

    device: DeviceConfigParams = field(
        default_factory=DeviceConfigParams, metadata=pai_meta(help="The devices the model runs on.")
    )
    silent: bool = field(
        default=False,
        metadata=pai_meta(
            help="Do not print the results and the first samples (_print_evaluate, as many as the scenario's "
            "print_eval_limit)."
        ),
    )
    progress_bar: bool = field(default=True, metadata=pai_meta(help="Show a progress bar."))
    run_eagerly: bool = field(
        default=False,
        metadata=pai_meta(
            help="Compute the model's losses and metrics eagerly (debugging); the export runs its graph."
        ),
    )
    report: Optional[str] = field(
        default=None,
        metadata=pai_meta(
            help="Write one line per sample (id, targets, outputs, per-sample losses and evaluator values) to this "
            "file: .csv or .jsonl. Several LAV datasets get _1, _2... suffixes."
        ),
    )
    dump: Optional[str] = field(
        default=None,
        metadata=pai_meta(
            help="Write each sample's raw targets and outputs (before post-processing) to this .npz file "
            "(LAV.extract_dump_data decides what)."
        ),
    )
    model_queue_size: int = field(
        default=2, metadata=pai_meta(help="Batches handed to the model thread ahead of the post-processing.")
    )
    skip_invalid: bool = field(
        default=False,
        metadata=pai_meta(
            help="Skip a sample whose pre-processing fails (an undecodable file, a bad label), counted by reason in "
            "one warning per pass, instead of stopping (the export's data.skip_invalid)."
        ),
    )

    def __post_init__(self):
        super().__post_init__()
        self.mode = PipelineMode.EVALUATION
        if self.model_queue_size < 1:
            raise ConfigError(f"LAVParams.model_queue_size must be >= 1, got {self.model_queue_size}.")
        for path, suffixes in ((self.report, (".csv", ".jsonl")), (self.dump, (".npz",))):
            if path is not None and not path.endswith(suffixes):
                raise ConfigError(f"LAVParams: {path!r} must end with {' or '.join(suffixes)}.")

    def pipeline_params(self) -> DataPipelineParams:
        """The DataPipelineParams part of these params (a new object)."""
        return DataPipelineParams(**{f.name: getattr(self, f.name) for f in fields(DataPipelineParams)})

    @staticmethod
    def cls() -> Type["LAV"]:
        """The LAV class these params configure."""
        from tfaip.serve.lav.lav import LAV  # the LAV module imports these params

        return LAV

    @staticmethod
    def multi_cls() -> Type["MultiLAV"]:
        """The MultiLAV class these params configure."""
        from tfaip.serve.lav.multilav import MultiLAV

        return MultiLAV
