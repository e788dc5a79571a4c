"""Slots from the command line, and how each row is planned: start, resume, restart or skip."""

import json
import os
import sys
from pathlib import Path

import pytest

from tfaip.experimenter import LaunchError, RunRecord, RunState, Slot, XLSXExperimenter, parse_slots, plan_launch
from tfaip.experimenter.parameter import Parameter
from tfaip.experimenter.plan import locate
from tfaip.experimenter.record import write_record
from tfaip.experimenter.sheet import Experiment
from tfaip.experimenter.testing import write_sheet


def test_gpu_labels_keep_every_digit_and_allow_two_runs_per_gpu():
    assert parse_slots(["10", "3a", "3b"], None) == [Slot("10", 10), Slot("3a", 3), Slot("3b", 3)]
    assert [s.environment() for s in parse_slots(["10"], None)] == [{"CUDA_VISIBLE_DEVICES": "10"}]
    assert parse_slots(None, ["0", "1"])[1].environment() == {"CUDA_VISIBLE_DEVICES": ""}


@pytest.mark.parametrize(
    "gpus, cpus, message",
    [(["0"], ["0"], "not both"), (None, None, "no slots"), (["0", "0"], None, "slot 0 is given twice"),
     (["a0"], None, "--gpus a0")],
)  # fmt: skip
def test_bad_slots(gpus, cpus, message):
    with pytest.raises(ValueError, match=message):
        parse_slots(gpus, cpus)


def _experiment(**kwargs) -> Experiment:
    params = [(Parameter("epochs", "trainer"), 3)]
    return Experiment(kwargs.pop("id", "1"), 4, kwargs.pop("script", ["tfaip-train", "tutorial.min"]), params, **kwargs)


def test_a_new_run_starts_in_its_own_output_dir(tmp_path):
    launch = plan_launch(_experiment(), tmp_path)
    assert (launch.action, launch.output_dir) == ("start", tmp_path / "1")
    assert launch.to_execute == ["tfaip-train", "tutorial.min", "--trainer.epochs", "3",
                                 "--trainer.output_dir", str(tmp_path / "1")]  # fmt: skip


def test_an_output_dir_column_is_the_runs_output_dir(tmp_path):
    experiment = _experiment()
    experiment.params.append((Parameter("output_dir", "trainer"), str(tmp_path / "mine")))
    launch = plan_launch(experiment, tmp_path)
    assert launch.output_dir == tmp_path / "mine"
    assert launch.command.count("--trainer.output_dir") == 1


def test_a_resume_script_gets_only_the_output_dir(tmp_path):
    for script in (["tfaip-resume-training"], ["tfaip-resume-training", "tutorial.min"]):  # SCENARIO of COMMAND
        launch = plan_launch(_experiment(script=script), tmp_path)
        assert launch.command == ["tfaip-resume-training", str(tmp_path / "1")]


def test_output_dirs_are_absolute_wherever_the_experimenter_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    launch = plan_launch(_experiment(), Path("runs"))
    assert launch.output_dir == tmp_path / "runs" / "1"
    assert launch.command[-1] == str(tmp_path / "runs" / "1")


def _record(tmp_path, state, command=None, trainer_params=False):
    launch = plan_launch(_experiment(), tmp_path)
    write_record(launch.output_dir, RunRecord("1", state, command or launch.command))
    if trainer_params:
        (launch.output_dir / "trainer_params.json").write_text(json.dumps({"epochs": 3}))
    return plan_launch(_experiment(), tmp_path)


def test_finished_runs_are_skipped_and_started_ones_resumed(tmp_path):
    assert _record(tmp_path / "a", RunState.FINISHED).action == "skip"
    changed = _record(tmp_path / "b", RunState.FINISHED, command=["tfaip-train", "other"])
    assert changed.action == "skip" and "its row changed since" in changed.reason
    resumed = _record(tmp_path / "c", RunState.INTERRUPTED, trainer_params=True)
    assert (resumed.action, resumed.reason) == ("resume", "interrupted earlier")
    assert resumed.to_execute == ["tfaip-resume-training", str(tmp_path / "c" / "1")]
    assert _record(tmp_path / "d", RunState.FAILED, trainer_params=True).action == "resume"
    # killed before tfaip-train wrote its params: nothing to resume, the row runs again
    assert _record(tmp_path / "e", RunState.RUNNING).action == "restart"
    edited = _record(tmp_path / "f", RunState.INTERRUPTED, command=["tfaip-train", "old"], trainer_params=True)
    assert edited.action == "restart"
    assert edited.to_execute[-2:] == ["--trainer.overwrite_output_dir", "True"]
    assert plan_launch(_experiment(skip=True), tmp_path / "g").action == "skip"


def test_a_cluster_row_resumes_and_restarts_with_its_workers(tmp_path):
    script = ["tfaip-train-cluster", "--workers", "2", "tutorial.min"]
    launch = plan_launch(_experiment(script=script), tmp_path)
    assert launch.to_execute == [*script, "--trainer.epochs", "3", "--trainer.output_dir", str(tmp_path / "1")]
    write_record(launch.output_dir, RunRecord("1", RunState.INTERRUPTED, launch.command))
    (launch.output_dir / "trainer_params.json").write_text(json.dumps({"epochs": 3}))
    resumed = plan_launch(_experiment(script=script), tmp_path)
    assert resumed.to_execute == ["tfaip-train-cluster", "--workers", "2", "--resume", str(tmp_path / "1")]
    edited = plan_launch(_experiment(script=[*script, "--trainer.samples_per_epoch", "64"]), tmp_path)
    assert edited.action == "restart" and edited.to_execute[-2:] == ["--trainer.overwrite_output_dir", "True"]


def test_a_run_whose_process_still_runs_is_not_started_twice(tmp_path):
    launch = plan_launch(_experiment(), tmp_path)
    alive = RunRecord("1", RunState.RUNNING, launch.command, pid=os.getpgid(0))  # this test's group is alive
    write_record(launch.output_dir, alive)
    again = plan_launch(_experiment(), tmp_path)
    assert again.action == "skip" and again.reason.startswith(f"still running as process group {os.getpgid(0)}")


def test_scripts_run_with_the_chosen_python(tmp_path):
    python = sys.executable
    train = locate(["tfaip-train", "tutorial.min"], python)
    assert train[0] == python and Path(train[1]).name == "tfaip-train" and train[2] == "tutorial.min"
    assert Path(train[1]).parent == Path(python).parent
    script = tmp_path / "run.py"
    script.write_text("")
    assert locate([str(script), "-x"], "/my/python") == ["/my/python", str(script), "-x"]
    assert locate(["true"], python)[0].endswith("true")  # no Python script: runs as it is
    with pytest.raises(LaunchError, match="tfaip-trian is installed neither next to"):
        locate(["tfaip-trian"], python)
    with pytest.raises(LaunchError, match="does not exist"):
        locate([str(tmp_path / "missing.py")], python)


def test_two_runs_sharing_an_output_dir_are_refused(tmp_path):
    path = write_sheet(tmp_path / "r.xlsx", [("trainer", "output_dir")],
                       [dict(ID=1, SCRIPT="tfaip-train a", values=["same"]),
                        dict(ID=2, SCRIPT="tfaip-train a", values=["same"])])  # fmt: skip
    with pytest.raises(LaunchError, match="runs 1 and 2 .* share the output dir /.*/same;"):
        XLSXExperimenter(path, cpus=["0"]).plan()


def test_the_default_output_root_is_named_after_the_sheet(tmp_path):
    path = write_sheet(tmp_path / "grid.xlsx", [("trainer", "epochs")], [dict(ID=7, SCRIPT="tfaip-train a")])
    (launch,) = XLSXExperimenter(path, cpus=["0"]).plan()
    assert launch.output_dir == tmp_path / "grid" / "7"
    assert os.path.basename(launch.command[-1]) == "7"
