"""EMA weights for validation and exports: swap the moving averages in, and back."""

import contextlib
from typing import Any, ContextManager, Iterator, Sequence

import keras


@contextlib.contextmanager
def assigned(variables: Sequence[Any], values: Sequence[Any]) -> Iterator[None]:
    """Inside the block `variables` hold `values`; afterwards their own values come back."""
    saved = [v.numpy() for v in variables]
    for variable, value in zip(variables, values):
        variable.assign(value)
    try:
        yield
    finally:
        for variable, value in zip(variables, saved):
            variable.assign(value)


def ema_weights(model: keras.Model) -> ContextManager[None]:
    """Inside the block the model holds its optimizer's moving averages (no-op without EMA)."""
    optimizer = model.optimizer
    if optimizer is None or not getattr(optimizer, "use_ema", False) or not optimizer.built:
        return contextlib.nullcontext()
    pairs = [
        (v, a) for v, a in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average)
        if a is not None
    ]  # fmt: skip
    return assigned([v for v, _ in pairs], [a for _, a in pairs])


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
