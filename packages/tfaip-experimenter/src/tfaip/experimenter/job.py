"""A run as a child process: its own session, its slot's environment, its output in a log file."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

from tfaip.experimenter.epochs import EpochProgress, LogFollower
from tfaip.experimenter.plan import Launch
from tfaip.experimenter.record import LOG_FILE, LOG_HEADER, RunRecord, RunState, write_record
from tfaip.experimenter.slots import Slot

ERROR_BYTES = 8192  # the end of a failed run's log kept in its record
ERROR_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit)\b|: error: ")  # an exception's last line, argparse's error


class Job:
    """One launched run: starts its process, follows its progress, tells how it ended, stops it.

    The process leads a session of its own, so that a Ctrl-C in the terminal reaches the experimenter
    only, and the experimenter stops each run together with the data workers it started (its group).

    Args:
        launch: The planned run.
        argv: The located command to execute.
        slot: The slot to run on.
        environment: Variables added to the experimenter's environment; `ID` (the run's) and the slot's
            `CUDA_VISIBLE_DEVICES` come on top.
    """

    def __init__(self, launch: Launch, argv: List[str], slot: Slot, environment: Optional[Dict[str, str]] = None):
        self.launch, self.argv, self.slot = launch, argv, slot
        self.environment = {**os.environ, **(environment or {}), "ID": launch.id, **slot.environment()}
        self.state = RunState.PENDING
        self.progress = EpochProgress()
        self.returncode: Optional[int] = None
        self.started = self.ended = 0.0
        self._process: Optional[subprocess.Popen] = None
        self._cancelled = False
        self._error = ""
        self._followers: List[LogFollower] = []

    @property
    def log_file(self) -> Path:
        """The file that receives the run's stdout and stderr (appended to on a rerun)."""
        return self.launch.output_dir / LOG_FILE

    def start(self) -> None:
        """Start the process and record the run as running (as failed if the process cannot start)."""
        self.launch.output_dir.mkdir(parents=True, exist_ok=True)
        self.state, self.started = RunState.RUNNING, time.time()
        with self.log_file.open("ab") as log:
            # the run's lines follow the header; earlier attempts before it are not this run's progress
            self._followers = [
                LogFollower(self.log_file, log.tell()),
                LogFollower(self.launch.output_dir / "train.log"),
            ]
            header = f"{LOG_HEADER} {time.strftime('%Y-%m-%d %H:%M:%S')} on {self.slot}: {shlex.join(self.argv)}\n"
            log.write(header.encode())
            log.flush()
            try:
                self._process = subprocess.Popen(
                    self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self.environment,
                    start_new_session=True,
                )  # fmt: skip
            except OSError as e:
                log.write(f"{LOG_HEADER}: cannot start {self.argv[0]}: {e}\n".encode())
                self.state, self.ended, self._error = RunState.FAILED, time.time(), f"OSError: {e}"
        self._write_record()

    def poll(self) -> bool:
        """Follow the log; True once the process has ended (its state and record are then final)."""
        self._follow()
        if self.state != RunState.RUNNING:
            return True
        returncode = self._process.poll()
        if returncode is not None:
            self._finish(returncode)
        return returncode is not None

    def interrupt(self) -> None:
        """Ask the run to stop: SIGINT to its process group (a Ctrl-C of its own)."""
        if self.state == RunState.RUNNING:
            self._cancelled = True
            self._signal(signal.SIGINT)

    def kill(self) -> None:
        """SIGKILL the run's process group (if it is still there) and record how it ended."""
        if self.state == RunState.RUNNING:
            self._signal(signal.SIGKILL)
            self._finish(self._process.wait())

    def summary(self) -> str:
        """One line on how the run ended, e.g. `failed (exit 1): ValueError: ...`."""
        code = self.returncode
        if code is None:
            how = "not started"
        else:
            how = f"signal {_signal_name(-code)}" if code < 0 else f"exit {code}"
        if self.state != RunState.FAILED:
            return self.state.value if self.state == RunState.FINISHED else f"{self.state.value} ({how})"
        lines = [line.strip() for line in self._error.splitlines() if line.strip() and not line.startswith(LOG_HEADER)]
        reason = next((line for line in reversed(lines) if ERROR_LINE.search(line)), lines[-1] if lines else "")
        return f"failed ({how})" + (f": {reason}" if reason else "")

    def _follow(self) -> None:
        for follower in self._followers:
            for line in follower.new_lines():
                self.progress.feed(line)

    def _finish(self, returncode: int) -> None:
        self._signal(signal.SIGKILL)  # workers the run may have left behind in its group
        self.returncode, self.ended = returncode, time.time()
        if returncode == 0:
            self.state = RunState.FINISHED
        elif self._cancelled or returncode < 0:
            self.state = RunState.INTERRUPTED
        else:
            self.state = RunState.FAILED
        self._follow()
        if self.state != RunState.FINISHED:
            self._error = _tail(self.log_file)
        elif self.launch.experiment.cleanup:
            _remove_checkpoint(self.launch.output_dir)
        self._write_record()

    def _signal(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self._process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _write_record(self) -> None:
        record = RunRecord(
            self.launch.id, self.state, self.launch.command, self.argv, str(self.slot), self.started,
            self._process.pid if self._process else None, self.returncode, self._error,
        )  # fmt: skip
        write_record(self.launch.output_dir, record)


def _tail(path: Path) -> str:
    """The last lines of the attempt that ended (from its header on), at most `ERROR_BYTES`."""
    try:
        with path.open("rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - ERROR_BYTES))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    start = text.rfind(LOG_HEADER)
    return (text[start:] if start >= 0 else text.partition("\n")[2]).rstrip()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _remove_checkpoint(output_dir: Path) -> None:
    """CLEANUP: drop the checkpoint of a finished tfaip-train run (its results and exports stay)."""
    from tfaip.data.util.files import TRAINER_PARAMS_FILE  # imported here: tfaip.data loads numpy

    try:
        params = json.loads((output_dir / TRAINER_PARAMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no training run: nothing of ours to clean up
    shutil.rmtree(params.get("checkpoint_dir") or output_dir / "checkpoint", ignore_errors=True)
