"""The unit that flows through every tfaip pipeline: `Sample`, and the `PipelineMode`s."""

from __future__ import annotations

from enum import Enum
from typing import Any, Optional


class PipelineMode(str, Enum):
    """What a pipeline produces, which decides the processors that run and the valid samples.

    TRAINING and EVALUATION need inputs and targets (TRAINING may augment), PREDICTION needs
    inputs only, TARGETS needs targets only.
    """

    TRAINING = "training"
    EVALUATION = "evaluation"
    PREDICTION = "prediction"
    TARGETS = "targets"

    def __str__(self) -> str:
        return self.value


INPUT_PROCESSOR = frozenset({PipelineMode.TRAINING, PipelineMode.EVALUATION, PipelineMode.PREDICTION})
TARGETS_PROCESSOR = frozenset({PipelineMode.TRAINING, PipelineMode.EVALUATION, PipelineMode.TARGETS})
GENERAL_PROCESSOR = frozenset(PipelineMode)


class Sample:
    """One un-batched sample: `inputs`, `outputs`, `targets` and `meta`.

    Inputs, outputs and targets are (nested dicts of) numpy arrays with at least one axis
    (use `np.asarray([label])`, not a scalar). `meta` is a dict of JSON-serialisable data;
    its `"id"` entry names the sample in error messages.

    The `new_*` methods return a shallow copy with one field replaced, so processors can
    be written as `return sample.new_inputs(image).new_targets(label)`.

    Example:
        >>> s = Sample(inputs={"x": 1}, meta={"id": "a"})
        >>> s.new_targets({"y": 2}).targets
        {'y': 2}
    """

    __slots__ = ("inputs", "meta", "outputs", "targets")

    def __init__(self, *, inputs: Any = None, outputs: Any = None, targets: Any = None, meta: Any = None):
        self.inputs = inputs
        self.outputs = outputs
        self.targets = targets
        self.meta = meta

    def copy(self) -> Sample:
        """A shallow copy (the arrays are shared)."""
        return Sample(inputs=self.inputs, outputs=self.outputs, targets=self.targets, meta=self.meta)

    def new_inputs(self, inputs: Any) -> Sample:
        """A copy with `inputs` replaced."""
        return Sample(inputs=inputs, outputs=self.outputs, targets=self.targets, meta=self.meta)

    def new_outputs(self, outputs: Any) -> Sample:
        """A copy with `outputs` replaced."""
        return Sample(inputs=self.inputs, outputs=outputs, targets=self.targets, meta=self.meta)

    def new_targets(self, targets: Any) -> Sample:
        """A copy with `targets` replaced."""
        return Sample(inputs=self.inputs, outputs=self.outputs, targets=targets, meta=self.meta)

    def new_meta(self, meta: Any) -> Sample:
        """A copy with `meta` replaced."""
        return Sample(inputs=self.inputs, outputs=self.outputs, targets=self.targets, meta=meta)

    def new_invalid(self) -> Sample:
        """An invalid sample (only its meta is kept); the pipeline drops it."""
        return Sample(meta=self.meta)

    def __getstate__(self):
        return (self.inputs, self.outputs, self.targets, self.meta)

    def __setstate__(self, state):
        self.inputs, self.outputs, self.targets, self.meta = state

    def __repr__(self) -> str:
        return f"Sample(inputs={self.inputs!r}, outputs={self.outputs!r}, targets={self.targets!r}, meta={self.meta!r})"


def invalid_reason(sample: Optional[Sample], mode: PipelineMode) -> Optional[str]:
    """What `sample` lacks for `mode` (`"no targets"`, `"no inputs"`, `"no sample"`), or None if it is valid."""
    if sample is None:
        return "no sample"
    if sample.inputs is None and mode in INPUT_PROCESSOR:
        return "no inputs"
    if sample.targets is None and mode in TARGETS_PROCESSOR:
        return "no targets"
    return None


def is_valid_sample(sample: Optional[Sample], mode: PipelineMode) -> bool:
    """Whether `sample` has what `mode` needs (inputs for input modes, targets for target modes)."""
    return invalid_reason(sample, mode) is None


def mode_needs(mode: PipelineMode) -> str:
    """What a valid sample of `mode` holds, e.g. `"inputs and targets"`."""
    needs = [name for name, modes in (("inputs", INPUT_PROCESSOR), ("targets", TARGETS_PROCESSOR)) if mode in modes]
    return " and ".join(needs)


def describe_sample(sample: Optional[Sample], index: Optional[int]) -> str:
    """Human-readable name of a sample for error messages: its meta id and/or its index."""
    sample_id = None
    if sample is not None and isinstance(sample.meta, dict):
        sample_id = sample.meta.get("id")
    if sample_id is not None and index is not None:
        return f"sample {sample_id!r} (index {index})"
    if sample_id is not None:
        return f"sample {sample_id!r}"
    if index is not None:
        return f"sample at index {index}"
    return "a generated sample"
