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

from tfaip.data import ConfigError


@contextlib.contextmanager
def atomic_directory(path: str, overwrite: bool = False) -> Iterator[str]:
    """Yield a temporary directory beside `path` that is renamed to `path` when the block succeeds.

    On an exception the temporary directory is removed and `path` is untouched.

    Args:
        path: the final directory; it must not exist or be empty unless `overwrite`.
        overwrite: replace an existing non-empty `path` (the old one is removed after the swap).
    """
    path = os.path.abspath(path)
    recover_directory(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ConfigError(f"Cannot export to {path}: it is a file. Choose a directory path.")
    if os.path.isdir(path) and os.listdir(path) and not overwrite:
        raise ConfigError(
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


def recover_directory(path: str) -> None:
    """Undo what a process killed inside `atomic_directory` left: restore a moved-aside old `path`, drop temp dirs.

    Replacing a directory takes two renames; a kill between them leaves the old directory
    under `.NAME.*.old/NAME`. This puts it back, so `path` is never lost.
    """
    path = os.path.abspath(path)
    parent, name = os.path.split(path)
    if not os.path.isdir(parent):
        return
    for entry in sorted(os.listdir(parent)):
        if not entry.startswith(f".{name}."):
            continue
        leftover = os.path.join(parent, entry)
        if entry.endswith(".old") and not os.path.exists(path) and os.path.isdir(os.path.join(leftover, name)):
            os.rename(os.path.join(leftover, name), path)
        if entry.endswith((".old", ".partial")):
            shutil.rmtree(leftover, ignore_errors=True)


def write_saved_model(model: keras.Model, path: str) -> None:
    """Write `model` as a SavedModel with the endpoint `serve` and the signature `serving_default`.

    Inputs and outputs are named by the model's input names and output dict keys.
    """
    signature = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype, name=t.name), model.input)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda inputs: model(inputs, training=False), input_signature=[signature])
    archive.write_out(path, verbose=False)
