"""EMA weights for validation and exports: swap the moving averages in, and back."""

import contextlib
from typing import Any, Iterator, Sequence

import keras


@contextlib.contextmanager
def restored(variables: Sequence[Any]) -> Iterator[None]:
    """After the block `variables` hold the values they had before it."""
    saved = [v.numpy() for v in variables]
    try:
        yield
    finally:
        for variable, value in zip(variables, saved):
            variable.assign(value)


@contextlib.contextmanager
def assigned(variables: Sequence[Any], values: Sequence[Any]) -> Iterator[None]:
    """Inside the block `variables` hold `values`; afterwards their own values come back."""
    with restored(variables):
        for variable, value in zip(variables, values):
            variable.assign(value)
        yield


@contextlib.contextmanager
def ema_weights(model: keras.Model) -> Iterator[None]:
    """Inside the block the model holds its optimizer's moving averages (no-op without EMA).

    Public keras API only: `optimizer.finalize_variable_values(variables)` writes the averages
    into the variables the optimizer was built on (here `model.trainable_variables`, as the
    Trainer builds it); their own values are saved before and assigned back afterwards.
    """
    optimizer = model.optimizer
    if optimizer is None or not getattr(optimizer, "use_ema", False) or not optimizer.built:
        yield
        return
    with restored(model.trainable_variables):
        optimizer.finalize_variable_values(model.trainable_variables)
        yield


class EMAValidationCallback(keras.callbacks.Callback):
    """Validates with the EMA weights (the training continues on the raw ones)."""

    def __init__(self):
        super().__init__()
        self._swap = None

    def on_test_begin(self, logs=None):
        """Swap the EMA weights in."""
        self._swap = ema_weights(self.model)
        self._swap.__enter__()

    def on_test_end(self, logs=None):
        """Swap the training weights back."""
        if self._swap is not None:
            self._swap.__exit__(None, None, None)
            self._swap = None
