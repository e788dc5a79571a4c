"""The record a run leaves in its output dir (`experimenter.json`): what ran, on which slot, how it ended.

A rerun of the sheet reads it to skip finished runs and to resume the others.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import List, Optional

RECORD_FILE = "experimenter.json"
LOG_FILE = "experimenter.log"
LOG_HEADER = "# tfaip-experimenter"  # starts the line each launch of the run writes into its log first


class RunState(str, Enum):
    """Where a run stands."""

    PENDING = "pending"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"


@dataclass
class RunRecord:
    """What the experimenter knows of one run.

    Args:
        id: The run's ID.
        state: How it stands; a record on disk is `running` only while its experimenter runs (or was killed).
        command: The command of the sheet's row; a rerun resumes only a run whose row is unchanged.
        launched: The command that was executed last (the row's, or a `tfaip-resume-training`).
        slot: The slot it ran on, e.g. `gpu 1`.
        started: When it started (seconds since the epoch).
        pid: The process ID of the run, which leads a process group of its own (with its data workers).
        returncode: The exit code; negative for a signal.
        error: The end of the run's log when it failed: its traceback.
    """

    id: str
    state: RunState
    command: List[str]
    launched: List[str] = field(default_factory=list)
    slot: str = ""
    started: float = 0.0
    pid: Optional[int] = None
    returncode: Optional[int] = None
    error: str = ""


def read_record(output_dir: Path) -> Optional[RunRecord]:
    """The record in `output_dir`, None if there is none (or it is unreadable: the run then counts as not started)."""
    try:
        data = json.loads((output_dir / RECORD_FILE).read_text(encoding="utf-8"))
        return RunRecord(**{**data, "state": RunState(data["state"])})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_record(output_dir: Path, record: RunRecord) -> None:
    """Write `record` atomically (a temp file renamed over the old record)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    data = {**dataclasses.asdict(record), "state": record.state.value}
    # imported here: importing tfaip.data loads numpy, which the experimenter's start does without
    from tfaip.data.util.files import write_json_atomically

    write_json_atomically(output_dir / RECORD_FILE, data)
