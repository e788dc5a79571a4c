"""`XLSXExperimenter`: a sheet's runs planned, run on slots with a live table, and their results written back."""

import datetime
import shutil
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from rich.console import Console

from tfaip.experimenter.display import RunTable
from tfaip.experimenter.job import Job
from tfaip.experimenter.plan import Launch, LaunchError, locate, plan_launch
from tfaip.experimenter.record import RunState
from tfaip.experimenter.results import collect_results, write_results
from tfaip.experimenter.scheduler import Scheduler
from tfaip.experimenter.sheet import ExperimentSheet, read_sheet
from tfaip.experimenter.slots import parse_slots


class XLSXExperimenter:
    """Runs the experiments of an xlsx sheet on GPU or CPU slots.

    Args:
        xlsx_path: The experiment sheet.
        gpus: GPU slots (`0`, `1`, or `3a` `3b` for two runs at once on GPU 3).
        cpus: CPU slots; each is one run at a time on the CPU.
        python: The interpreter (of the virtual env) that runs the scripts (default: this one).
        output_dir: Where the runs' output dirs go, one per ID (default: beside the sheet, named after it:
            `runs.xlsx` -> `runs/<ID>`). A run with a `trainer.output_dir` column uses that instead.
        dry_run: Only print what would run.
        update: Write the last epoch's results of every run to a new sheet and a CSV (after running, if
            slots are given).
        grace: Seconds a run stopped by Ctrl-C gets to exit before it is killed.
        console: Where to print (default: stdout).

    Example:
        >>> XLSXExperimenter("runs.xlsx", cpus=["0", "1"]).run()  # doctest: +SKIP
        0
    """

    def __init__(
        self,
        xlsx_path: "str | Path",
        gpus: Optional[Sequence[str]] = None,
        cpus: Optional[Sequence[str]] = None,
        python: Optional[str] = None,
        output_dir: "str | Path | None" = None,
        dry_run: bool = False,
        update: bool = False,
        grace: float = 30.0,
        console: Optional[Console] = None,
    ):
        self.xlsx_path = Path(xlsx_path)
        self.slots = parse_slots(gpus, cpus) if (gpus or cpus or not (dry_run or update)) else []
        self.python = python or sys.executable
        self.output_root = Path(output_dir) if output_dir else self.xlsx_path.with_suffix("")
        self.dry_run, self.update, self.grace = dry_run, update, grace
        self.console = console or Console()
        self.sheet: Optional[ExperimentSheet] = None

    def plan(self) -> List[Launch]:
        """Read the sheet and decide for every row: start, resume, restart or skip."""
        self.sheet = read_sheet(self.xlsx_path)
        launches = [plan_launch(experiment, self.output_root) for experiment in self.sheet.experiments]
        _check_distinct_output_dirs(launches)
        return launches

    def run(self) -> int:
        """Plan, then print (dry run) or run the runs, then update the workbook if asked.

        Returns:
            0 if every run that was started finished, 1 if one failed.

        Raises:
            SheetError, LaunchError, SlotError: for a bad sheet or command line, before anything ran.
            ResultsError: if `--update` could not write the results.
            KeyboardInterrupt: after Ctrl-C stopped the running runs.
        """
        launches = self.plan()
        jobs: List[Job] = []
        if self.dry_run:
            self._print_plan(launches)
        elif self.slots:
            jobs = self._run(launches)
        if self.update and not self.dry_run:
            self._write_results()
        unfinished = [f"run {job.launch.id} ({job.state.value})" for job in jobs if job.state != RunState.FINISHED]
        if unfinished:
            self._say(f"Not finished: {', '.join(unfinished)}; their logs hold the reason.")
        return 1 if unfinished else 0

    def _run(self, launches: List[Launch]) -> List[Job]:
        python = shutil.which(self.python)
        if python is None:
            raise LaunchError(f"--python {self.python}: no such executable; give the python of the runs' virtual env.")
        work = [(launch, self._locate(launch, python)) for launch in launches if launch.action != "skip"]
        if not work:
            self._say("Nothing to run: every run is finished or skipped.")
            return []
        where = ", ".join(str(slot) for slot in self.slots)
        self._say(f"{len(work)} of {len(launches)} runs on {where} with {python}")
        with RunTable(launches, self.console) as table:
            scheduler = Scheduler(self.slots, self.grace, on_update=table.update, on_event=table.event)
            return scheduler.run(work, environment={"PYTHON": python})

    def _say(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def _locate(self, launch: Launch, python: str) -> List[str]:
        try:
            return locate(launch.to_execute, python)
        except LaunchError as e:
            raise LaunchError(f"run {launch.id} (row {launch.experiment.row}): {e}") from None

    def _print_plan(self, launches: Sequence[Launch]) -> None:
        where = ", ".join(str(slot) for slot in self.slots) or "no slots given"
        self._say(f"Dry run of {self.xlsx_path} ({where}; python {self.python}):")
        for launch in launches:
            self._say(launch.describe())

    def _write_results(self) -> None:
        launches = self.plan()  # the records as the runs left them
        title, csv_path = write_results(self.xlsx_path, collect_results(self.sheet, launches), datetime.datetime.now())
        self._say(f"Results: sheet '{title}' of {self.xlsx_path}, and {csv_path}")


def _check_distinct_output_dirs(launches: Sequence[Launch]) -> None:
    seen = {}
    for launch in launches:
        key = launch.output_dir.resolve()
        if key in seen:
            raise LaunchError(
                f"runs {seen[key]} and {launch.id} (row {launch.experiment.row}) share the output dir "
                f"{launch.output_dir}; give each run its own."
            )
        seen[key] = launch.id
