"""The loop of a worker process: receive a chunk, run the stage, send the result.

A reader thread drains the socket into a local queue as soon as tasks arrive, so the
parent's writes never wait for the worker to finish a chunk; the main thread processes
tasks and may block writing results (that is the back-pressure) without a deadlock.

Nothing fails silently here: every exception of a chunk is caught and sent back in place
of the result (a picklable DataProcessorError plus, when it pickles, the original
exception), and the parent raises it. SIGINT is ignored so that Ctrl-C is handled once,
by the parent, which then stops the workers.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import signal
import threading
from multiprocessing.connection import Connection
from typing import List, Optional

from tfaip.data.errors import DataProcessorError
from tfaip.data.parallel.transport import Channel
from tfaip.data.processor.chain import processor_error
from tfaip.data.processor.stage import StageRunner, StageSpec

STOP = None  # message that asks a worker to exit after the chunks sent before it
# any other message is (Chunk, ids of result slabs the parent released); the worker answers
# (status, payload, cause, ids of task slabs the worker released)
PEER_ERRORS = (EOFError, BrokenPipeError, ConnectionResetError)  # the other process is gone


def _picklable_cause(error: BaseException) -> Optional[BaseException]:
    cause = error.__cause__
    if cause is None:
        return None
    try:
        pickle.loads(pickle.dumps(cause))
    except Exception:
        return None
    cause.__traceback__ = None
    return cause


def _failure(error: BaseException, name: str, what: str = "the data worker"):
    if not isinstance(error, DataProcessorError):
        wrapped = processor_error(what, "an unknown sample", error)
        wrapped.__cause__ = error
        error = wrapped
    return ("error", error.in_worker(name), _picklable_cause(error))


def _send(channel: Channel, message: tuple) -> None:
    """Send a result or failure, with the parent's task slabs this worker no longer uses."""
    channel.send((*message, channel.take_released()))


def _read_tasks(channel: Channel, tasks: "queue.SimpleQueue") -> None:
    while True:
        try:
            task = channel.recv()
        except PEER_ERRORS:
            task = STOP
        except Exception as e:  # e.g. a chunk that does not unpickle under spawn
            task = e
        tasks.put(task)
        if task is STOP or isinstance(task, Exception):
            return


def _wait_for_stop(channel: Channel) -> None:
    """Read (and drop) tasks until the parent says stop or is gone.

    A worker that exits with a task unread in its socket resets the connection, and the parent
    may then lose the error message the worker sent just before.
    """
    while True:
        try:
            if channel.recv() is STOP:
                return
        except PEER_ERRORS:
            return
        except Exception:  # e.g. a chunk that does not unpickle: it is dropped anyway
            continue


def worker_main(conn: Connection, name: str, spec: StageSpec, close_fds: List[int]) -> None:
    """Entry point of a worker process (`name` e.g. "worker 2")."""
    # Objects inherited through fork are never garbage-collected here: a finalizer of one (e.g. of
    # a TensorFlow object the parent dropped) could call into a library whose locks were held by
    # parent threads that do not exist in this process, and crash it.
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in close_fds:  # descriptors of the parent and other workers inherited through fork
        try:
            os.close(fd)
        except OSError:
            pass
    channel = Channel(conn, reuse_memory=True)
    name = f"{name} (pid {os.getpid()})"
    try:
        runner = StageRunner(spec)
    except Exception as e:
        _send(channel, _failure(e, name))
        _wait_for_stop(channel)
        return
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_read_tasks, args=(channel, tasks), daemon=True).start()
    while True:
        task = tasks.get()
        if task is STOP:
            return
        if isinstance(task, Exception):
            _send(channel, _failure(task, name, "receiving a chunk"))
            return
        chunk, released_slabs = task
        channel.release(released_slabs)
        first_index = chunk.first_index
        try:
            message = ("ok", runner.run(chunk), None)
        except Exception as e:
            message = _failure(e, name)
        del task, chunk  # its arrays are views of a task slab, which goes back to the parent with a result
        try:
            _send(channel, message)
        except PEER_ERRORS:
            return
        except Exception as e:  # the result does not pickle; the stream is intact (pickling comes first)
            error = processor_error("sending the processed samples", f"the chunk at index {first_index}", e)
            _send(channel, _failure(error, name))
