"""Parsing experiment sheets: layouts, groups, options, empty cells, SKIP, and malformed sheets."""

import openpyxl
import pytest

from tfaip.experimenter import SheetError, read_sheet
from tfaip.experimenter.testing import store_formula_values, write_sheet


def test_groups_options_and_empty_cells_become_flags(tmp_path):
    path = write_sheet(
        tmp_path / "runs.xlsx",
        [("default", "optimizer"), ("trainer", "epochs"), (None, "samples_per_epoch"), ("model", "layers:split"),
         (None, "bias:empty"), ("default", "seed")],
        [dict(ID=1, SCRIPT="tfaip-train tutorial.min", values=["Adam", 3, 1000, "8 16 32", None, 7]),
         dict(ID=2, SCRIPT="tfaip-train 'my scenario'", values=[None, 2.0, None, 4, "yes", None])],
    )  # fmt: skip
    sheet = read_sheet(path)
    assert sheet.title == "runs"
    assert [p.flag for p in sheet.parameters] == [
        "--optimizer", "--trainer.epochs", "--trainer.samples_per_epoch", "--model.layers", "--model.bias", "--seed",
    ]  # fmt: skip
    first, second = sheet.experiments
    assert first.script == ["tfaip-train", "tutorial.min"]
    assert first.arguments() == [
        "--optimizer", "Adam", "--trainer.epochs", "3", "--trainer.samples_per_epoch", "1000",
        "--model.layers", "8", "16", "32", "--model.bias", "--seed", "7",
    ]  # fmt: skip
    assert second.script == ["tfaip-train", "my scenario"]
    assert second.arguments() == ["--trainer.epochs", "2", "--model.layers", "4", "--model.bias", "yes"]


def test_ids_skip_cleanup_and_empty_rows(tmp_path):
    path = write_sheet(
        tmp_path / "runs.xlsx",
        [("trainer", "epochs")],
        [dict(ID=1.0, SCRIPT="tfaip-train a", SKIP="x"), dict(), dict(ID="b-2", SCRIPT="tfaip-train a", SKIP=0,
         CLEANUP=True), dict(ID=10, SCRIPT="tfaip-train a", SKIP=False, CLEANUP="no", USER="note", RESULT="0.9")],
    )  # fmt: skip
    experiments = read_sheet(path).experiments
    assert [(e.id, e.row, e.skip, e.cleanup) for e in experiments] == [
        ("1", 4, True, False), ("b-2", 6, False, True), ("10", 7, False, False),
    ]  # fmt: skip


def test_the_original_command_and_scenario_layout(tmp_path):
    path = write_sheet(
        tmp_path / "runs.xlsx", [("trainer", "epochs")],
        [dict(ID=1, COMMAND="tfaip-train", SCENARIO="tutorial.min", values=[2])],
        markers=["USER", "RESULT", "SKIP", "COMMAND", "SCENARIO", "ID", "CLEANUP"],
    )  # fmt: skip
    (experiment,) = read_sheet(path).experiments
    assert experiment.script + experiment.arguments() == ["tfaip-train", "tutorial.min", "--trainer.epochs", "2"]


def test_value_of_a_parameter(tmp_path):
    path = write_sheet(tmp_path / "r.xlsx", [("trainer", "output_dir"), (None, "epochs")],
                       [dict(ID=1, SCRIPT="s", values=["out/1", 0.5])])  # fmt: skip
    (experiment,) = read_sheet(path).experiments
    assert experiment.value("trainer.output_dir") == "out/1"
    assert experiment.value("trainer.epochs") == "0.5"
    assert experiment.value("trainer.lr") is None


def _cell_error(path) -> str:
    with pytest.raises(SheetError) as info:
        read_sheet(path)
    return str(info.value)


@pytest.mark.parametrize("missing", ["SKIP", "SCRIPT", "ID", "CLEANUP"])
def test_a_missing_required_column_is_named(tmp_path, missing):
    markers = [m for m in ["USER", "RESULT", "SKIP", "SCRIPT", "ID", "CLEANUP"] if m != missing]
    path = write_sheet(tmp_path / "r.xlsx", [("trainer", "epochs")], [dict(ID=1, SCRIPT="s")], markers=markers)
    message = _cell_error(path)
    assert f"row 1: has no {missing} column" in message and "r.xlsx, sheet 'runs'" in message


def test_a_missing_params_column_is_named(tmp_path):
    workbook = openpyxl.Workbook()
    for row in (["SKIP", "SCRIPT", "ID", "CLEANUP"], [], [], [None, "s", 1]):
        workbook.active.append(row)
    workbook.save(tmp_path / "r.xlsx")
    assert "has no PARAMS column" in _cell_error(tmp_path / "r.xlsx")


def test_a_duplicate_id_names_both_cells(tmp_path):
    path = write_sheet(tmp_path / "r.xlsx", [("trainer", "epochs")],
                       [dict(ID=1, SCRIPT="s"), dict(ID=2, SCRIPT="s"), dict(ID=1.0, SCRIPT="s")])  # fmt: skip
    assert _cell_error(path).endswith("cell E6: ID 1 repeats the ID of cell E4.")


def test_a_formula_without_a_stored_value_is_refused_with_its_cell(tmp_path):
    path = write_sheet(tmp_path / "r.xlsx", [("trainer", "epochs")],
                       [dict(ID=1, SCRIPT="s", values=["=2*3"])])  # fmt: skip
    assert "cell G4: holds the formula '=2*3' without a stored value" in _cell_error(path)


def test_formulas_count_with_the_values_the_workbook_stored(tmp_path):
    # the original's example sheets store CLEANUP as =TRUE() (with its value, as spreadsheet programs save it)
    path = write_sheet(tmp_path / "r.xlsx", [("trainer", "epochs"), ("trainer", "output_dir")],
                       [dict(ID=1, SCRIPT="s", CLEANUP="=TRUE()", values=["=2*3", '=CONCAT("a","b")']),
                        dict(ID=2, SCRIPT="s", CLEANUP="=FALSE()")])  # fmt: skip
    store_formula_values(path, {"F4": True, "G4": 6, "H4": "ab", "F5": False})
    first, second = read_sheet(path).experiments
    assert first.cleanup and not second.cleanup
    assert first.arguments() == ["--trainer.epochs", "6", "--trainer.output_dir", "ab"]


@pytest.mark.parametrize(
    "params, run, message",
    [
        ([("trainer", "epochs:splitt")], dict(ID=1, SCRIPT="s"), "cell G3: unknown option ':splitt'"),
        ([("trainer", "--epochs")], dict(ID=1, SCRIPT="s"), "cell G3: '--epochs' names no parameter"),
        ([("trainer", "epochs"), (None, "epochs")], dict(ID=1, SCRIPT="s"), "cell H3: --trainer.epochs is already"),
        ([("trainer", "epochs"), (None, None)], dict(ID=1, SCRIPT="s", values=[1, 2]), "cell H4: holds a value, but"),
        ([("trainer", "epochs")], dict(SCRIPT="s", values=[1]), "cell E4: the ID is empty"),
        ([("trainer", "epochs")], dict(ID="../x", SCRIPT="s"), "cell E4: the ID '../x' cannot name a directory"),
        ([("trainer", "epochs")], dict(ID=1, values=[1]), "cell D4: the script of run 1 is empty"),
        ([("trainer", "epochs")], dict(ID=1, SCRIPT="tfaip-train 'open"), "cell D4: cannot split"),
    ],
)
def test_malformed_cells_are_named(tmp_path, params, run, message):
    path = write_sheet(tmp_path / "r.xlsx", params, [run])
    assert message in _cell_error(path)


def test_a_file_that_is_no_workbook(tmp_path):
    (tmp_path / "r.xlsx").write_text("not a zip")
    assert "is no readable xlsx workbook" in _cell_error(tmp_path / "r.xlsx")
    assert "no such file" in _cell_error(tmp_path / "missing.xlsx")
