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
from tfaip.experimenter.record import LOG_FILE, RunRecord, RunState, write_record
from tfaip.experimenter.slots import Slot

ERROR_LINES = 20
HEADER = "# tfaip-experimenter"  # starts the line a launch writes into the log
ERROR_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit)\b|: error: ")  # an exception's last line, argparse's error


class Job:
    """One launched run: starts its process, follows its progress, tells how it ended, stops it.

    The process leads a session of its own, so that a Ctrl-C in the terminal reaches the experimenter
    only and the experimenter stops each run (and the data workers it started) as a whole group.

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
        self._followers = [LogFollower(self.log_file), LogFollower(launch.output_dir / "train.log")]
        self._cancelled = False

    @property
    def log_file(self) -> Path:
        """The file that receives the run's stdout and stderr (appended to on a rerun)."""
        return self.launch.output_dir / LOG_FILE

    def start(self) -> None:
        """Record the run as running, then start its process."""
        self.launch.output_dir.mkdir(parents=True, exist_ok=True)
        self.state, self.started = RunState.RUNNING, time.time()
        with self.log_file.open("ab") as log:
            header = f"{HEADER} {time.strftime('%Y-%m-%d %H:%M:%S')} on {self.slot}: {shlex.join(self.argv)}\n"
            log.write(header.encode())
            log.flush()
            self._process = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self.environment,
                start_new_session=True,
            )  # fmt: skip
        self._write_record()

    def poll(self) -> bool:
        """Follow the log; True once the process has ended (its state and record are then final)."""
        for follower in self._followers:
            for line in follower.new_lines():
                self.progress.feed(line)
        if self._process is None or self.state != RunState.RUNNING:
            return True
        returncode = self._process.poll()
        if returncode is None:
            return False
        self._finish(returncode)
        return True

    def interrupt(self) -> None:
        """Ask the run to stop: SIGINT to its process group (a Ctrl-C of its own)."""
        if self._process is not None and self.state == RunState.RUNNING:
            self._cancelled = True
            self._signal(signal.SIGINT)

    def stop(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for an interrupted run to exit, then SIGKILL what is left of its group."""
        if self._process is None or self.state != RunState.RUNNING:
            return
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            self._signal(signal.SIGKILL)  # the run if it is still there, and stragglers of its group (workers)
            self._finish(self._process.wait())

    def error(self) -> str:
        """The end of the log of a failed run (its traceback), else an empty string."""
        if self.state not in (RunState.FAILED, RunState.INTERRUPTED):
            return ""
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-ERROR_LINES:])

    def summary(self) -> str:
        """One line on how the run ended, e.g. `failed (exit 1): ValueError: ...`."""
        code = self.returncode
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}"
        if self.state != RunState.FAILED:
            return self.state.value if self.state == RunState.FINISHED else f"{self.state.value} ({how})"
        lines = [line.strip() for line in self.error().splitlines() if line.strip() and not line.startswith(HEADER)]
        reason = next((line for line in reversed(lines) if ERROR_LINE.search(line)), lines[-1] if lines else "")
        return f"failed ({how})" + (f": {reason}" if reason else "")

    def _finish(self, returncode: int) -> None:
        self.returncode, self.ended = returncode, time.time()
        if self._cancelled or returncode < 0:
            self.state = RunState.INTERRUPTED
        else:
            self.state = RunState.FINISHED if returncode == 0 else RunState.FAILED
        for follower in self._followers:
            for line in follower.new_lines():
                self.progress.feed(line)
        if self.state == RunState.FINISHED and self.launch.experiment.cleanup:
            _remove_checkpoint(self.launch.output_dir)
        self._write_record()

    def _signal(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self._process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _write_record(self) -> None:
        pid = self._process.pid if self._process else None
        record = RunRecord(
            self.launch.id,
            self.state,
            self.launch.command,
            self.argv,
            str(self.slot),
            pid,
            self.returncode,
            self.error(),
        )
        write_record(self.launch.output_dir, record)


def _remove_checkpoint(output_dir: Path) -> None:
    """CLEANUP: drop the checkpoint of a finished tfaip-train run (its results and exports stay)."""
    try:
        checkpoint = json.loads((output_dir / "trainer_params.json").read_text(encoding="utf-8")).get("checkpoint_dir")
    except (OSError, ValueError):
        checkpoint = None
    shutil.rmtree(Path(checkpoint) if checkpoint else output_dir / "checkpoint", ignore_errors=True)
