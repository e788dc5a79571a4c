"""Reading an experiment sheet: the first worksheet of an xlsx workbook, laid out as in the reference docs.

Row 1 marks the columns: USER and RESULT (optional, free text), SKIP, SCRIPT, ID, CLEANUP and PARAMS
(required). The real sheets of the original tfaip had COMMAND and SCENARIO instead of SCRIPT; that
layout is read too, SCENARIO becoming the script's positional argument. From the PARAMS column on,
every column is a parameter: row 2 holds its group (`default`, a group name, or empty to keep the
group of the column to its left), row 3 its name with the options `:split` and `:empty`. Every row
below is one run.
"""

import shlex
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from tfaip.experimenter.parameter import DEFAULT_GROUP, Parameter, format_value, is_empty, is_set, parse_parameter

REQUIRED = ("SKIP", "ID", "CLEANUP", "PARAMS")
KNOWN = ("USER", "RESULT", "SKIP", "SCRIPT", "COMMAND", "SCENARIO", "ID", "CLEANUP", "PARAMS")
FIRST_RUN_ROW = 4


class SheetError(ValueError):
    """A malformed sheet; the message names the workbook, the worksheet and the cell."""


@dataclass
class Experiment:
    """One row of the sheet: a run of `script` with the row's parameter arguments.

    Args:
        id: The run's ID (whole numbers without `.0`); its output dir is named after it.
        row: The row number in the sheet.
        script: The SCRIPT cell split like a shell would (plus SCENARIO in the COMMAND layout),
            e.g. `["tfaip-train", "tutorial.min"]`.
        params: Each parameter column with this row's cell value.
        skip: The SKIP cell is set.
        cleanup: The CLEANUP cell is set.
    """

    id: str
    row: int
    script: List[str]
    params: List[Tuple[Parameter, Any]] = field(default_factory=list)
    skip: bool = False
    cleanup: bool = False

    def arguments(self) -> List[str]:
        """The parameter arguments, column by column, e.g. `["--trainer.epochs", "3"]`."""
        return [arg for parameter, value in self.params for arg in parameter.to_args(value)]

    def value(self, label: str) -> Optional[str]:
        """The text of the parameter `label` (e.g. `trainer.output_dir`), None where it is empty or absent."""
        for parameter, value in self.params:
            if parameter.label == label and not is_empty(value):
                return format_value(value)
        return None


@dataclass
class ExperimentSheet:
    """A parsed sheet: its parameter columns and its runs (skipped ones included)."""

    path: Path
    title: str
    parameters: List[Parameter]
    experiments: List[Experiment]


def read_sheet(path: "str | Path") -> ExperimentSheet:
    """Parse the first worksheet of the xlsx workbook at `path`.

    Example:
        >>> sheet = read_sheet("runs.xlsx")  # doctest: +SKIP
        >>> [(e.id, e.script + e.arguments()) for e in sheet.experiments if not e.skip]  # doctest: +SKIP
        [('1', ['tfaip-train', 'tutorial.min', '--trainer.epochs', '3'])]

    Raises:
        SheetError: for a missing or unreadable file, a formula without a stored value, a missing
            required column, a duplicate ID or a malformed cell, naming the cell.
    """
    path = Path(path)
    worksheet, formulas = _open_first_worksheet(path)
    where = f"{path}, sheet '{worksheet.title}'"
    rows = [list(row) for row in worksheet.iter_rows()]
    for row in rows:
        for cell in row:
            if cell.coordinate in formulas and cell.value is None:
                raise SheetError(
                    f"{where}, cell {cell.coordinate}: holds the formula '{formulas[cell.coordinate]}' without a "
                    "stored value (the program that saved the workbook last does not calculate, as openpyxl and "
                    "tfaip-experimenter --update). Open and save it in a spreadsheet program, or write the value "
                    "itself."
                )
    columns = _header(rows, where)
    parameters = _parameters(rows, columns["PARAMS"], where)
    experiments: List[Experiment] = []
    seen: Dict[str, str] = {}
    for row in rows[FIRST_RUN_ROW - 1 :]:
        if all(is_empty(cell.value) for cell in row):
            continue
        experiment = _experiment(row, columns, parameters, where)
        id_cell = row[columns["ID"]].coordinate
        if experiment.id in seen:
            raise SheetError(
                f"{where}, cell {id_cell}: ID {experiment.id} repeats the ID of cell {seen[experiment.id]}."
            )
        seen[experiment.id] = id_cell
        experiments.append(experiment)
    return ExperimentSheet(path, worksheet.title, [p for p in parameters if p is not None], experiments)


def _open_first_worksheet(path: Path) -> Tuple[Any, Dict[str, str]]:
    """The first worksheet, showing a formula's value as the workbook stored it, and each formula by coordinate."""
    # openpyxl takes about half a second to import (it imports numpy); only opening a workbook needs it
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise SheetError(f"{path}: no such file; pass the experiment sheet with --xlsx.")
    try:
        with_formulas = openpyxl.load_workbook(path).worksheets[0]
        with_values = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise SheetError(f"{path}: is no readable xlsx workbook ({e}).") from e
    formulas = {
        cell.coordinate: cell.value for row in with_formulas.iter_rows() for cell in row if cell.data_type == "f"
    }
    return with_values, formulas


def _header(rows: List[List[Any]], where: str) -> Dict[str, int]:
    """Column index of each marker of row 1 (SCRIPT also for the COMMAND layout)."""
    if len(rows) < 3:
        raise SheetError(
            f"{where}: has {len(rows)} rows; it needs the markers (row 1), groups (row 2) and names (row 3)."
        )
    columns: Dict[str, int] = {}
    for i, cell in enumerate(rows[0]):
        name = "" if is_empty(cell.value) else str(cell.value).strip().upper()
        if name not in KNOWN:
            continue
        if name in columns:
            raise SheetError(
                f"{where}, cell {cell.coordinate}: a second {name} column "
                f"(the first is {rows[0][columns[name]].coordinate})."
            )
        columns[name] = i
    script = "COMMAND" if "COMMAND" in columns else "SCRIPT"
    for name in (*REQUIRED, script):
        if name not in columns:
            found = ", ".join(str(c.value) for c in rows[0] if not is_empty(c.value)) or "nothing"
            raise SheetError(
                f"{where}, row 1: has no {name} column. Row 1 needs SKIP, SCRIPT, ID, CLEANUP and PARAMS "
                f"(USER and RESULT are optional); found {found}."
            )
    if "COMMAND" in columns and "SCRIPT" in columns:
        raise SheetError(f"{where}, row 1: has both SCRIPT and COMMAND columns; keep one of them.")
    columns["SCRIPT"] = columns[script]
    for name in ("SKIP", "SCRIPT", "ID", "CLEANUP", "SCENARIO"):
        if columns.get(name, -1) > columns["PARAMS"]:
            raise SheetError(f"{where}, cell {rows[0][columns[name]].coordinate}: {name} must stand left of PARAMS.")
    return columns


def _parameters(rows: List[List[Any]], first: int, where: str) -> List[Optional[Parameter]]:
    """The parameter of each column from `first` on (None for a column without a name)."""
    parameters: List[Optional[Parameter]] = [None] * first
    group: Optional[str] = None
    flags: Dict[str, str] = {}
    for i in range(first, len(rows[0])):
        group_cell, name_cell = rows[1][i], rows[2][i]
        if not is_empty(group_cell.value):
            text = str(group_cell.value).strip()
            group = None if text.lower() == DEFAULT_GROUP else text
        if is_empty(name_cell.value):
            parameters.append(None)
            continue
        try:
            parameter = parse_parameter(str(name_cell.value), group)
        except ValueError as e:
            raise SheetError(f"{where}, cell {name_cell.coordinate}: {e}") from None
        if parameter.flag in flags:
            raise SheetError(
                f"{where}, cell {name_cell.coordinate}: {parameter.flag} is already named by cell "
                f"{flags[parameter.flag]}."
            )
        flags[parameter.flag] = name_cell.coordinate
        parameters.append(parameter)
    return parameters


def _experiment(
    row: List[Any], columns: Dict[str, int], parameters: List[Optional[Parameter]], where: str
) -> Experiment:
    id_cell, script_cell = row[columns["ID"]], row[columns["SCRIPT"]]
    run_id = "" if is_empty(id_cell.value) else format_value(id_cell.value)
    if not run_id:
        raise SheetError(
            f"{where}, cell {id_cell.coordinate}: the ID is empty; every run needs one "
            "(its output dir is named after it)."
        )
    if run_id in (".", "..") or any(c in run_id for c in '/\\:*?"<>|') or run_id.startswith("-"):
        raise SheetError(
            f"{where}, cell {id_cell.coordinate}: the ID '{run_id}' cannot name a directory; use e.g. a running number."
        )
    try:
        script = shlex.split("" if is_empty(script_cell.value) else str(script_cell.value))
    except ValueError as e:
        raise SheetError(f"{where}, cell {script_cell.coordinate}: cannot split '{script_cell.value}' ({e}).") from None
    if not script:
        raise SheetError(
            f"{where}, cell {script_cell.coordinate}: the script of run {run_id} is empty; "
            "write e.g. tfaip-train tutorial.min."
        )
    if "SCENARIO" in columns and not is_empty(row[columns["SCENARIO"]].value):
        script.append(format_value(row[columns["SCENARIO"]].value))
    params = []
    for parameter, cell in zip(parameters, row):
        if parameter is not None:
            params.append((parameter, cell.value))
        elif cell.column - 1 >= columns["PARAMS"] and not is_empty(cell.value):
            raise SheetError(
                f"{where}, cell {cell.coordinate}: holds a value, but its column has no parameter name in row 3."
            )
    return Experiment(
        run_id,
        id_cell.row,
        script,
        params,
        skip=is_set(row[columns["SKIP"]].value),
        cleanup=is_set(row[columns["CLEANUP"]].value),
    )
