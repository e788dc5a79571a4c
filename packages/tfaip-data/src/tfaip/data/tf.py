"""`tf.data.Dataset`s from tfaip data pipelines (needs the `tfaip-data[tf]` extra).

The tfaip pipeline does the processing, batching and padding in its worker processes;
this module only wraps the padded batches into a dataset with the declared specs.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

import tensorflow as tf

from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.elements import batch_element
from tfaip.data.sample import PipelineMode

__all__ = ["batched_specs", "create_dataset"]


def batched_specs(specs: Dict[str, Any]) -> Dict[str, tf.TensorSpec]:
    """`tf.TensorSpec`s with a leading batch axis for specs given as anything with .shape/.dtype."""
    return {
        name: tf.TensorSpec([None, *tuple(spec.shape)], tf.as_dtype(spec.dtype), name=name)
        for name, spec in specs.items()
    }


def create_dataset(
    pipeline: DataPipeline, auto_repeat: bool = False, prefetch: Optional[int] = tf.data.AUTOTUNE
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of the pipeline's padded batches.

    Elements are `(inputs, targets)` dicts in TRAINING and EVALUATION mode, `inputs` in
    PREDICTION mode and `targets` in TARGETS mode, shaped and typed as the DataBase's
    `input_layer_specs()` / `target_layer_specs()` with a leading batch axis.

    Args:
        pipeline: the DataPipeline (e.g. `data.create_pipeline(params, generator_params)`).
        auto_repeat: repeat the generator endlessly (training).
        prefetch: batches tf.data prefetches on top of the pipeline's own (None: off).
    """
    input_specs = batched_specs(pipeline.data.input_layer_specs())
    target_specs = batched_specs(pipeline.data.target_layer_specs())
    mode = pipeline.mode

    def generate() -> Iterator:
        with pipeline.generate_input_batches(auto_repeat=auto_repeat) as batches:
            for batch in batches:
                yield batch_element(batch, mode, input_specs, target_specs)

    if mode == PipelineMode.PREDICTION:
        signature = input_specs
    elif mode == PipelineMode.TARGETS:
        signature = target_specs
    else:
        signature = (input_specs, target_specs)
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return dataset.prefetch(prefetch) if prefetch is not None else dataset
