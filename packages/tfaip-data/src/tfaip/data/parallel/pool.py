"""A pool of worker processes that run one pipeline stage on chunks of samples.

    parent                                   worker i (worker_main)
    submit(chunk) ── Channel i ───────────►  recv chunk -> StageRunner.run -> send result
    receive()     ◄── Channel i ───────────  ("ok", ChunkResult) | ("error", DataProcessorError, cause)
                  ◄── process sentinel ───  the process ended (crash or retirement)

Each worker has its own channel, so the parent always knows which chunks a worker holds;
results of one worker arrive in the order it got its chunks. The parent waits on all
channels and all process sentinels at once: a worker killed by a signal is noticed at
once and reported with the chunk it was processing. `close()` terminates what is left,
then kills it, so no process outlives the pool.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import time
import weakref
from collections import deque
from multiprocessing.connection import wait
from typing import Deque, List, Optional

from tfaip.data.errors import WorkerCrashedError
from tfaip.data.parallel.transport import Channel
from tfaip.data.parallel.worker import PEER_ERRORS, STOP, worker_main
from tfaip.data.processor.chain import describe_range
from tfaip.data.processor.stage import Chunk, ChunkResult, StageSpec
from tfaip.data.sample import describe_sample

_JOIN_TIMEOUT = 2.0
# parent ends of every live pool's channels: a forked worker closes all of them, so that a
# dead parent always leaves its workers reading EOF
_LIVE_CHANNELS: "weakref.WeakSet[Channel]" = weakref.WeakSet()


class _Worker:
    def __init__(self, name: str, process, channel: Channel):
        self.name = name
        self.process = process
        self.channel = channel
        self.outstanding: Deque[Chunk] = deque()
        self.tasks = 0
        self.retiring = False


def _close_channel(channel: Channel) -> None:
    _LIVE_CHANNELS.discard(channel)
    channel.close()


def _exit_description(exitcode) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"was killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited unexpectedly with code {exitcode}"


def _describe_chunk(chunk: Chunk) -> str:
    described = describe_range([(chunk.first_index + i, s) for i, s in enumerate(chunk.samples)])
    ids = [describe_sample(s, None) for s in chunk.samples[:3]]
    ids = [d for d in ids if d.startswith("sample ")]
    return described + (f" ({', '.join(ids)}, ...)" if ids else "")


def _stop_processes(processes) -> None:
    for p in processes:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + _JOIN_TIMEOUT
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


class WorkerPool:
    """Worker processes running `spec` on chunks (see module doc).

    Args:
        spec: the stage to run.
        num_workers: number of processes.
        max_outstanding: chunks a worker may hold (queued + running).
        max_tasks_per_worker: replace a worker after this many chunks (<= 0: never).
        start_method: multiprocessing start method.
    """

    def __init__(
        self, spec: StageSpec, num_workers: int, max_outstanding: int, max_tasks_per_worker: int, start_method: str
    ):
        self._spec = spec
        self._ctx = multiprocessing.get_context(start_method)
        self._max_outstanding = max(1, max_outstanding)
        self._max_tasks = max_tasks_per_worker
        self._names = (f"worker {i}" for i in itertools.count())
        self._workers: List[_Worker] = []
        self._processes: list = []  # shared with the finalizer
        self._finalizer = weakref.finalize(self, _stop_processes, self._processes)
        try:
            for _ in range(num_workers):
                self._start_worker()
        except BaseException:
            self.close()
            raise

    def _start_worker(self) -> None:
        parent_conn, child_conn = multiprocessing.Pipe(duplex=True)
        channel = Channel(parent_conn, reuse_memory=True)
        _LIVE_CHANNELS.add(channel)
        inherited = [fd for c in list(_LIVE_CHANNELS) for fd in c.fileno_list()]
        name = next(self._names)
        process = self._ctx.Process(
            target=worker_main,
            args=(child_conn, name, self._spec, inherited if self._ctx.get_start_method() == "fork" else []),
            name=f"tfaip-data-{name.replace(' ', '-')}",
            daemon=True,
        )
        process.start()
        child_conn.close()
        self._processes.append(process)
        self._workers.append(_Worker(name, process, channel))

    @property
    def has_capacity(self) -> bool:
        """Whether a worker can take another chunk now."""
        return any(not w.retiring and len(w.outstanding) < self._max_outstanding for w in self._workers)

    @property
    def outstanding(self) -> int:
        """Chunks submitted whose result was not received yet."""
        return sum(len(w.outstanding) for w in self._workers)

    def submit(self, chunk: Chunk) -> None:
        """Give `chunk` to the least busy worker (call only when `has_capacity`)."""
        worker = min((w for w in self._workers if not w.retiring), key=lambda w: len(w.outstanding))
        worker.outstanding.append(chunk)
        try:
            worker.channel.send((chunk, worker.channel.take_released()))
        except PEER_ERRORS:  # it died; report what it sent before (e.g. an error creating processors)
            while worker.channel.conn.poll():
                self._read(worker)
            worker.process.join(_JOIN_TIMEOUT)
            self._raise_crash(worker)
        worker.tasks += 1
        if 0 < self._max_tasks <= worker.tasks:
            worker.channel.send(STOP)
            worker.retiring = True
            self._start_worker()

    def receive(self) -> ChunkResult:
        """Wait for the next result of any worker; raise the error of a failed or crashed worker."""
        while True:
            by_handle = {}
            for w in self._workers:
                by_handle[w.channel.conn] = w
                by_handle[w.process.sentinel] = w
            for handle in wait(list(by_handle)):
                worker = by_handle[handle]
                if worker not in self._workers:  # retired while handling an earlier handle
                    continue
                if handle is worker.channel.conn or worker.channel.conn.poll():
                    result = self._read(worker)
                    if result is not None:
                        return result
                else:
                    self._handle_exit(worker)

    def _read(self, worker: _Worker) -> Optional[ChunkResult]:
        """The next result of `worker`; None if it has exited; raises the error it sent."""
        try:
            status, payload, cause, released_slabs = worker.channel.recv()
        except PEER_ERRORS:  # the worker closed its end: it has exited
            self._handle_exit(worker)
            return None
        worker.channel.release(released_slabs)
        chunk = worker.outstanding.popleft() if worker.outstanding else None
        if status == "error":
            payload.chunk_id = chunk.chunk_id if chunk else None
            raise payload from cause
        return payload

    def _handle_exit(self, worker: _Worker) -> None:
        worker.process.join(_JOIN_TIMEOUT)
        if worker.retiring and not worker.outstanding and worker.process.exitcode == 0:
            self._workers.remove(worker)
            self._processes.remove(worker.process)
            _close_channel(worker.channel)
            return
        self._raise_crash(worker)

    def _raise_crash(self, worker: _Worker) -> None:
        what = f"while processing {_describe_chunk(worker.outstanding[0])}" if worker.outstanding else "while idle"
        processors = ", ".join(_processor_names(self._spec)) or "none"
        raise WorkerCrashedError(
            f"Data {worker.name} (pid {worker.process.pid}) {_exit_description(worker.process.exitcode)} {what} "
            f"with the processors [{processors}]. If the system ran out of memory, lower "
            "num_processes, prefetch or batch_size; if a processor calls os._exit or crashes the interpreter "
            "(e.g. in a C extension), run the pipeline with run_parallel=False to see where."
        )

    def close(self) -> None:
        """Stop all workers: those still busy are terminated; returns when all have ended."""
        for w in self._workers:
            if not w.outstanding and w.process.is_alive():
                try:
                    w.channel.send(STOP)
                except PEER_ERRORS:
                    pass
        deadline = time.monotonic() + _JOIN_TIMEOUT
        for w in self._workers:
            if not w.outstanding:
                w.process.join(max(0.0, deadline - time.monotonic()))
        self._finalizer()
        for w in self._workers:
            _close_channel(w.channel)
        self._workers.clear()


def _processor_names(spec: StageSpec) -> List[str]:
    return [p.cls().__name__ for p in spec.processors if spec.mode in p.modes]
