"""Exports of the best model to `best/`, kept to a small share of the training time."""

import logging
import time
from typing import Callable, List, Optional

import numpy as np

logger = logging.getLogger(__name__)


class BestExport:
    """Exports each new best model to `best/`, but spends at most `budget` of the training time on it.

    An export that took d seconds lets the next one start only d / budget seconds later (a
    SavedModel export takes about 0.3 s for the tutorial CNN, so with short epochs the exports
    would otherwise dominate). A best model found sooner waits as a copy of its weights: it is
    exported at the first epoch end the budget allows, and at the latest by `flush` when
    training ends; the checkpoint carries the copy, so a resumed run exports it too.

    Args:
        export: writes `best/` from the given weights (values of `model.weights`), or from the
            model as it is (its EMA weights) when given None.
        snapshot: copies the weights that `export` would write now.
        budget: the share of the training time exports may take (1: export every improvement at once).
    """

    def __init__(
        self,
        export: Callable[[Optional[List[np.ndarray]]], None],
        snapshot: Callable[[], List[np.ndarray]],
        budget: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._export, self._snapshot, self.budget, self._clock = export, snapshot, budget, clock
        self.pending: Optional[List[np.ndarray]] = None
        self._next_export = -np.inf

    def improved(self) -> None:
        """The model is the best so far: export it now if the budget allows, else keep its weights."""
        if self._clock() >= self._next_export:
            self.pending = None
            self._timed_export(None)
        else:
            self.pending = self._snapshot()
            logger.debug("best/ will be refreshed within %.1f s.", self._next_export - self._clock())

    def epoch_end(self) -> None:
        """Export a waiting best model once the budget allows."""
        if self.pending is not None and self._clock() >= self._next_export:
            self.flush()

    def flush(self) -> None:
        """Export the waiting best model, if any, regardless of the budget."""
        if self.pending is not None:
            weights, self.pending = self.pending, None
            self._timed_export(weights)

    def _timed_export(self, weights: Optional[List[np.ndarray]]) -> None:
        start = self._clock()
        self._export(weights)
        self._next_export = start + (self._clock() - start) / self.budget
