"""The 1,797 handwritten 8x8 UCI digits (scikit-learn's `load_digits`), shipped in `digits.npz` beside this file."""

import functools
from pathlib import Path
from typing import Tuple

import numpy as np

DIGITS_NPZ = Path(__file__).resolve().parent / "digits.npz"
N_TRAIN = 1500  # the first 1,500 digits train, the other 297 validate


@functools.lru_cache(maxsize=1)
def _load() -> Tuple[np.ndarray, np.ndarray]:
    with np.load(DIGITS_NPZ) as digits:
        return digits["images"], digits["labels"]


def load_digits(training: bool) -> Tuple[np.ndarray, np.ndarray]:
    """`(images uint8 [n, 8, 8] of values 0..16, labels int64 [n])` of the training or the validation split.

    The arrays are new copies: callers may scale or cast them in place.
    """
    images, labels = _load()
    part = slice(0, N_TRAIN) if training else slice(N_TRAIN, None)
    return images[part].copy(), labels[part].copy()


def upscale_digits(images: np.ndarray) -> np.ndarray:
    """8x8 images of values 0..16 -> 28x28 uint8 in MNIST's layout (a 24x24 digit with a 2 pixel margin)."""
    scaled = np.kron(np.asarray(images, dtype="float32"), np.ones((3, 3), "float32")) * (255.0 / 16.0)
    return np.pad(np.rint(scaled).astype("uint8"), ((0, 0), (2, 2), (2, 2)))
