"""Batches around the model: run it in a thread that overlaps the pipeline, split its outputs into samples.

    pre_proc workers ──► padded batches ──► model thread (at most `depth` batches ahead)
                                                │ outputs
    post_proc workers ◄── un-batched samples ◄──┘  split_batch (here, in the consumer's thread)

TensorFlow releases the GIL while the model runs, so splitting, post-processing and the
consumer's own work proceed in the meantime.
"""

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from tfaip.data import Sample


def run_overlapped(
    batches: Iterable[Sample], model_step: Callable[[Sample], Any], depth: int
) -> Iterator[Tuple[Sample, Any]]:
    """Yield `(batch, model_step(batch))` in order, running `model_step` in one background thread.

    Up to `depth` batches are submitted ahead. Closing the iterator waits for the submitted
    batches (never more than `depth`) and stops; an error of `model_step` is raised here.
    """
    pending: Deque[Tuple[Sample, Future]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tfaip-model") as executor:
        try:
            for batch in batches:
                pending.append((batch, executor.submit(model_step, batch)))
                if len(pending) >= depth:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _, future in pending:
                future.cancel()


def _rows(tree: Any, n: int, what: str) -> List[Any]:
    if tree is None:
        return [None] * n
    if isinstance(tree, dict):
        keys = list(tree)
        columns = [_rows(tree[k], n, what) for k in keys]
        return [dict(zip(keys, row)) for row in zip(*columns)] if keys else [{} for _ in range(n)]
    array = np.asarray(tree)
    if array.ndim == 0 or array.shape[0] != n:
        raise ValueError(
            f"The batch {what} has the shape {array.shape}, but the batch holds {n} samples: every output of the "
            "model must have the batch as its first axis."
        )
    return list(array)


def batch_size_of(batch: Sample) -> int:
    """The number of samples in a batch (the first axis of its first input)."""
    first = batch.inputs
    while isinstance(first, dict):
        if not first:
            raise ValueError("The batch has no inputs.")
        first = next(iter(first.values()))
    return int(np.shape(first)[0])


def split_batch(batch: Sample, outputs: Dict[str, Any], include_targets: bool) -> List[Sample]:
    """The un-batched samples of `batch` with the model's `outputs` (meta kept, padding not removed)."""
    n = batch_size_of(batch)
    if include_targets and batch.targets is None:
        raise ValueError(
            "include_targets is set, but the batches have no targets: predict data with targets (a generator in "
            "EVALUATION mode, (inputs, targets) dataset elements) or leave include_targets off."
        )
    metas = batch.meta if isinstance(batch.meta, list) and len(batch.meta) == n else [None] * n
    inputs = _rows(batch.inputs, n, "inputs")
    targets = _rows(batch.targets if include_targets else None, n, "targets")
    rows = _rows(outputs, n, "outputs")
    return [Sample(inputs=inputs[i], outputs=rows[i], targets=targets[i], meta=metas[i]) for i in range(n)]


def batch_from_element(element: Any) -> Sample:
    """A batch Sample from a `tf.data` element: `inputs`, `(inputs, targets)` or `(inputs, targets, meta)`."""

    def numpy(tree: Any) -> Any:
        if isinstance(tree, dict):
            return {k: numpy(v) for k, v in tree.items()}
        return None if tree is None else np.asarray(tree)

    if isinstance(element, dict):
        return Sample(inputs=numpy(element))
    if isinstance(element, (tuple, list)) and 1 <= len(element) <= 3 and isinstance(element[0], dict):
        inputs, targets, meta = (*element, None, None)[:3]
        meta_list: Optional[list] = None
        if meta is not None:
            meta_list = list(np.asarray(meta)) if not isinstance(meta, list) else meta
        return Sample(inputs=numpy(inputs), targets=numpy(targets), meta=meta_list)
    raise TypeError(
        "predict_dataset needs a dataset of batched `inputs` dicts or `(inputs, targets)` tuples, got an element "
        f"of type {type(element).__name__}."
    )
