"""The live console view of a sheet's runs: a rich table redrawn while they run, plus a line per start and end."""

import time
from typing import Dict, List, Optional, Sequence

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from tfaip.experimenter.job import Job
from tfaip.experimenter.plan import Launch
from tfaip.experimenter.record import RunState

STYLES = {
    RunState.PENDING: "dim", RunState.RUNNING: "cyan", RunState.FINISHED: "green", RunState.FAILED: "red",
    RunState.INTERRUPTED: "yellow", RunState.SKIPPED: "dim",
}  # fmt: skip


class RunTable:
    """A table of a sheet's runs (ID, slot, state, epoch, time, latest losses and metrics), live inside `with`.

    Args:
        launches: The runs in sheet order; skipped ones are shown as such.
        console: Where to draw (default: a rich console on stdout).
    """

    def __init__(self, launches: Sequence[Launch], console: Optional[Console] = None):
        self.launches = list(launches)
        self.console = console or Console()
        self._jobs: Dict[str, Job] = {}
        self._live = Live(self.render(), console=self.console, refresh_per_second=4)

    def __enter__(self) -> "RunTable":
        self._live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._live.update(self.render())
        self._live.stop()
        if not self.console.is_terminal:
            self.console.line()  # a log file gets the final table without its line end

    def update(self, jobs: List[Job]) -> None:
        """Redraw with the jobs' current state."""
        self._jobs = {job.launch.id: job for job in jobs}
        self._live.update(self.render())

    def event(self, job: Job, line: str) -> None:
        """Print a line about `job` above the table."""
        self.console.print(f"run {job.launch.id}: {line}", markup=False, highlight=False, soft_wrap=True)

    def render(self) -> Table:
        """The table as it stands now."""
        table = Table(title="tfaip-experimenter", title_justify="left")
        for name in ("ID", "slot", "state", "epoch", "time", "losses and metrics"):
            table.add_column(name, overflow="fold", no_wrap=name != "losses and metrics")
        now = time.time()
        for launch in self.launches:
            job = self._jobs.get(launch.id)
            if job is None:
                state = RunState.SKIPPED if launch.action == "skip" else RunState.PENDING
                note = launch.reason if launch.action == "skip" else ""
                cells = [launch.id, "", Text(state.value, STYLES[state]), "", "", note]
            else:
                progress = job.progress
                epoch = f"{progress.current}/{progress.epochs}" if progress.epochs else str(progress.current or "")
                seconds = (job.ended or now) - job.started
                metrics = "  ".join(f"{k} {v:.4g}" for k, v in sorted(progress.metrics.items()))
                state = job.state.value + (f" ({job.returncode})" if job.state == RunState.FAILED else "")
                cells = [launch.id, str(job.slot), Text(state, STYLES[job.state]), epoch, f"{seconds:.0f} s", metrics]
            table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in cells))  # no markup in names
        return table
