"""`ArraySpec`: the shape and dtype of an input or target, without TensorFlow."""

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple


@dataclass(frozen=True)
class ArraySpec:
    """Shape (batch axis excluded, None for a variable length) and dtype of one array.

    `DataBase` specs accept any object with `.shape` and `.dtype`, e.g. `tf.TensorSpec`;
    this one needs no TensorFlow.

    Example:
        >>> ArraySpec([None, 28], "float32").shape
        (None, 28)
    """

    shape: Tuple[Optional[int], ...]
    dtype: Any

    def __init__(self, shape: Sequence[Optional[int]], dtype: Any):
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "dtype", dtype)
