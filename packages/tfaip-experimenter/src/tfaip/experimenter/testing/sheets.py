"""Builds experiment sheets with openpyxl, in the layout of the reference docs (or the original's COMMAND one)."""

import re
import zipfile
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
    """Write a sheet to `path` with `params` as (group, label) columns and one row per run dict.

    A run dict holds its marker columns by name (`SCRIPT`, `ID`, `SKIP`, ...) and `values`, the
    parameter cells.
    """
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


def store_formula_values(path: Path, values: Dict[str, Any]) -> Path:
    """Store the value of each formula cell (coordinate -> value) in the workbook, as a spreadsheet program does.

    openpyxl writes formulas without their values (`<f>TRUE()</f><v />`); this fills the `<v>`.
    """
    with zipfile.ZipFile(path) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = entries[name].decode("utf-8")
    for coordinate, value in values.items():
        kind, text = ("b", str(int(value))) if isinstance(value, bool) else ("n", str(value))
        if isinstance(value, str):
            kind, text = "str", value
        xml, count = re.subn(
            rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v\s*/>',
            rf'<c r="{coordinate}"\1 t="{kind}"><f>\2</f><v>{text}</v>',
            xml,
        )
        assert count == 1, f"no formula cell {coordinate} in {name}"
    entries[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry, data in entries.items():
            target.writestr(entry, data)
    return path
