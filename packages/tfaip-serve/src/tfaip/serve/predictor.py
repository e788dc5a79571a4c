"""`Predictor`: pre-processing, the model and post-processing in one call, yielding un-batched samples."""

import copy
from typing import Any, Iterable, Iterator, Optional, Type

from tfaip.data import ConfigError, DataGeneratorParams, DataPipeline, DataPipelineParams, Sample
from tfaip.serve.backends import (
    AUTO,
    SAVED_MODEL,
    choose_backend,
    read_deploy_manifest,
    tf_free_model,
    uses_tf_free_data,
)
from tfaip.serve.batches import batch_from_element, run_overlapped, split_batch
from tfaip.serve.data_side import DataSide
from tfaip.serve.export_dir import check_export_dir
from tfaip.serve.params import PredictorParams
from tfaip.serve.progress import Throughput, known_length, measured, with_progress
from tfaip.serve.raw_samples import RawSamplesParams


class Predictor:
    """Applies a trained model to new data: pre_proc (parallel workers) -> model -> post_proc.

    Every method yields un-batched `Sample`s holding `inputs`, `outputs` (after the data's
    post_proc pipeline), `meta` and, with `include_targets`, `targets`. The model runs in a
    background thread, overlapping the pre- and post-processing.

    The model of an export runs on the backend of `params.backend`: the SavedModel (TensorFlow),
    or its LiteRT or ONNX file, which need no TensorFlow when `scenario_cls` is None (the data
    then comes from the export's own record of its data classes).

    Args:
        params: the PredictorParams.
        scenario_cls: the scenario class (None: the one recorded in the export).
        model: an export directory or a keras Model (e.g. `scenario.root_graph`).
        scenario_params: the scenario params (default: those of the export, else the defaults).

    Example:
        >>> predictor = TutorialScenario.create_predictor("model/export", PredictorParams())
        >>> for sample in predictor.predict_raw([{"img": image}]):
        ...     print(sample.outputs["class"])
        >>> for sample in predictor.predict(TutorialScenario.predict_generator_params_cls()()):
        ...     print(sample.meta, sample.outputs["class"])
    """

    def __init__(
        self,
        params: PredictorParams,
        scenario_cls: Optional[Type[Any]],
        model: Any,
        scenario_params: Any = None,
    ):
        self.params = params
        self.backend = SAVED_MODEL
        manifest = None
        if isinstance(model, str):
            model = check_export_dir(model)
            manifest = read_deploy_manifest(model)
            self.backend = choose_backend(params.backend, model, manifest)
        elif params.backend not in (AUTO, SAVED_MODEL):
            raise ConfigError(f"A live keras Model runs on TensorFlow; backend {params.backend} needs an export dir.")
        if uses_tf_free_data(self.backend, scenario_cls, manifest):
            data_params = scenario_params.data if scenario_params is not None else None
            side = DataSide.of_export(model, manifest, params.skip_invalid, data_params)
        else:
            from tfaip.serve import export_loader  # TensorFlow: the SavedModel backend, or the scenario is needed

            side = export_loader.scenario_side(params, scenario_cls, model, scenario_params, self.backend)
        self.side = side
        self.scenario = side.scenario  # None without TensorFlow
        self.scenario_cls = type(side.scenario) if side.scenario is not None else None
        self.data = side.data
        if self.backend == SAVED_MODEL:
            self.model = export_loader.PredictionModel(model, self.data.input_layer_specs(), params.run_eagerly)
        else:
            input_dtypes = {name: spec["dtype"] for name, spec in manifest["inputs"].items()}
            self.model = tf_free_model(self.backend, model, input_dtypes)
        self.throughput = Throughput()

    def pipeline_params(self) -> DataPipelineParams:
        """The pipeline params with the mode of these PredictorParams (a copy)."""
        pipeline_params = copy.copy(self.params.pipeline)
        pipeline_params.mode = self.params.pipeline_mode()
        return pipeline_params

    def create_pipeline(self, generator_params: DataGeneratorParams) -> DataPipeline:
        """The pre-processing pipeline of `generator_params`."""
        return self.data.create_pipeline(self.pipeline_params(), generator_params)

    def predict(self, generator_params: DataGeneratorParams) -> Iterator[Sample]:
        """Predict the samples of a data generator."""
        return self.predict_pipeline(self.create_pipeline(generator_params))

    def predict_raw(self, samples: Iterable[Any]) -> Iterator[Sample]:
        """Predict raw samples, as a DataGenerator yields them (Samples, or `inputs` dicts)."""
        return self.predict(RawSamplesParams(samples))

    def predict_pipeline(self, pipeline: DataPipeline) -> Iterator[Sample]:
        """Predict the samples of a DataPipeline (its pre-processing runs in its worker processes)."""
        total = known_length(pipeline) if self.params.progress_bar else None
        with pipeline.generate_input_batches() as batches:
            yield from self._predict_batches(batches, self.pipeline_params(), total)

    def predict_dataset(self, dataset: Iterable[Any]) -> Iterator[Sample]:
        """Predict a `tf.data.Dataset` (or any iterable) of pre-processed, batched `inputs` or `(inputs, targets)`."""
        yield from self._predict_batches(map(batch_from_element, dataset), self.pipeline_params(), None)

    def post_process(self, samples: Iterable[Sample], pipeline_params: DataPipelineParams) -> Iterator[Sample]:
        """Run the data's post_proc pipeline on un-batched predicted samples (in the mode of `pipeline_params`)."""
        return self.data.params.post_proc.create(pipeline_params, self.data.params).run(samples)

    def _predict_batches(
        self, batches: Iterable[Sample], pipeline_params: DataPipelineParams, total: Optional[int]
    ) -> Iterator[Sample]:
        outputs = run_overlapped(batches, lambda batch: self.model(batch.inputs), self.params.model_queue_size)
        include_targets = self.params.include_targets
        try:
            samples = (s for batch, out in outputs for s in split_batch(batch, out, include_targets))
            predicted = measured(self.post_process(samples, pipeline_params), self.throughput)
            yield from with_progress(predicted, "Prediction", total, self.params.progress_bar)
        finally:
            outputs.close()
