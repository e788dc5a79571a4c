"""`LAV` (load and validate): an export's losses, metrics and Evaluator results on labelled data.

generator ─► pre_proc (EVALUATION) ─► batches ─► model thread: the export's signature + ModelMetrics.update
    ─► split (targets kept, raw dump) ─► post_proc ─► Evaluator.update_state, _print_evaluate, report
    ─► {loss, each loss, each metric, each evaluator value}
"""

import contextlib
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple, Type, Union

import numpy as np

from tfaip.data import DataGeneratorParams, Sample
from tfaip.model import EvaluatorBase, ScenarioBase
from tfaip.serve.backends import SAVED_MODEL
from tfaip.serve.batches import run_overlapped, split_batch
from tfaip.serve.lav.model_metrics import ModelMetrics, PerSample
from tfaip.serve.lav.report import SampleReport, numbered, optional_dump, optional_report, report_row
from tfaip.serve.params import LAVParams, PredictorParams
from tfaip.serve.predictor import Predictor
from tfaip.serve.progress import Throughput, known_length, measured, with_progress

_LOSSES = "__lav_losses__"  # carries a sample's per-sample losses through post_proc in its meta


def predictor_params_of(params: LAVParams) -> PredictorParams:
    """The PredictorParams LAV predicts with: its pipeline and device, targets included, no own output."""
    return PredictorParams(
        pipeline=params.pipeline_params(),
        device=params.device,
        backend=SAVED_MODEL,  # the model's own losses and metrics need the SavedModel's TensorFlow
        silent=True,
        progress_bar=False,
        run_eagerly=params.run_eagerly,
        include_targets=True,
        model_queue_size=params.model_queue_size,
        skip_invalid=params.skip_invalid,
    )


class LAVBase:
    """What LAV and MultiLAV share: `run` over one or several generators, one result dict each."""

    def run(
        self,
        generator_params: Union[DataGeneratorParams, Iterable[DataGeneratorParams]],
        print_fn: Callable[[str], None] = print,
    ) -> Iterator[Dict[str, Any]]:
        """Validate on each generator in turn, yielding its results."""
        if isinstance(generator_params, DataGeneratorParams):
            generator_params = [generator_params]
        generators = list(generator_params)
        for index, generator in enumerate(generators):
            yield self._run_one(generator, index, len(generators), print_fn)

    def _run_one(self, generator: DataGeneratorParams, index: int, count: int, print_fn) -> Dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__}._run_one(generator, index, count, print_fn)")


class LAV(LAVBase):
    """Loads a model, predicts labelled data and reports the model's and the Evaluator's metrics.

    `run` yields one result dict per generator: `loss`, each loss key and each metric of the
    ModelBase (on the prediction graph's outputs), then the Evaluator's values (on the
    post-processed samples). Override `extract_dump_data` to change what `--lav.dump` stores.

    Args:
        params: the LAVParams.
        scenario_cls: the scenario class (None: the one recorded in the export).
        model: an export directory or a keras Model (e.g. during training).
        scenario_params: the scenario params (default: those of the export).

    Example:
        >>> lav = TutorialScenario.create_lav("model/best", LAVParams())
        >>> for result in lav.run(TutorialScenario.predict_generator_params_cls()()):
        ...     print(result)   # {"loss": ..., "acc": ..., "eval_edit_distance": ...}
        >>> print(lav.throughput)
    """

    def __init__(self, params: LAVParams, scenario_cls: Optional[Type[ScenarioBase]], model: Any, scenario_params=None):
        self.params = params
        self.predictor = Predictor(predictor_params_of(params), scenario_cls, model, scenario_params)
        self.scenario = self.predictor.scenario
        self.data = self.predictor.data
        self.model_metrics = ModelMetrics(self.scenario.model, self.data, params.run_eagerly)
        self.evaluator = self.scenario.create_evaluator(self.scenario.params.evaluator)
        self.throughput = Throughput()

    def extract_dump_data(self, sample: Sample) -> Dict[str, Any]:
        """Name -> array stored for a sample by `--lav.dump` (default: its raw targets and outputs)."""
        arrays = {f"targets/{k}": v for k, v in (sample.targets or {}).items()}
        arrays.update({f"outputs/{k}": v for k, v in sample.outputs.items()})
        return arrays

    def _run_one(self, generator: DataGeneratorParams, index: int, count: int, print_fn) -> Dict[str, float]:
        pipeline = self.predictor.create_pipeline(generator)
        total = known_length(pipeline) if self.params.progress_bar else None
        report_path, dump_path = numbered(self.params.report, index, count), numbered(self.params.dump, index, count)
        with contextlib.ExitStack() as stack:
            report = stack.enter_context(optional_report(report_path))
            dump = stack.enter_context(optional_dump(dump_path))
            batches = stack.enter_context(pipeline.generate_input_batches())
            self.model_metrics.reset()
            outputs = run_overlapped(batches, self._model_step, self.params.model_queue_size)
            stack.callback(outputs.close)
            samples = self.predictor.post_process(self._split(outputs, dump), pipeline.pipeline_params)
            samples = measured(with_progress(samples, "LAV", total, self.params.progress_bar), self.throughput)
            with self.evaluator:
                limit = 0 if self.params.silent else self.scenario.params.print_eval_limit
                with_losses = ((s, _pop_losses(s)) for s in samples)
                evaluate_samples(with_losses, self.evaluator, report, limit, self._printer(print_fn))
                results = {**self.model_metrics.result(), **self.evaluator.result()}
        if not self.params.silent:
            print_fn(format_results(results, self.throughput))
        return results

    def _printer(self, print_fn):
        return lambda sample: self.scenario.model.print_evaluate(sample, self.data, print_fn=print_fn)

    def _model_step(self, batch: Sample) -> Tuple[Dict[str, Any], PerSample]:
        model = self.predictor.model
        if model.traceable:  # the model and its losses in one call into TensorFlow
            return self.model_metrics.predict_and_update(model.fn, batch.inputs, batch.targets)
        outputs = model(batch.inputs)
        return outputs, self.model_metrics.update(batch.inputs, batch.targets, outputs)

    def _split(self, stream, dump) -> Iterator[Sample]:
        index = 0
        for batch, (outputs, per_sample) in stream:
            for row, sample in enumerate(split_batch(batch, outputs, include_targets=True)):
                meta = dict(sample.meta) if isinstance(sample.meta, dict) else {}
                meta.setdefault("id", index)  # the same id in the report and the dump
                if dump is not None:
                    dump.add(index, meta.get("id", index), self.extract_dump_data(sample))
                meta[_LOSSES] = {name: float(values[row]) for name, values in per_sample.items()}
                sample.meta = meta
                index += 1
                yield sample


def _pop_losses(sample: Sample) -> Dict[str, float]:
    return sample.meta.pop(_LOSSES, {}) if isinstance(sample.meta, dict) else {}


def evaluate_samples(
    samples: Iterable[Tuple[Sample, Dict[str, float]]],
    evaluator: EvaluatorBase,
    report: Optional[SampleReport],
    print_limit: int,
    print_sample: Callable[[Sample], None],
) -> int:
    """Feed each `(sample, its own values)` to the evaluator, the printer (the first `print_limit`) and the report."""
    count = 0
    for count, (sample, values) in enumerate(samples, 1):
        own = evaluator.update_state(sample) or {}
        if print_limit < 0 or count <= print_limit:
            print_sample(sample)
        if report is not None:
            report.write(report_row(count - 1, sample, {**values, **own}))
    return count


def _number(value: Any) -> str:
    return f"{float(value):.6g}" if isinstance(value, (float, np.floating)) else str(value)


def format_results(results: Dict[str, Any], throughput: Throughput) -> str:
    """The results, one `name = value` per line, and the throughput."""
    lines = [f"    {name} = {_number(value)}" for name, value in results.items()]
    return "LAV results:\n" + "\n".join(lines) + f"\nThroughput: {throughput}"
