"""`tf.data.Dataset`s from tfaip data pipelines (needs the `tfaip-data[tf]` extra).

The tfaip pipeline does the processing, batching and padding in its worker processes;
this module only wraps the padded batches into a dataset with the declared specs.

    pipeline batches ─► groups of up to GROUP consecutive batches of equal shapes, stacked
                     ─► tf.data.Dataset.from_generator (one call into Python per group) ─► unbatch ─► batches

Each call of `from_generator` into Python costs about 0.3 ms besides the batch's own work (its
py_func, the GIL, the conversion): as much as a small model's training step spends on a core.
Handing over groups of batches divides that by the group's size; the batches and their order
stay the same.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterable, Iterator, Optional

import numpy as np
import tensorflow as tf

from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.elements import batch_element
from tfaip.data.pipeline.positions import BatchPositions
from tfaip.data.sample import PipelineMode

__all__ = ["batched_specs", "create_dataset"]

GROUP = 8  # batches handed from Python to tf.data per call


def batched_specs(specs: Dict[str, Any]) -> Dict[str, tf.TensorSpec]:
    """`tf.TensorSpec`s with a leading batch axis for specs given as anything with .shape/.dtype."""
    return {
        name: tf.TensorSpec([None, *tuple(spec.shape)], tf.as_dtype(spec.dtype), name=name)
        for name, spec in specs.items()
    }


def create_dataset(
    pipeline: DataPipeline,
    auto_repeat: bool = False,
    prefetch: Optional[int] = tf.data.AUTOTUNE,
    positions: Optional[BatchPositions] = None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of the pipeline's padded batches.

    Elements are `(inputs, targets)` dicts in TRAINING and EVALUATION mode, `inputs` in
    PREDICTION mode and `targets` in TARGETS mode, shaped and typed as the DataBase's
    `input_layer_specs()` / `target_layer_specs()` with a leading batch axis.

    Args:
        pipeline: the DataPipeline (e.g. `data.create_pipeline(params, generator_params)`).
        auto_repeat: repeat the generator endlessly (training).
        prefetch: batches tf.data prefetches on top of the pipeline's own (None: off).
        positions: runs the pipeline through these `BatchPositions` (made with the same pipeline
            and `auto_repeat`), which then know the pipeline's position after each batch a consumer
            used, though tf.data runs ahead: what a checkpoint inside an epoch saves.
    """
    if positions is not None and (positions.pipeline is not pipeline or positions.auto_repeat != auto_repeat):
        raise ValueError("create_dataset needs BatchPositions made with the same pipeline and auto_repeat.")
    input_specs = batched_specs(pipeline.data.input_layer_specs())
    target_specs = batched_specs(pipeline.data.target_layer_specs())
    mode = pipeline.mode

    def generate() -> Iterator:
        if positions is not None:
            run = contextlib.closing(positions.batches())
        else:
            run = pipeline.generate_input_batches(auto_repeat=auto_repeat)
        with run as batches:
            yield from stacked_groups((batch_element(b, mode, input_specs, target_specs) for b in batches), GROUP)

    if mode == PipelineMode.PREDICTION:
        signature = input_specs
    elif mode == PipelineMode.TARGETS:
        signature = target_specs
    else:
        signature = (input_specs, target_specs)
    grouped = tf.nest.map_structure(lambda s: tf.TensorSpec([None, *s.shape], s.dtype, name=s.name), signature)
    dataset = tf.data.Dataset.from_generator(generate, output_signature=grouped).unbatch()
    return dataset.prefetch(prefetch) if prefetch is not None else dataset


def stacked_groups(elements: Iterable[Any], size: int) -> Iterator[Any]:
    """The elements (nests of arrays) stacked in groups of up to `size` consecutive ones of equal shapes."""
    group: list = []
    shapes = None
    for element in elements:
        element_shapes = [np.shape(a) for a in tf.nest.flatten(element)]
        if group and (element_shapes != shapes or len(group) == size):
            yield _stacked(group)
            group = []
        group.append(element)
        shapes = element_shapes
    if group:
        yield _stacked(group)


def _stacked(group: list) -> Any:
    return tf.nest.map_structure(lambda *arrays: np.stack(arrays), *group)
