"""JAX arrays from tfaip data pipelines (needs the `tfaip-data[jax]` extra).

The tfaip pipeline does the processing, batching and padding in its worker processes; this
module puts the padded batches on a JAX device ahead of use.
"""

from __future__ import annotations

from typing import Any, Optional

import jax

from tfaip.data.pipeline.ahead import BatchesAhead
from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.elements import batch_element

__all__ = ["batches"]


def batches(
    pipeline: DataPipeline, prefetch: int = 2, auto_repeat: bool = False, device: Optional[Any] = None
) -> BatchesAhead:
    """The pipeline's padded batches as jax arrays, put on `device` (default: JAX's first) `prefetch` batches ahead.

    Elements are `(inputs, targets)` dicts in TRAINING and EVALUATION mode, `inputs` in
    PREDICTION mode and `targets` in TARGETS mode, typed as the DataBase's specs.
    `state_dict()` of the returned iterator is the pipeline's position after the last batch it
    returned: save it with the model, and `pipeline.load_state_dict(state)` before the next
    `batches(pipeline)` continues exactly with the batch that would have come next.

    Example:
        >>> with tfaip.data.jax.batches(pipeline, auto_repeat=True) as train:
        ...     for step, (inputs, targets) in zip(range(1000), train):
        ...         params = update(params, inputs, targets)
        ...     position = train.state_dict()
    """
    input_specs = pipeline.data.input_layer_specs()
    target_specs = pipeline.data.target_layer_specs()
    device = device if device is not None else jax.devices()[0]

    def on_device(batch):
        return jax.device_put(batch_element(batch, pipeline.mode, input_specs, target_specs), device)

    return BatchesAhead(pipeline, on_device, prefetch, auto_repeat)
