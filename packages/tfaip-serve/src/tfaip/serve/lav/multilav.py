"""`MultiLAV`: several models and their vote evaluated on the same labelled data."""

import contextlib
from typing import Any, Dict, Optional, Sequence, Type

from tfaip.data import ConfigError, DataGeneratorParams
from tfaip.model import ScenarioBase
from tfaip.serve.lav.lav import LAVBase, evaluate_samples, format_results, predictor_params_of
from tfaip.serve.lav.report import numbered, optional_report
from tfaip.serve.multimodelpredictor import MultiModelPredictor
from tfaip.serve.params import LAVParams
from tfaip.serve.progress import Throughput, measured, with_progress


class MultiLAV(LAVBase):
    """Evaluates the voted predictions of several models with the scenario's Evaluator.

    Results hold the Evaluator's values of the voted samples, and of each model's own samples
    prefixed `model<i>_`, so the gain of voting shows directly. The models' keras losses and
    metrics are LAV's (single model) business; the report holds the voted samples.

    Example:
        >>> multi = LAVParams().create_multi(TutorialScenario, ["a/export", "b/export"])
        >>> for result in multi.run(generator_params):
        ...     print(result["eval_acc"], result["model0_eval_acc"], result["model1_eval_acc"])
    """

    def __init__(
        self,
        params: LAVParams,
        scenario_cls: Optional[Type[ScenarioBase]],
        models: Sequence[Any],
        scenario_params: Optional[Sequence[Any]] = None,
    ):
        if params.dump is not None:
            raise ConfigError("LAVParams.dump is written by a single-model LAV only; drop it for several models.")
        self.params = params
        self.predictor = MultiModelPredictor(predictor_params_of(params), scenario_cls, models, scenario_params)
        scenario = self.predictor.predictors[0].scenario
        self.evaluators = [scenario.create_evaluator(scenario.params.evaluator) for _ in range(len(models) + 1)]
        self.throughput = Throughput()

    def _run_one(self, generator: DataGeneratorParams, index: int, count: int, print_fn) -> Dict[str, Any]:
        voted_evaluator, *model_evaluators = self.evaluators
        with contextlib.ExitStack() as stack:
            report = stack.enter_context(optional_report(numbered(self.params.report, index, count)))
            for evaluator in self.evaluators:
                stack.enter_context(evaluator)
            predictions = self.predictor.predict(generator)
            stack.callback(predictions.close)
            predictions = measured(with_progress(predictions, "LAV", None, self.params.progress_bar), self.throughput)

            def voted_samples():
                for voted, individual in predictions:
                    for evaluator, sample in zip(model_evaluators, individual):
                        evaluator.update_state(sample)
                    yield voted, {}

            evaluate_samples(voted_samples(), voted_evaluator, report, 0, print_fn)
            results = dict(voted_evaluator.result())
            for i, evaluator in enumerate(model_evaluators):
                results.update({f"model{i}_{k}": v for k, v in evaluator.result().items()})
        if not self.params.silent:
            print_fn(format_results(results, self.throughput))
        return results
