"""`tfaip-new-scenario`: both templates train out of the box through `tfaip-train` and pass their own tests;
bad names and existing targets are refused with one line and nothing written."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfaip.data import ConfigError
from tfaip.data.testing import run_script
from tfaip.train.templates import TEMPLATES, class_prefix, render, write_scenario

BIN = Path(sys.executable).parent
WITHOUT_TENSORFLOW = """
import sys
for name in ("tensorflow", "keras", "tfaip.model"):
    sys.modules[name] = None  # as if not installed
from tfaip.serve.cli.predict import run
run()
"""
QUIET = ["--trainer.progress_bar", "False", "--train.num_processes", "1", "--val.num_processes", "1"]
TINY = {
    "general": ["--train_val.n_train", "64", "--train_val.n_val", "32"],
    # two training lists mixed 3:1, LAV on two lists (logged as lav_l0_*, lav_l1_*); the toy list files exist
    # once the defaults are made, before the lists are read
    "listfile": ["--trainer.samples_per_epoch", "64", "--val.limit", "32", "--train.list_ratios", "3", "1",
                 "--lav.lists", "toy_listfile/toy_data/val.lst",
                 "toy_listfile/toy_data/train_noisy.lst",
                 "--trainer.lav_every_n", "1"],
}  # fmt: skip


def script(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    assert path, f"{name} is not installed next to {sys.executable}"
    return path


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_new_scenario_trains_with_tfaip_train_and_passes_its_own_tests(tmp_path, template):
    name = f"toy_{template}"
    created = run(script("tfaip-new-scenario"), name, "--template", template, "--dir", tmp_path / "work", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    package = tmp_path / "work" / name
    assert f"Wrote {package}/ from the {template} template" in created.stdout
    assert f"tfaip-train {name} --trainer.epochs 5" in created.stdout and f"cd {tmp_path / 'work'}" in created.stdout
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py", "data.py", "graph.py", "model.py", "params.py", "scenario.py", "test_scenario.py", "toy_data.py"
    ]  # fmt: skip

    trained = run_script("tfaip-train", name, "--trainer.epochs", "1", "--trainer.output_dir", "model",
                         "--scenario.export_formats", "saved_model", "onnx", *QUIET, *TINY[template],
                         cwd=package.parent)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    log = (package.parent / "model" / "train.log").read_text()
    assert "Results of epoch 1: acc: " in log and "val_acc: " in log
    assert (package.parent / "model" / "export" / "serve").is_dir()
    if template == "listfile":
        assert "lav_l0_acc: " in log and "lav_l1_acc: " in log
        assert len((package / "toy_data" / "train_clean.lst").read_text().splitlines()) == 384

    tested = run(script("pytest"), "-q", "-p", "no:cacheprovider", package, cwd=package.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "2 passed" in tested.stdout

    # the export names its data by module path: importable from the package's directory, as for tfaip-train;
    # the package's data side needs no TensorFlow, so its ONNX model predicts where TensorFlow cannot be imported
    data = ["--data.n_val", "3"] if template == "general" else ["--data.lists", package / "toy_data" / "val.lst"]
    predicted = run(sys.executable, "-c", WITHOUT_TENSORFLOW, "--export_dir", "model/export", "--predict.backend",
                    "onnx", *data, cwd=package.parent)  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    assert "Prediction: " in predicted.stdout


def assert_one_error_line(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfaip-new-scenario: error: ") and message in lines[0], lines


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "the first argument must be the NAME of the new package, e.g. tfaip-new-scenario my_scenario."),
        (["2nd_try"], "'2nd_try' is no Python package name: use a letter, then letters, digits or _"),
        (["my-scenario"], "'my-scenario' is no Python package name"),
        (["my.scenario"], "'my.scenario' is no Python package name"),
        (["class"], "'class' is a Python keyword and cannot name a package"),
        (["json"], "'json' is the name of an installed module; choose another NAME, e.g. my_json."),
        (["numpy"], "'numpy' is the name of an installed module"),
        (["ok", "--template", "lists"], "argument --template: invalid choice: 'lists' (choose from 'general', "
                                        "'listfile')"),
        (["ok", "--templates", "general"], "unrecognized arguments: --templates general"),
    ],
)  # fmt: skip
def test_a_bad_name_or_flag_exits_2_with_one_line_and_writes_nothing(tmp_path, args, message):
    assert_one_error_line(run(script("tfaip-new-scenario"), *args, cwd=tmp_path), message)
    assert not list(tmp_path.iterdir())


def test_an_existing_target_is_refused_and_left_as_it_is(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("my own")
    result = run(script("tfaip-new-scenario"), "mine", "--template", "listfile", cwd=tmp_path)
    assert_one_error_line(result, "mine exists; choose another NAME or --dir (nothing was written).")
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="file exists"):
        write_scenario("file", directory=str(tmp_path))
    with pytest.raises(ConfigError, match="is no directory; pass a directory as --dir"):
        write_scenario("fresh", directory=str(tmp_path / "file"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine"]


def test_the_templates_name_the_package_and_its_classes():
    assert class_prefix("my_scenario") == "MyScenario" and class_prefix("ocr2") == "Ocr2"
    for template in TEMPLATES:
        files = render("my_scenario", template)
        assert "class MyScenarioScenario(" in files["scenario.py"]
        assert "class MyScenarioGraph(GraphBase[MyScenarioModelParams])" in files["graph.py"]
        assert all("$" not in text for text in files.values()), template  # every placeholder filled in
        assert "# Real data:" in files["data.py"] and "Real graph:" in files["graph.py"]
    assert "ListFileScenario[MyScenarioScenarioParams]" in render("my_scenario", "listfile")["scenario.py"]
    with pytest.raises(ConfigError, match="No template 'lists'; choose one of general, listfile."):
        render("my_scenario", "lists")
