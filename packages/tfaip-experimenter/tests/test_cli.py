"""`tfaip-experimenter` as a user types it: help without TensorFlow, bad input exits 2 with one line, dry runs."""

import subprocess
import sys
from pathlib import Path

import pytest

from tfaip.experimenter.testing import write_sheet

EXPERIMENTER = str(Path(sys.executable).parent / "tfaip-experimenter")


def experimenter(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([EXPERIMENTER, *map(str, args)], capture_output=True, text=True, timeout=120, **kwargs)


def test_importing_and_help_load_no_tensorflow_and_no_training_code():
    code = (
        "import sys, tfaip.experimenter, tfaip.experimenter.cli\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'tfaip.train', 'tfaip.model', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    help_text = experimenter("--help").stdout
    for flag in ("--xlsx", "--gpus", "--cpus", "--python", "--output_dir", "--update", "--dry_run", "--dry-run"):
        assert flag in help_text


@pytest.fixture
def sheet(tmp_path):
    return write_sheet(tmp_path / "runs.xlsx", [("trainer", "epochs"), ("default", "optimizer")],
                       [dict(ID=1, SCRIPT="tfaip-train tutorial.min", values=[3, "Adam"]),
                        dict(ID=2, SCRIPT="tfaip-train tutorial.min", values=[1]),
                        dict(ID=3, SCRIPT="tfaip-train tutorial.min", SKIP="x")])  # fmt: skip


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cpus", "0"], "the following arguments are required: --xlsx"),
        (["--xlsx", "{sheet}"], "no slots to run on: give --gpus"),
        (["--xlsx", "{sheet}", "--gpus", "0", "--cpus", "0"], "not both"),
        (["--xlsx", "{dir}/missing.xlsx", "--cpus", "0"], "missing.xlsx: no such file"),
        (["--xlsx", "{sheet}", "--cpus", "0", "--python", "{dir}/no/python"], "no/python: no such executable"),
        (["--xlsx", "{sheet}", "--cpus", "0", "--python", "{dir}/env/python"], "tfaip-train is installed neither"),
        (["--xlsx", "{sheet}", "--gpus", "x"], "--gpus x: a GPU slot is the GPU's index"),
        (["--xlsx", "{sheet}", "--cpus", "0", "--grace", "soon"], "argument --grace: invalid float value"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_starts_nothing(sheet, args, message):
    args = [a.format(sheet=sheet, dir=sheet.parent) for a in args]
    (sheet.parent / "env").mkdir()
    (sheet.parent / "env" / "python").symlink_to(sys.executable)  # a python without tfaip-train beside it
    no_scripts_on_path = {"PATH": str(sheet.parent), "HOME": str(sheet.parent)}  # tfaip-train: only next to python
    result = experimenter(*args, env=no_scripts_on_path)
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert not (sheet.parent / "runs").exists()


def test_a_formula_without_a_stored_value_is_named_on_the_command_line(tmp_path):
    path = write_sheet(tmp_path / "runs.xlsx", [("trainer", "epochs")], [dict(ID=1, SCRIPT="s", values=["=1+1"])])
    result = experimenter("--xlsx", path, "--cpus", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"tfaip-experimenter: error: {path}, sheet 'runs', cell G4: holds the formula '=1+1' without a stored value "
        "(the program that saved the workbook last does not calculate, as openpyxl and tfaip-experimenter --update). "
        "Open and save it in a spreadsheet program, or write the value itself."
    ]


def test_dry_run_prints_the_commands_and_runs_nothing(sheet):
    result = experimenter("--xlsx", sheet, "--dry-run", cwd=sheet.parent)
    assert result.returncode == 0, result.stderr
    out = sheet.parent / "runs"
    lines = result.stdout.splitlines()
    assert lines[1:] == [
        f"run 1 (start): tfaip-train tutorial.min --trainer.epochs 3 --optimizer Adam --trainer.output_dir {out / '1'}",
        f"run 2 (start): tfaip-train tutorial.min --trainer.epochs 1 --trainer.output_dir {out / '2'}",
        f"run 3 (skip: SKIP is set): tfaip-train tutorial.min --trainer.output_dir {out / '3'}",
    ]
    assert not out.exists()
