"""How a `MultiModelPredictor` combines the post-processed samples of several models into one."""

from abc import ABC, abstractmethod
from typing import Any, List

import numpy as np

from tfaip.data import Sample


class MultiModelVoter(ABC):
    """Combines the predictions of several models for one input into one sample.

    Return a scenario's voter from `ScenarioBase.create_voter(data)`.

    Example:
        >>> class ProbabilityVoter(MultiModelVoter):
        ...     def vote(self, samples):
        ...         probs = np.mean([s.outputs["probs"] for s in samples], axis=0)
        ...         return samples[0].new_outputs({"probs": probs, "class": np.argmax(probs)})
    """

    @abstractmethod
    def vote(self, samples: List[Sample]) -> Sample:
        """The voted sample of the models' post-processed `samples` (same input, one per model, in order)."""


class AveragingVoter(MultiModelVoter):
    """The default voter: float outputs are averaged, the others take the most frequent value.

    Ties of the majority vote go to the value of the earliest model, so the vote is deterministic.
    Outputs that are nested dicts are voted key by key.
    """

    def vote(self, samples: List[Sample]) -> Sample:
        """Average or majority-vote each output key."""
        return samples[0].new_outputs(_vote([s.outputs for s in samples]))


def _vote(values: List[Any]) -> Any:
    first = values[0]
    if isinstance(first, dict):
        return {k: _vote([v[k] for v in values]) for k in first}
    arrays = [np.asarray(v) for v in values]
    if all(np.issubdtype(a.dtype, np.floating) for a in arrays) and len({a.shape for a in arrays}) == 1:
        return np.mean(arrays, axis=0).astype(arrays[0].dtype)
    counts: dict = {}
    for index, a in enumerate(arrays):
        key = (a.dtype.str, a.shape, a.tobytes())
        count, first_index = counts.get(key, (0, index))
        counts[key] = (count + 1, first_index)
    _, winner = max(counts.values(), key=lambda c: (c[0], -c[1]))
    return values[winner]
