"""Image files for the scenarios: expanding `--data.image_files` patterns, and one reader that names a bad file."""

import glob
import os
from typing import List, Sequence

import numpy as np

from tfaip.data import ConfigError


def expand_files(patterns: Sequence[str], flag: str = "--data.image_files") -> List[str]:
    """The files of `patterns`, in order: glob patterns (`'lines/*.png'`, quoted on the command line) expanded.

    A pattern's matches are sorted; a pattern matching nothing or a missing file is a ConfigError naming `flag`.
    """
    files: List[str] = []
    for pattern in patterns:
        found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not found:
            raise ConfigError(f"The pattern {pattern} matches no file ({flag}).")
        for path in found:
            if not os.path.isfile(path):
                raise ConfigError(f"The file {path} does not exist ({flag}).")
        files.extend(found)
    return files


def read_image(path: str, mode: str = "L") -> np.ndarray:
    """The image file at `path` as uint8 array: [h, w] for mode "L" (grey), [h, w, 3] for "RGB".

    Raises:
        ValueError: naming the file, when Pillow cannot open or decode it (missing, truncated,
            not an image, too large), so that a processor's error says which file to look at.
    """
    from PIL import Image  # only the scenarios that read files need it

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert(mode), dtype="uint8")
    except Exception as e:  # OSError, UnidentifiedImageError, DecompressionBombError, ...
        raise ValueError(f"{path}: cannot decode the image ({type(e).__name__}: {e})") from e
