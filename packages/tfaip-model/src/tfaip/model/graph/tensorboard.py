"""`TensorboardWriter`: layers hand raw tensors (images, histograms, ...) to TensorBoard.

A layer calls `self.add_tensorboard(writer, value)` in `call`. During training the call is
free: values are only collected while `RootGraph.write_tensorboard` runs the graph on a
batch, which then passes each value as numpy to `writer.func(name, value, step)` inside a
`tf.summary` writer context.
"""

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import numpy as np

_collected: contextvars.ContextVar[Optional[Dict[str, Tuple["TensorboardWriter", Any]]]] = contextvars.ContextVar(
    "tfaip_tensorboard_values", default=None
)


@dataclass(frozen=True)
class TensorboardWriter:
    """Writes one named value to TensorBoard.

    Args:
        func: `func(name, value, step)` writes the numpy `value`, e.g. with `tf.summary.image(name, ...)`.
        dtype: the dtype the tensor is cast to before it leaves the graph.
        name: the name in TensorBoard; unique per model.
    """

    func: Callable[[str, np.ndarray, int], None]
    dtype: str = "float32"
    name: str = "tensorboard"

    def write(self, value: np.ndarray, step: int) -> None:
        """Write `value` at `step` (inside a `tf.summary` writer's `as_default()`)."""
        self.func(self.name, value, step)


def add_tensorboard_value(writer: TensorboardWriter, value: Any) -> None:
    """Record `value` for `writer` if values are being collected (see `collecting_tensorboard_values`)."""
    collected = _collected.get()
    if collected is None:
        return
    if writer.name in collected and collected[writer.name][0] is not writer:
        raise ValueError(f"Two TensorboardWriters are named {writer.name!r}; give each a unique name.")
    collected[writer.name] = (writer, value)


@contextlib.contextmanager
def collecting_tensorboard_values() -> Iterator[Dict[str, Tuple[TensorboardWriter, Any]]]:
    """Collect the values layers add while the block runs: name -> (writer, tensor)."""
    collected: Dict[str, Tuple[TensorboardWriter, Any]] = {}
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)
