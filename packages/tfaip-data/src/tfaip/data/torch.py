"""PyTorch tensors from tfaip data pipelines (needs the `tfaip-data[torch]` extra).

The tfaip pipeline does the processing, batching and padding in its own worker processes; this
module hands its padded batches to PyTorch as tensors that share the batches' memory.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from tfaip.data.errors import ConfigError
from tfaip.data.pipeline.datapipeline import DataPipeline
from tfaip.data.pipeline.elements import batch_element

__all__ = ["PipelineDataset", "create_dataset"]


def to_tensors(element: Any) -> Any:
    """Torch tensors over the memory of numpy arrays (also in dicts and tuples): no copy."""
    if isinstance(element, dict):
        return {k: to_tensors(v) for k, v in element.items()}
    if isinstance(element, tuple):
        return tuple(to_tensors(v) for v in element)
    array = np.asarray(element)
    if not array.flags.writeable:  # torch wants writable memory; a read-only batch is copied once
        array = array.copy()
    return torch.from_numpy(array)


class PipelineDataset(IterableDataset):
    """A `torch.utils.data.IterableDataset` of a tfaip pipeline's padded batches (see `create_dataset`).

    `state_dict()` is the pipeline's position after the last batch this dataset yielded, and
    `load_state_dict(state)` makes the next iteration continue exactly there.
    """

    def __init__(self, pipeline: DataPipeline, auto_repeat: bool = False):
        super().__init__()
        self.pipeline = pipeline
        self.auto_repeat = auto_repeat
        self._input_specs = pipeline.data.input_layer_specs()
        self._target_specs = pipeline.data.target_layer_specs()

    def __iter__(self) -> Iterator[Any]:
        if get_worker_info() is not None:
            raise ConfigError(
                "A tfaip PipelineDataset runs its own worker processes and cannot be iterated in a DataLoader's "
                "workers: use DataLoader(dataset, batch_size=None, num_workers=0), or iterate the dataset itself."
            )
        mode = self.pipeline.mode
        with self.pipeline.generate_input_batches(auto_repeat=self.auto_repeat) as batches:
            for batch in batches:
                yield to_tensors(batch_element(batch, mode, self._input_specs, self._target_specs))

    def state_dict(self) -> Dict[str, Any]:
        """The pipeline's position after the last batch yielded (see `DataPipeline.state_dict`)."""
        return self.pipeline.state_dict()

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Continue the next iteration where `state` (from `state_dict`) stood."""
        self.pipeline.load_state_dict(state)


def create_dataset(pipeline: DataPipeline, auto_repeat: bool = False) -> PipelineDataset:
    """The pipeline's padded batches as a torch `IterableDataset`.

    Elements are `(inputs, targets)` dicts of tensors in TRAINING and EVALUATION mode, `inputs`
    in PREDICTION mode and `targets` in TARGETS mode, typed as the DataBase's specs; the tensors
    share the memory of the numpy batches. Iterate it directly, or through
    `DataLoader(dataset, batch_size=None, num_workers=0)`: the batches are made already, by the
    pipeline's own worker processes.

    Example:
        >>> dataset = tfaip.data.torch.create_dataset(pipeline, auto_repeat=True)
        >>> for step, (inputs, targets) in zip(range(1000), dataset):
        ...     loss = step_fn(model, inputs, targets)
        >>> torch.save({"model": model.state_dict(), "data": dataset.state_dict()}, "checkpoint.pt")
    """
    return PipelineDataset(pipeline, auto_repeat)
