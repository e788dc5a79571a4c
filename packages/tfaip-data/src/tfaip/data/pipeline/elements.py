"""What a framework is fed from a batch: its inputs and targets as dicts of numpy arrays of the declared dtypes."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

import numpy as np

from tfaip.data.sample import PipelineMode, Sample


def numpy_dtype(dtype: Any) -> np.dtype:
    """The numpy dtype of a spec's dtype (a numpy dtype, its name, or a TensorFlow DType)."""
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def _converted(values: Optional[Dict[str, Any]], specs: Mapping[str, Any], what: str) -> Dict[str, np.ndarray]:
    if not isinstance(values, dict) or set(values) != set(specs):
        found = f"the keys {sorted(values)}" if isinstance(values, dict) else f"a {type(values).__name__}"
        raise ValueError(
            f"The batch {what} are {found}, but the specs declare the keys {sorted(specs)}: the processors must "
            f"produce a dict with exactly these keys as sample {what}."
        )
    return {k: np.asarray(values[k], dtype=numpy_dtype(specs[k].dtype)) for k in specs}


def batch_element(batch: Sample, mode: PipelineMode, input_specs: Mapping[str, Any], target_specs: Mapping[str, Any]):
    """`(inputs, targets)` in TRAINING and EVALUATION mode, `inputs` in PREDICTION and `targets` in TARGETS mode.

    Each is a dict with exactly the keys of its specs (anything with `.dtype`), as arrays of their dtypes (no copy
    where the dtype is already right); a batch with other keys is a ValueError naming both.
    """
    if mode == PipelineMode.PREDICTION:
        return _converted(batch.inputs, input_specs, "inputs")
    if mode == PipelineMode.TARGETS:
        return _converted(batch.targets, target_specs, "targets")
    return _converted(batch.inputs, input_specs, "inputs"), _converted(batch.targets, target_specs, "targets")
