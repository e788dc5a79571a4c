"""`MetricDefinition`: a keras metric applied to one target and one output by name."""

from dataclasses import dataclass

import keras


@dataclass
class MetricDefinition:
    """Apply `metric` to `targets[target]` and `outputs[output]`; logged under its key in `_metric`.

    Example:
        >>> def _metric(self):
        ...     return {"acc": MetricDefinition("gt", "class", keras.metrics.Accuracy())}
    """

    target: str
    output: str
    metric: keras.metrics.Metric

    def __post_init__(self):
        if not isinstance(self.metric, keras.metrics.Metric):
            raise TypeError(
                f"MetricDefinition({self.target!r}, {self.output!r}, ...): metric must be a keras.metrics.Metric "
                f"instance, got {self.metric!r}."
            )
