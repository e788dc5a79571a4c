"""The files tfaip writes: their names, and the one writer that writes each of them atomically.

`atomic_file` is the file writer of all tfaip packages (checkpoints, exports' JSON,
`trainer_params.json`, LAV reports, `tfaip-predict` output, the experimenter's records and
workbooks): readers see the old content or the new one, never a part of it.

    atomic_file(path) ── .NAME.<random>.partial beside path ── write, flush, fsync ──► os.replace(tmp, path)
                         (an existing path's mode is kept)      an error: tmp removed, path untouched

The names below are what users see on disk; every reader and writer takes them from here
(`tfaip.model` exports them). Only the standard library: the console scripts' command-line
checks and the experimenter use this module before (or without) TensorFlow.

    OUTPUT_DIR/trainer_params.json      TRAINER_PARAMS_FILE: the params of a training run (also in best/, checkpoint/)
    EXPORT_DIR/scenario_params.json     SCENARIO_PARAMS_FILE: the params that rebuild the scenario
    EXPORT_DIR/serve/                   SERVE_DIR: the SavedModel of the "default" export graph
    EXPORT_DIR/additional/<label>/      ADDITIONAL_SERVE_DIR: the SavedModels of the other export graphs
    EXPORT_DIR/model.tflite             LITERT_FILE: the "default" graph as LiteRT (--scenario.export_formats litert)
    EXPORT_DIR/model.onnx               ONNX_FILE: the "default" graph as ONNX (--scenario.export_formats onnx)
    EXPORT_DIR/deploy.json              DEPLOY_FILE: what prediction without TensorFlow needs (formats, data classes)
    EXPORT_DIR/voter.pkl                VOTER_FILE: the scenario's voter, for voting without TensorFlow
"""

import contextlib
import json
import os
import secrets
import stat
from typing import IO, Any, Iterator, Union

PathLike = Union[str, "os.PathLike[str]"]

SCENARIO_PARAMS_FILE = "scenario_params.json"
TRAINER_PARAMS_FILE = "trainer_params.json"
SERVE_DIR = "serve"
ADDITIONAL_SERVE_DIR = "additional"
LITERT_FILE = "model.tflite"
ONNX_FILE = "model.onnx"
DEPLOY_FILE = "deploy.json"
VOTER_FILE = "voter.pkl"


@contextlib.contextmanager
def atomic_file(path: PathLike, mode: str = "w", encoding: str = "utf-8", newline: Any = None) -> Iterator[IO]:
    """An open temporary file beside `path`, synced to disk and renamed over `path` when the block succeeds.

    A new file gets the mode `open` would give it (0o666 less the umask), a replaced file keeps
    its mode. An error in the block (or in the rename) removes the temporary file and leaves `path`
    as it was. Missing parent directories are created. Nested blocks commit the inner file first.

    Args:
        path: the file to write.
        mode: "w" (text, the default) or "wb" (bytes).
        encoding: the text encoding (default "utf-8"; ignored for "wb").
        newline: as for `open` (default None; `csv` writers want "").

    Example:
        >>> with atomic_file("results.csv", newline="") as f:  # doctest: +SKIP
        ...     csv.writer(f).writerows(rows)
        >>> with atomic_file("variables.npz", "wb") as f:  # doctest: +SKIP
        ...     np.savez(f, **arrays)
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_file: mode must be 'w' or 'wb', got {mode!r}.")
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = _create_temporary(directory, name)
    try:
        text = {} if mode == "wb" else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **text) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    _sync_directory(directory)


def write_atomically(path: PathLike, data: Union[str, bytes], encoding: str = "utf-8") -> None:
    """Write `data` (text or bytes) to `path` atomically (see `atomic_file`)."""
    with atomic_file(path, "wb" if isinstance(data, bytes) else "w", encoding=encoding) as f:
        f.write(data)


def write_json_atomically(path: PathLike, value: Any, indent: int = 2) -> None:
    """Write `value` as JSON to `path` atomically; a value that is no JSON leaves `path` untouched."""
    write_atomically(path, json.dumps(value, indent=indent))


def _create_temporary(directory: str, name: str):
    """A new file `.NAME.<random>.partial` in `directory`, created with mode 0o666 less the umask, like `open`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.partial")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"Could not create a temporary file for {name} in {directory}.")


def _sync_directory(directory: str) -> None:
    """Make the rename durable: fsync the directory where the platform allows it (POSIX)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
