"""Builds experiment sheets with openpyxl, in the layout of the reference docs (or the original's COMMAND one)."""

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import openpyxl

FAKE_RUN = Path(__file__).resolve().parent / "fake_run.py"
MARKERS = ["USER", "RESULT", "SKIP", "SCRIPT", "ID", "CLEANUP"]


def write_sheet(
    path: Path,
    params: Sequence[Tuple[Optional[str], str]],
    runs: Sequence[Dict[str, Any]],
    markers: Sequence[str] = MARKERS,
) -> Path:
    """A sheet with `params` as (group, label) columns and one row per run dict: its marker columns by name
    (`SCRIPT`, `ID`, `SKIP`, ...) and `values`, the parameter cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "runs"
    n = len(params)
    rows: List[List[Any]] = [
        [*markers, "PARAMS", *[None] * (n - 1)],
        [*[None] * len(markers), *(group for group, _ in params)],
        [*[None] * len(markers), *(label for _, label in params)],
    ]
    for run in runs:
        values = list(run.get("values", []))
        rows.append([run.get(marker) for marker in markers] + values + [None] * (n - len(values)))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def fake_script(*args: str) -> str:
    """The SCRIPT cell that runs the fake training script (with `args` before the parameters)."""
    return " ".join([str(FAKE_RUN), *args])
