"""The handwritten digits of the tutorials: bundled 8x8 digits scaled to 28x28, or keras' MNIST sets.

`load_digits` of scikit-learn ships its 1,797 images inside the wheel, so the default works
offline. `mnist` and `fashion_mnist` download through `keras.datasets` on first use.
"""

import functools
from typing import Tuple

import numpy as np

DATASETS = ("digits", "mnist", "fashion_mnist")
DIGITS_TRAIN = 1500  # the first 1,500 digits train, the other 297 validate
FLAG = "--train_val.dataset in tfaip-train, --data.dataset in tfaip-predict"
DATASET_HELP = (
    "digits: scikit-learn's bundled handwritten digits scaled to 28x28 (offline); mnist or fashion_mnist: "
    "downloaded through keras.datasets."
)


def load_split(dataset: str, training: bool, limit: int = -1) -> Tuple[np.ndarray, np.ndarray]:
    """`(images uint8 [n, 28, 28], labels uint8 [n])` of the training or the test split (its first `limit`)."""
    images, labels = _load_split(dataset, training)
    return (images, labels) if limit < 0 else (images[:limit], labels[:limit])


@functools.lru_cache(maxsize=4)
def _load_split(dataset: str, training: bool) -> Tuple[np.ndarray, np.ndarray]:
    if dataset == "digits":
        return _digits(training)
    if dataset in ("mnist", "fashion_mnist"):
        return _keras_dataset(dataset, training)
    raise ValueError(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)} ({FLAG}).")


def _digits(training: bool) -> Tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = upscale_digits(digits.images)
    part = slice(0, DIGITS_TRAIN) if training else slice(DIGITS_TRAIN, None)
    return images[part], digits.target[part].astype("uint8")


def upscale_digits(images: np.ndarray) -> np.ndarray:
    """8x8 images of values 0..16 -> 28x28 uint8 in MNIST's layout (a 24x24 digit with a 2 pixel margin)."""
    scaled = np.kron(np.asarray(images, dtype="float32"), np.ones((3, 3), "float32")) * (255.0 / 16.0)
    return np.pad(np.rint(scaled).astype("uint8"), ((0, 0), (2, 2), (2, 2)))


def _keras_dataset(name: str, training: bool) -> Tuple[np.ndarray, np.ndarray]:
    import keras

    try:
        train, test = getattr(keras.datasets, name).load_data()
    except Exception as e:  # keras raises whatever urllib raised
        raise RuntimeError(
            f"Downloading the {name} dataset through keras.datasets failed ({type(e).__name__}: {e}). Connect to "
            "the internet once (keras caches it in ~/.keras/datasets) or use the bundled digits: dataset digits "
            f"({FLAG})."
        ) from e
    images, labels = train if training else test
    return images.astype("uint8"), labels.astype("uint8")
