"""`--update`: the results sheet and CSV, written atomically."""

import csv
import os
from pathlib import Path

import openpyxl
import pytest

from tfaip.experimenter import ResultsError, XLSXExperimenter, collect_results, read_record, read_sheet
from tfaip.experimenter.testing import fake_script, write_sheet


def _sheet_rows(path: Path, title: str):
    return [list(row) for row in openpyxl.load_workbook(path)[title].iter_rows(values_only=True)]


def _run_fake_sheet(tmp_path):
    runs = [dict(ID=1, SCRIPT=fake_script(), values=[2, "a b"]), dict(ID=2, SCRIPT=fake_script(), values=[3, None]),
            dict(ID=3, SCRIPT=fake_script(), SKIP="x", values=[1, None])]  # fmt: skip
    path = write_sheet(tmp_path / "runs.xlsx", [("default", "epochs"), ("data", "lists:split")], runs)
    assert XLSXExperimenter(path, cpus=["0", "1"], update=True).run() == 0
    return path


def test_update_adds_a_results_sheet_and_a_csv(tmp_path):
    path = _run_fake_sheet(tmp_path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "runs" and len(workbook.sheetnames) == 2
    title = workbook.sheetnames[1]
    assert title.startswith("results ") and title.endswith(")")
    rows = _sheet_rows(path, title)
    assert rows == [
        ["ID", "state", "epoch", "epochs", "data.lists", "acc", "loss"],
        [1, "finished", 2, 2, "a b", 0.52, 0.5],
        [2, "finished", 3, 3, None, 0.53, 0.3333],
        [3, "skipped", None, 1, None, None, None],
    ]
    (csv_path,) = tmp_path.glob("runs results *.csv")
    with open(csv_path, newline="") as f:
        assert list(csv.reader(f))[1] == ["1", "finished", "2", "2", "a b", "0.52", "0.5"]
    assert _sheet_rows(path, "runs")[3][:5] == [None, None, None, fake_script(), 1]  # the runs sheet is unchanged

    XLSXExperimenter(path, update=True).run()  # a second update adds a second sheet
    assert len(openpyxl.load_workbook(path).sheetnames) == 3


def test_results_come_from_the_last_launch_only(tmp_path):
    path = _run_fake_sheet(tmp_path)
    run_dir = tmp_path / "runs" / "1"
    record = read_record(run_dir)
    (run_dir / "train.log").write_text("Results of epoch 7: loss: 9.0000\n")  # an older attempt's train.log
    os.utime(run_dir / "train.log", (record.started - 60, record.started - 60))
    with open(run_dir / "experimenter.log", "a") as f:  # a restart that failed before its first epoch
        f.write("# tfaip-experimenter 2026-11-24 10:00:00 on cpu 0: fake_run.py\nValueError: bad flag\n")
    _, rows = collect_results(read_sheet(path), XLSXExperimenter(path, update=True).plan())
    assert rows[0][:3] == [1, "finished", None] and rows[0][-2:] == [None, None]
    os.utime(run_dir / "train.log")  # written by the last launch (a resume appends to it): it counts
    _, rows = collect_results(read_sheet(path), XLSXExperimenter(path, update=True).plan())
    assert rows[0][2] == 7 and rows[0][-1] == 9.0


def test_a_failing_update_leaves_the_workbook_as_it_was(tmp_path, monkeypatch):
    path = _run_fake_sheet(tmp_path)
    before = path.read_bytes()
    files = sorted(os.listdir(tmp_path))

    def save_half_and_fail(self, file):
        file.write(b"PK half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", save_half_and_fail)
    with pytest.raises(ResultsError, match=r"could not add the results to .*runs.xlsx \(disk full\); the workbook is"):
        XLSXExperimenter(path, update=True).run()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == files  # no temp file, no new CSV
