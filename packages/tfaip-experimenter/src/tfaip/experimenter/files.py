"""Writing a file so that readers see the old content or the new one, never a part."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temp file beside `path`, synced to disk and renamed over `path` when the block succeeds.

    An error in the block (or in the rename) removes the temp file and leaves `path` as it was. A file that
    replaces an existing one keeps that one's mode. Nested blocks commit the inner file first.

    Example:
        >>> with atomic_file(Path("state.json")) as f:  # doctest: +SKIP
        ...     f.write(b"{}")
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
