"""LAV's files for error analysis: a per-sample report (CSV or JSON lines) and a raw-prediction dump (.npz).

Both are written with `tfaip.data.util.files.atomic_file` (a temporary file beside the target,
renamed into place when LAV finishes), so a failed run leaves an earlier file untouched and no
partial one behind.
"""

import contextlib
import csv
import json
import os
import zipfile
from typing import IO, Any, Dict, Iterator, List, Optional

import numpy as np

from tfaip.data import Sample
from tfaip.data.util.files import atomic_file

_LIST_LIMIT = 16  # arrays up to this size are written as values, larger ones as a summary


def summarize(value: Any) -> Any:
    """A JSON-ready summary: small arrays as values, larger ones as shape / min / mean / max."""
    if isinstance(value, dict):
        return {k: summarize(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except ValueError:  # ragged lists
            return str(value)
    if value.dtype.kind in "SO":
        value = value.astype(str)
    if value.size <= _LIST_LIMIT:
        return value.tolist()
    if value.dtype.kind in "biuf":
        return {
            "shape": list(value.shape),
            "min": float(value.min()),
            "mean": float(value.mean()),
            "max": float(value.max()),
        }
    return {"shape": list(value.shape), "first": value.reshape(-1)[:_LIST_LIMIT].tolist()}


def report_row(index: int, sample: Sample, values: Dict[str, float]) -> Dict[str, Any]:
    """One report line: id, targets, outputs and the sample's own values."""
    meta = sample.meta if isinstance(sample.meta, dict) else {}
    return {
        "id": meta.get("id", index),
        "targets": summarize(sample.targets) if sample.targets is not None else None,
        "outputs": summarize(sample.outputs),
        "values": {k: float(v) for k, v in values.items()},
    }


def _flat(row: Dict[str, Any]) -> Dict[str, Any]:
    flat = {"id": row["id"]}
    for group, prefix in (("targets", "target."), ("outputs", "output."), ("values", "")):
        for key, value in (row[group] or {}).items():
            flat[prefix + key] = value if isinstance(value, (int, float, str)) else json.dumps(value)
    return flat


class SampleReport:
    """Writes one row per evaluated sample to a .csv (one column per key) or .jsonl file."""

    def __init__(self, f: IO, path: str):
        self._f = f
        self._csv = path.endswith(".csv")
        self._writer: Optional[csv.DictWriter] = None

    def write(self, row: Dict[str, Any]) -> None:
        """Append a row made by `report_row`."""
        if not self._csv:
            self._f.write(json.dumps(row) + "\n")
            return
        flat = _flat(row)
        if self._writer is None:  # the columns of the first row (later rows share the keys)
            self._writer = csv.DictWriter(self._f, fieldnames=list(flat), restval="", extrasaction="ignore")
            self._writer.writeheader()
        self._writer.writerow(flat)


class RawDump:
    """Writes named arrays of each sample into an .npz file (read it with `np.load`), without pickle.

    Entry names are `<index>/<name>`, e.g. `17/outputs/logits`; `ids` lists the sample ids.
    """

    def __init__(self, f: IO):
        self._zip = zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self._ids: List[str] = []

    def add(self, index: int, sample_id: Any, arrays: Dict[str, Any]) -> None:
        """Store the arrays of the sample at `index`."""
        self._ids.append(str(sample_id))
        for name, array in arrays.items():
            self._write(f"{index}/{name}", np.asarray(array))

    def _write(self, name: str, array: np.ndarray) -> None:
        if array.dtype.hasobject:
            array = array.astype(str)
        with self._zip.open(name + ".npy", mode="w", force_zip64=True) as entry:
            np.lib.format.write_array(entry, array, allow_pickle=False)

    def abort(self) -> None:
        """Close the archive without the ids (the file is discarded)."""
        self._zip.close()

    def close(self) -> None:
        """Write the ids and finish the archive."""
        self._write("ids", np.asarray(self._ids, dtype=str))
        self._zip.close()


@contextlib.contextmanager
def optional_report(path: Optional[str]) -> Iterator[Optional[SampleReport]]:
    """A SampleReport writing atomically to `path`, or None without a path."""
    if path is None:
        yield None
        return
    with atomic_file(path, newline="") as f:
        yield SampleReport(f, path)


@contextlib.contextmanager
def optional_dump(path: Optional[str]) -> Iterator[Optional[RawDump]]:
    """A RawDump writing atomically to `path`, or None without a path."""
    if path is None:
        yield None
        return
    with atomic_file(path, "wb") as f:
        dump = RawDump(f)
        try:
            yield dump
        except BaseException:
            with contextlib.suppress(Exception):
                dump.abort()
            raise
        dump.close()


def numbered(path: Optional[str], index: int, count: int) -> Optional[str]:
    """`path` for the only LAV dataset, else `name_<index+1>.ext` for each of several."""
    if path is None or count <= 1:
        return path
    root, ext = os.path.splitext(path)
    return f"{root}_{index + 1}{ext}"
