"""What to do with each row of a sheet: start it, resume it, run it again, or skip it, and the exact command."""

import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from tfaip.experimenter.record import RunRecord, RunState, read_record
from tfaip.experimenter.sheet import Experiment

TRAIN_SCRIPT = "tfaip-train"
RESUME_SCRIPT = "tfaip-resume-training"
CLUSTER_SCRIPT = "tfaip-train-cluster"  # a multi-worker training in N local processes (`--workers N` in SCRIPT)
TRAINING_SCRIPTS = (TRAIN_SCRIPT, CLUSTER_SCRIPT)
OUTPUT_DIR_FLAG = "--trainer.output_dir"


class LaunchError(ValueError):
    """A run that cannot be launched (its script is not installed)."""


@dataclass
class Launch:
    """A planned run.

    Args:
        experiment: The sheet's row.
        output_dir: The run's output dir (`--trainer.output_dir`): its training files, `experimenter.log`
            and `experimenter.json`.
        command: The row's command, as a user would type it.
        action: `start`, `resume` (tfaip-resume-training), `restart` (the row again) or `skip`.
        reason: Why a run is resumed, restarted or skipped.
        record: The record an earlier experimenter left in the output dir.
    """

    experiment: Experiment
    output_dir: Path
    command: List[str]
    action: str
    reason: str = ""
    record: Optional[RunRecord] = None

    @property
    def id(self) -> str:
        """The run's ID."""
        return self.experiment.id

    @property
    def to_execute(self) -> List[str]:
        """The command this launch runs (before the script is located)."""
        if self.action == "resume" and _script_name(self.command) == CLUSTER_SCRIPT:
            return [*_workers_option(self.command), "--resume", str(self.output_dir)]
        if self.action == "resume":
            return [RESUME_SCRIPT, str(self.output_dir)]
        if self.action == "restart" and _script_name(self.command) in TRAINING_SCRIPTS:
            return [*self.command, "--trainer.overwrite_output_dir", "True"]
        return self.command

    def describe(self) -> str:
        """One line for the console: `run 2 (resume: interrupted): tfaip-resume-training runs/2`."""
        how = f"{self.action}: {self.reason}" if self.reason else self.action
        return f"run {self.id} ({how}): {shlex.join(self.to_execute)}"


def plan_launch(experiment: Experiment, output_root: Path) -> Launch:
    """Decide how to run `experiment` from its row and what its output dir holds.

    A finished run (its record says so) is skipped, and so is one whose process still runs (an earlier
    experimenter was killed). A started tfaip-train (or tfaip-train-cluster) run is resumed if its row is
    unchanged, else started afresh; any other started run runs again. Output dirs are absolute, so that the
    command of a row does not depend on the directory the experimenter starts in.
    """
    from tfaip.data.util.files import TRAINER_PARAMS_FILE  # imported here: tfaip.data loads numpy

    output_dir = Path(experiment.value("trainer.output_dir") or output_root / experiment.id).absolute()
    command = [*experiment.script, *experiment.arguments()]
    if _script_name(command) == RESUME_SCRIPT:
        command = [experiment.script[0], str(output_dir)]  # it continues with the params the run started with
    elif experiment.value("trainer.output_dir") is None:
        command += [OUTPUT_DIR_FLAG, str(output_dir)]
    record = read_record(output_dir)
    launch = Launch(experiment, output_dir, command, "start", record=record)
    if experiment.skip:
        launch.action, launch.reason = "skip", "SKIP is set"
    elif record is None:
        pass
    elif record.state == RunState.RUNNING and record.pid and _group_alive(record.pid):
        launch.action, launch.reason = "skip", f"still running as process group {record.pid}; stop it or wait"
    elif record.state == RunState.FINISHED:
        launch.action, launch.reason = "skip", "finished"
        if record.command != command:
            launch.reason += f"; its row changed since, remove {output_dir} to run it again"
    elif record.command != command:
        launch.action, launch.reason = "restart", f"{record.state.value} earlier, its row changed since"
    elif _script_name(command) in TRAINING_SCRIPTS and (output_dir / TRAINER_PARAMS_FILE).is_file():
        launch.action, launch.reason = "resume", f"{record.state.value} earlier"
    else:
        launch.action, launch.reason = "restart", f"{record.state.value} earlier"
    return launch


def locate(command: List[str], python: str) -> List[str]:
    """The argv that runs `command` with `python`.

    A `.py` file or a Python console script runs under `python`; a script is looked up next to `python`
    first (in its virtual env), then on PATH.

    Raises:
        LaunchError: if the script is found nowhere.
    """
    script, *args = command
    if script.endswith(".py"):
        if not Path(script).is_file():
            raise LaunchError(f"the script {script} does not exist (relative to {Path.cwd()}).")
        return [python, script, *args]
    found = shutil.which(script, path=str(Path(python).parent)) or shutil.which(script)
    if found is None:
        raise LaunchError(f"the script {script} is installed neither next to {python} nor on PATH.")
    return [python, found, *args] if _is_python_script(Path(found)) else [found, *args]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return True


def _workers_option(command: List[str]) -> List[str]:
    """`tfaip-train-cluster --workers N` of a tfaip-train-cluster command (without the training's arguments)."""
    script, *args = command
    for i, arg in enumerate(args):
        if arg == "--workers":
            return [script, *args[i : i + 2]]
        if arg.startswith("--workers="):
            return [script, arg]
    return [script]


def _script_name(command: List[str]) -> str:
    return Path(command[0]).name


def _is_python_script(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            first_line = f.readline(256)
    except OSError:
        return False
    return first_line.startswith(b"#!") and b"python" in first_line
