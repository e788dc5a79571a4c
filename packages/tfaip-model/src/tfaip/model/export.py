"""Writing exports: SavedModels with a named serving signature, into directories that appear atomically.

Reload an exported graph without any tfaip code:

    >>> loaded = tf.saved_model.load("model/export/serve")
    >>> outputs = loaded.serve({"img": images})                       # dict name -> tensor
    >>> outputs = loaded.signatures["serving_default"](img=images)    # the same, as a TF signature
"""

import contextlib
import os
import shutil
import tempfile
from typing import Iterator

import keras
import tensorflow as tf


@contextlib.contextmanager
def atomic_directory(path: str, overwrite: bool = False) -> Iterator[str]:
    """Yield a temporary directory beside `path` that is renamed to `path` when the block succeeds.

    On an exception the temporary directory is removed and `path` is untouched.

    Args:
        path: the final directory; it must not exist or be empty unless `overwrite`.
        overwrite: replace an existing non-empty `path` (the old one is removed after the swap).
    """
    path = os.path.abspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise FileExistsError(f"Cannot export to {path}: it is a file. Choose a directory path.")
    if os.path.isdir(path) and os.listdir(path) and not overwrite:
        raise FileExistsError(
            f"Cannot export to {path}: the directory exists and is not empty. Choose a new directory, empty it, "
            "or pass overwrite=True to replace it."
        )
    parent, name = os.path.split(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=parent)
    try:
        yield tmp
        if os.path.isdir(path) and os.listdir(path):
            old = tempfile.mkdtemp(prefix=f".{name}.", suffix=".old", dir=parent)
            os.rename(path, os.path.join(old, name))
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)  # replaces an empty directory
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_saved_model(model: keras.Model, path: str) -> None:
    """Write `model` as a SavedModel with the endpoint `serve` and the signature `serving_default`.

    Inputs and outputs are named by the model's input names and output dict keys.
    """
    signature = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype, name=t.name), model.input)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda inputs: model(inputs, training=False), input_signature=[signature])
    archive.write_out(path, verbose=False)
