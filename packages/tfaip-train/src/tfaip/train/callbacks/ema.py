"""EMA weights for validation and exports: swap the moving averages in, and back."""

import contextlib
from typing import Iterator

import keras


@contextlib.contextmanager
def ema_weights(model: keras.Model) -> Iterator[None]:
    """Inside the block the model holds its optimizer's moving averages (no-op without EMA)."""
    optimizer = model.optimizer
    if optimizer is None or not getattr(optimizer, "use_ema", False) or not optimizer.built:
        yield
        return
    pairs = [
        (v, a) for v, a in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average)
        if a is not None
    ]  # fmt: skip
    saved = [keras.ops.convert_to_numpy(v) for v, _ in pairs]
    for variable, average in pairs:
        variable.assign(average)
    try:
        yield
    finally:
        for (variable, _), value in zip(pairs, saved):
            variable.assign(value)


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
