"""`MultiModelPredictor`: several models on the same input, their predictions voted into one.

    generator ─► pre_proc of group A ─► batches ─► model thread: model 1, model 2 ─┐
              └► pre_proc of group B ─► batches ─► model thread: model 3 ──────────┤
                                                                                   ▼
          post_proc of each model ─► zip (one sample per model) ─► voter ─► (voted, [individual])

Models whose exports share the data params (besides post_proc) share one pre-processing
pipeline; the others get their own, and their samples are matched by position.
"""

import contextlib
import itertools
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Type

from tfaip.data import DataGeneratorParams, DataPipeline, DataPipelineParams, Sample
from tfaip.serve.batches import batch_from_element, run_overlapped, split_batch
from tfaip.serve.params import PredictorParams
from tfaip.serve.predictor import Predictor
from tfaip.serve.progress import Throughput, known_length, measured, with_progress
from tfaip.serve.raw_samples import RawSamplesParams
from tfaip.serve.voter import AveragingVoter, MultiModelVoter

Voted = Tuple[Sample, List[Sample]]


class MultiModelPredictor:
    """Predicts with several models and votes: yields `(voted_sample, [sample of each model])`.

    Each model's sample went through its own post_proc; the voter (from
    `ScenarioBase.create_voter`, default `AveragingVoter`) combines them.

    Args:
        params: the PredictorParams (shared by all models).
        scenario_cls: the scenario class (None: the one recorded in the first export).
        models: export directories or keras Models.
        scenario_params: one scenario params per model (default: those of each export).
        voter: overrides the scenario's voter.

    Example:
        >>> predictor = TutorialScenario.create_multi_predictor(["a/export", "b/export"], PredictorParams())
        >>> for voted, individual in predictor.predict_raw([{"img": image}]):
        ...     print(voted.outputs["class"], [s.outputs["class"] for s in individual])
    """

    def __init__(
        self,
        params: PredictorParams,
        scenario_cls: Optional[Type[Any]],
        models: Sequence[Any],
        scenario_params: Optional[Sequence[Any]] = None,
        voter: Optional[MultiModelVoter] = None,
    ):
        if not models:
            raise ValueError("A MultiModelPredictor needs at least one model.")
        scenario_params = list(scenario_params) if scenario_params is not None else [None] * len(models)
        if len(scenario_params) != len(models):
            raise ValueError(f"{len(models)} models but {len(scenario_params)} scenario params.")
        self.params = params
        self.predictors = [Predictor(params, scenario_cls, m, p) for m, p in zip(models, scenario_params)]
        self.data = self.predictors[0].data
        self.voter = voter or self.create_voter()
        self.throughput = Throughput()

    def create_voter(self) -> MultiModelVoter:
        """The scenario's voter (`ScenarioBase.create_voter`, pickled in the export), else an `AveragingVoter`."""
        voter = self.predictors[0].side.create_voter()
        return AveragingVoter() if voter is None else voter

    def groups(self) -> List[List[int]]:
        """Indices of the models that share one pre-processing (equal data params besides post_proc)."""
        keys: Dict[str, List[int]] = {}
        for i, predictor in enumerate(self.predictors):
            keys.setdefault(_pre_processing_key(predictor), []).append(i)
        return list(keys.values())

    def pipeline_params(self) -> DataPipelineParams:
        """The pipeline params of every model: ordered, unshuffled and unbucketed, so samples match by position."""
        params = self.predictors[0].pipeline_params()
        params.ordered, params.shuffle_buffer_size = True, -1
        params.bucket_boundaries, params.bucket_batch_sizes = [], None
        return params

    def predict(self, generator_params: DataGeneratorParams) -> Iterator[Voted]:
        """Predict and vote the samples of a data generator."""
        return self._predict_generator(generator_params, self.pipeline_params())

    def predict_raw(self, samples: Iterable[Any]) -> Iterator[Voted]:
        """Predict and vote raw samples (Samples or `inputs` dicts)."""
        if len(self.groups()) > 1 and not isinstance(samples, (list, tuple)):
            samples = list(samples)  # read once per pre-processing
        return self.predict(RawSamplesParams(samples))

    def predict_pipeline(self, pipeline: DataPipeline) -> Iterator[Voted]:
        """Predict and vote the generator of `pipeline` (each group of models uses its own pre-processing)."""
        return self._predict_generator(pipeline.generator_params, self.pipeline_params())

    def predict_dataset(self, dataset: Iterable[Any]) -> Iterator[Voted]:
        """Predict and vote a dataset of pre-processed, batched `inputs` or `(inputs, targets)`."""
        everyone = list(range(len(self.predictors)))
        yield from self._vote([(map(batch_from_element, dataset), everyone)], self.pipeline_params(), None)

    def _predict_generator(
        self, generator_params: DataGeneratorParams, pipeline_params: DataPipelineParams
    ) -> Iterator[Voted]:
        with contextlib.ExitStack() as stack:
            streams = []
            for members in self.groups():
                pipeline = self.predictors[members[0]].data.create_pipeline(pipeline_params, generator_params)
                streams.append((stack.enter_context(pipeline.generate_input_batches()), members))
            total = known_length(pipeline) if self.params.progress_bar else None
            yield from self._vote(streams, pipeline_params, total)

    def _vote(
        self,
        streams: List[Tuple[Iterable[Sample], List[int]]],
        pipeline_params: DataPipelineParams,
        total: Optional[int],
    ) -> Iterator[Voted]:
        per_model: List[Optional[Iterator[Sample]]] = [None] * len(self.predictors)
        opened: List[Iterator[Any]] = []
        try:
            for batches, members in streams:
                models = [self.predictors[i].model for i in members]
                outputs = run_overlapped(
                    batches,
                    lambda batch, models=models: [m(batch.inputs) for m in models],
                    self.params.model_queue_size,
                )
                opened.append(outputs)
                for position, (i, copy) in enumerate(zip(members, itertools.tee(outputs, len(members)))):
                    samples = _model_samples(copy, position, self.params.include_targets)
                    per_model[i] = self.predictors[i].post_process(samples, pipeline_params)
                    opened.append(per_model[i])
            voted = (self._voted(list(individual)) for individual in _zip_all(per_model))
            yield from with_progress(measured(voted, self.throughput), "Prediction", total, self.params.progress_bar)
        finally:
            for it in reversed(opened):
                it.close()

    def _voted(self, individual: List[Sample]) -> Voted:
        return self.voter.vote(individual), individual


def _model_samples(outputs: Iterable[Tuple[Sample, List[Any]]], position: int, include_targets: bool):
    for batch, model_outputs in outputs:
        for sample in split_batch(batch, model_outputs[position], include_targets):
            if isinstance(sample.meta, dict):
                sample.meta = dict(sample.meta)  # each model's post_proc may change its own
            yield sample


def _zip_all(streams: List[Iterator[Sample]]) -> Iterator[Tuple[Sample, ...]]:
    for row in itertools.zip_longest(*streams):
        missing = [i for i, s in enumerate(row) if s is None]
        ids = {str(s.meta.get("id")) for s in row if s is not None and isinstance(s.meta, dict)}
        if missing or len(ids) > 1:
            problem = f"model(s) {missing} yielded fewer samples" if missing else f"the samples {sorted(ids)} met"
            raise ValueError(
                f"Voting needs one sample per model for each input, but {problem}: the models' processors must not "
                "drop, add or reorder samples differently."
            )
        yield row


def _pre_processing_key(predictor: Predictor) -> str:
    params = predictor.data.params.to_dict()
    params.pop("post_proc", None)
    if not any(True for _ in predictor.data.resources.items()):
        params.pop("resource_base_path", None)  # equal processors on equal params, wherever the export lies
    return json.dumps(params, sort_keys=True, default=str)
