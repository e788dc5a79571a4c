"""The class folders to train on: a folder of your own, the bundled digits as PNG files, or TensorFlow's flowers.

A dataset is a folder holding one folder per class (its name is the class name) with the class'
images inside (PNG, JPEG, ...; any size, colour or grey). Nothing is written or downloaded before
a dataset is asked for: the digits are written into the cache folder on first use (whole or not at
all), the flowers are downloaded through `keras.utils.get_file` on first use.
"""

import os
import shutil
import tempfile
from typing import List, Tuple

import numpy as np

from tfaip.data import ConfigError

DATASETS = ("digits", "flowers")
DATASET_HELP = (
    "The class folders when no image_dir is given. digits: scikit-learn's bundled handwritten digits, written "
    "once as 28x28 PNG files into one folder per digit in the cache folder (offline); flowers: TensorFlow's "
    "flower photos (5 classes, 3,670 JPEGs, 220 MB), downloaded through keras.utils.get_file on first use."
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
FLOWERS_URL = "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
FLAG = "--train_val.image_dir in tfaip-train, --data.image_dir in tfaip-predict and tfaip-lav"


def cache_dir() -> str:
    """Where the digits are written and the flowers downloaded to: `$XDG_CACHE_HOME/tfaip` (`~/.cache/tfaip`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tfaip")


def dataset_dir(dataset: str) -> str:
    """The folder of class folders of a named dataset, made or downloaded on first use."""
    if dataset == "digits":
        return digits_dir()
    if dataset == "flowers":
        return flowers_dir()
    raise ConfigError(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}, or pass a folder ({FLAG}).")


def digits_dir() -> str:
    """scikit-learn's 1,797 digits as 28x28 grey PNG files in the folders `0` ... `9` (written on first use)."""
    from PIL import Image
    from sklearn.datasets import load_digits

    from tfaip_scenarios.tutorial.datasets import upscale_digits

    target = os.path.join(cache_dir(), "digits_png")
    if os.path.isdir(target):
        return target
    os.makedirs(cache_dir(), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".digits_png-", dir=cache_dir())
    try:
        digits = load_digits()
        for i, (image, label) in enumerate(zip(upscale_digits(digits.images), digits.target)):
            os.makedirs(os.path.join(tmp, str(label)), exist_ok=True)
            Image.fromarray(image).save(os.path.join(tmp, str(label), f"{i:04d}.png"))
        os.rename(tmp, target)  # whole or not at all; another process may have been first
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def flowers_dir() -> str:
    """TensorFlow's flower photos (daisy, dandelion, roses, sunflowers, tulips), downloaded on first use."""
    import keras

    try:
        path = keras.utils.get_file("flower_photos", origin=FLOWERS_URL, extract=True, cache_dir=cache_dir())
    except Exception as e:  # keras raises whatever urllib raised
        raise ConfigError(
            f"Downloading the flower photos from {FLOWERS_URL} failed ({type(e).__name__}: {e}). Connect to the "
            f"internet once (they are kept in {cache_dir()}), or pass a folder of class folders of images ({FLAG})."
        ) from None
    inner = os.path.join(path, "flower_photos")  # the archive holds one folder flower_photos/
    return inner if os.path.isdir(inner) else path


def scan(image_dir: str) -> Tuple[List[str], List[Tuple[str, str]]]:
    """The classes (sorted names of the sub-folders holding images) and every `(image path, class)`, sorted.

    Raises:
        ConfigError: when `image_dir` is no folder or holds no images in class folders.
    """
    if not os.path.isdir(image_dir):
        raise ConfigError(f"The image folder {image_dir} does not exist ({FLAG}).")
    classes, files = [], []
    for name in sorted(os.listdir(image_dir)):
        folder = os.path.join(image_dir, name)
        if name.startswith(".") or not os.path.isdir(folder):
            continue
        images = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_SUFFIXES))
        if images:
            classes.append(name)
            files.extend((os.path.join(folder, f), name) for f in images)
    if not files:
        raise ConfigError(
            f"The image folder {image_dir} holds no images: expected one folder per class with the class' images "
            f"inside (PNG, JPEG, ...; {FLAG})."
        )
    return classes, files


def split(files: List[Tuple[str, str]], validation_split: float, part: str, seed: int = 123) -> List[Tuple[str, str]]:
    """`part` ("train", "val" or "all") of `files`: a fixed random `validation_split` of them validates."""
    if part == "all":
        return list(files)
    order = np.random.default_rng(seed).permutation(len(files))
    n_val = round(len(files) * validation_split)
    chosen = order[:n_val] if part == "val" else order[n_val:]
    return [files[i] for i in sorted(chosen)]
