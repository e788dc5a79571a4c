"""Running launches on slots, N at once, until all ended or the user stops them.

    launches (sheet order) ─► [queue] ─► first free slot ─► Job: Popen in its own session,
          ▲                                  ▲              CUDA_VISIBLE_DEVICES of the slot,
          │                                  │              stdout+stderr → experimenter.log
          │                                  │                        │ poll() every `interval`
          │                                  └──── slot freed ◄───────┤ exit 0   → finished
          │                                                           │ exit > 0 → failed (the others go on)
          │                                                           │ signal   → interrupted
    Ctrl-C / SIGTERM / SIGHUP ─► every running Job: SIGINT to its process group, SIGKILL after `grace`
                                 (or at a further signal) → interrupted; queued launches stay unstarted;
                                 KeyboardInterrupt re-raised

Each Job writes its record (`experimenter.json`) when it starts and when it ends, so a rerun of the
sheet knows what finished and what to resume.
"""

import contextlib
import shlex
import signal
import threading
import time
from collections import deque
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from tfaip.experimenter.job import Job
from tfaip.experimenter.plan import Launch
from tfaip.experimenter.slots import Slot


class Scheduler:
    """Runs launches on `slots`, one per slot at a time, in the order given.

    Args:
        slots: Where runs execute.
        grace: Seconds a stopped run gets to exit after SIGINT before it is killed (default 30).
        interval: Seconds between two polls of the running jobs (default 0.2).
        on_update: Called after every poll with all jobs so far (started or ended), e.g. to redraw a table.
        on_event: Called with a job and a line when it starts or ends.
    """

    def __init__(
        self,
        slots: Sequence[Slot],
        grace: float = 30.0,
        interval: float = 0.2,
        on_update: Optional[Callable[[List[Job]], None]] = None,
        on_event: Optional[Callable[[Job, str], None]] = None,
    ):
        if not slots:
            raise ValueError("Scheduler: no slots to run on.")
        self.slots, self.grace, self.interval = list(slots), grace, interval
        self.on_update = on_update or (lambda jobs: None)
        self.on_event = on_event or (lambda job, line: None)

    def run(self, work: Sequence[Tuple[Launch, List[str]]], environment: Optional[Dict[str, str]] = None) -> List[Job]:
        """Run each `(launch, argv)`; returns the jobs when all ended.

        Raises:
            KeyboardInterrupt: on Ctrl-C, SIGTERM or SIGHUP, after every running job was stopped. Any other
                error (a record that cannot be written, ...) stops the running jobs as well before it propagates.
        """
        queue = deque(work)
        free = list(self.slots)
        jobs: List[Job] = []
        running: List[Job] = []
        with _signals_as_keyboard_interrupt(_raise_keyboard_interrupt):
            try:
                while queue or running:
                    while queue and free:
                        launch, argv = queue.popleft()
                        job = Job(launch, argv, free.pop(0), environment)
                        jobs.append(job)
                        running.append(job)  # before it starts: a Ctrl-C from here on stops it
                        job.start()
                        self.on_event(job, f"started on {job.slot}: {shlex.join(launch.to_execute)}")
                    for job in [job for job in running if job.poll()]:
                        running.remove(job)
                        free.append(job.slot)
                        free.sort(key=self.slots.index)
                        self._ended(job)
                    self.on_update(jobs)
                    if running:
                        time.sleep(self.interval)
            except BaseException:
                self._stop(running)
                self.on_update(jobs)
                raise
        return jobs

    def _stop(self, running: List[Job]) -> None:
        """SIGINT to all running jobs at once; SIGKILL to those still there after `grace` or a further signal."""
        hurry: List[int] = []
        with _signals_as_keyboard_interrupt(lambda signum, frame: hurry.append(signum)):
            for job in running:
                job.interrupt()
            deadline = time.time() + self.grace
            for job in running:
                while not job.poll() and not hurry and time.time() < deadline:
                    time.sleep(0.05)
                job.kill()
                self._ended(job)

    def _ended(self, job: Job) -> None:
        self.on_event(job, f"{job.summary()}; log: {job.log_file}")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _signals_as_keyboard_interrupt(handler: Callable[[int, object], None]) -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP with `handler` for the block (in the main thread; elsewhere they stay)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
