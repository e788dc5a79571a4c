"""Running launches on slots, N at once, until all ended or the user stops them.

    launches (sheet order) ─► [queue] ─► first free slot ─► Job: Popen in its own session,
          ▲                                  ▲              CUDA_VISIBLE_DEVICES of the slot,
          │                                  │              stdout+stderr → experimenter.log
          │                                  │                        │ poll() every `interval`
          │                                  └──── slot freed ◄───────┤ exit 0   → finished
          │                                                           │ exit > 0 → failed (the others go on)
          │                                                           │ signal   → interrupted
    Ctrl-C / SIGTERM ─► every running Job: SIGINT to its process group, SIGKILL after `grace`
                        → interrupted; queued launches stay unstarted; KeyboardInterrupt re-raised

Each Job writes its record (`experimenter.json`) when it starts and when it ends, so a rerun of the
sheet knows what finished and what to resume.
"""

import signal
import time
from collections import deque
from typing import Callable, Dict, List, Optional, Sequence, Tuple

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
            KeyboardInterrupt: on Ctrl-C or SIGTERM, after every running job was stopped.
        """
        queue = deque(work)
        free = list(self.slots)
        jobs: List[Job] = []
        running: List[Job] = []
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            while queue or running:
                while queue and free:
                    launch, argv = queue.popleft()
                    job = Job(launch, argv, free.pop(0), environment)
                    job.start()
                    jobs.append(job)
                    running.append(job)
                    self.on_event(job, f"started on {job.slot}: {' '.join(launch.to_execute)}")
                for job in [job for job in running if job.poll()]:
                    running.remove(job)
                    free.append(job.slot)
                    free.sort(key=self.slots.index)
                    self.on_event(job, f"{job.summary()}; log: {job.log_file}")
                self.on_update(jobs)
                if running:
                    time.sleep(self.interval)
        except KeyboardInterrupt:
            self._stop(running)
            self.on_update(jobs)
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
        return jobs

    def _stop(self, running: List[Job]) -> None:
        """SIGINT to all running jobs at once; SIGKILL to those still there after `grace` (or a second Ctrl-C)."""
        for job in running:
            job.interrupt()
        deadline = time.time() + self.grace
        for job in running:
            try:
                job.stop(max(0.0, deadline - time.time()))
            except KeyboardInterrupt:
                deadline = 0.0  # a second Ctrl-C: no more waiting
                job.stop(0.0)
            self.on_event(job, f"{job.summary()}; log: {job.log_file}")


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
