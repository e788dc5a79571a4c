"""Reading image files for the scenarios' processors: one place that decodes and names a bad file."""

import numpy as np


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
