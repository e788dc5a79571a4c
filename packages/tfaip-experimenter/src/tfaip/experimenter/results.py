"""`--update`: the last epoch's losses and metrics of every run, as a new sheet of the workbook and a CSV beside it.

Both files are written to temp files first and renamed into place (`atomic_file`), so an error leaves the
workbook as it was.
"""

import csv
import datetime
import io
from pathlib import Path
from typing import Any, List, Sequence, Tuple

from tfaip.experimenter.epochs import EpochProgress, LogFollower, read_progress
from tfaip.experimenter.plan import Launch
from tfaip.experimenter.record import LOG_FILE, LOG_HEADER, RunState
from tfaip.experimenter.sheet import ExperimentSheet

Table = Tuple[List[str], List[List[Any]]]


class ResultsError(RuntimeError):
    """The results could not be written; the workbook is unchanged."""


def collect_results(sheet: ExperimentSheet, launches: Sequence[Launch]) -> Table:
    """A header and one row per run: ID, state, epoch, the row's parameters, the last epoch's values.

    The values come from the last `Results of epoch N:` line of the run's last launch: in its `train.log`,
    else in its `experimenter.log`. A run that never ran has empty values.
    """
    progresses = [_last_progress(launch) for launch in launches]
    metric_names = sorted({name for progress in progresses for name in progress.metrics})
    header = ["ID", "state", "epoch", *(p.label for p in sheet.parameters), *metric_names]
    rows = []
    for launch, progress in zip(launches, progresses):
        record = launch.record
        state = record.state.value if record else (RunState.SKIPPED.value if launch.experiment.skip else "not started")
        values = dict((p.label, v) for p, v in launch.experiment.params)
        rows.append([
            _id_value(launch.id), state, progress.done or None,
            *(_cell(values.get(p.label)) for p in sheet.parameters),
            *(progress.metrics.get(name) for name in metric_names),
        ])  # fmt: skip
    return header, rows


def write_results(xlsx: Path, table: Table, now: datetime.datetime) -> Tuple[str, Path]:
    """Add `table` to the workbook `xlsx` as sheet `results <date> (<time>)` and write it to a CSV beside it.

    Returns:
        The new sheet's title and the CSV's path.

    Raises:
        ResultsError: naming the cause; the workbook is then unchanged.
    """
    try:
        return _write_results(xlsx, table, now)
    except Exception as e:
        raise ResultsError(f"could not add the results to {xlsx} ({e}); the workbook is unchanged.") from e


def _write_results(xlsx: Path, table: Table, now: datetime.datetime) -> Tuple[str, Path]:
    import openpyxl  # see sheet._open_first_worksheet

    from tfaip.data.util.files import atomic_file  # imported here: tfaip.data loads numpy

    header, rows = table
    workbook = openpyxl.load_workbook(xlsx)
    title = base = f"results {now:%Y-%m-%d} ({now:%H-%M-%S})"
    suffix = 1
    while title in workbook.sheetnames:
        suffix += 1
        title = f"{base} {suffix}"
    worksheet = workbook.create_sheet(title)
    for row in [header, *rows]:
        worksheet.append(row)
    csv_path = xlsx.with_name(f"{xlsx.stem} {title}.csv")
    text = io.StringIO(newline="")
    csv.writer(text).writerows([header, *rows])
    with atomic_file(xlsx, "wb") as xlsx_file, atomic_file(csv_path, newline="") as csv_file:  # CSV first
        workbook.save(xlsx_file)
        csv_file.write(text.getvalue())
    return title, csv_path


def _last_progress(launch: Launch) -> EpochProgress:
    """The progress of the run's last launch.

    That is its train.log if the launch wrote it (a resume appends to it), else the part of experimenter.log
    that the launch wrote.
    """
    started = launch.record.started if launch.record else 0.0
    train_log = launch.output_dir / "train.log"
    try:
        if train_log.stat().st_mtime >= started:
            return read_progress(LogFollower(train_log).new_lines())
    except OSError:
        pass
    lines = LogFollower(launch.output_dir / LOG_FILE).new_lines()
    starts = [i for i, line in enumerate(lines) if line.startswith(LOG_HEADER)]
    return read_progress(lines[starts[-1] if starts else 0 :])


def _id_value(run_id: str) -> Any:
    return int(run_id) if run_id.isdigit() else run_id


def _cell(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str, bool, datetime.date)) else str(value)
