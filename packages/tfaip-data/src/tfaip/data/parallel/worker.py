"""The loop of a worker process: receive a chunk, run the stage, send the result.

Nothing fails silently here: every exception of a chunk is caught and sent back in place
of the result (a picklable DataProcessorError plus, when it pickles, the original
exception), and the parent raises it. SIGINT is ignored so that Ctrl-C is handled once,
by the parent, which then stops the workers.
"""

from __future__ import annotations

import os
import pickle
import signal
from multiprocessing.connection import Connection
from typing import List, Optional

from tfaip.data.errors import DataProcessorError
from tfaip.data.parallel.transport import Channel
from tfaip.data.processor.chain import processor_error
from tfaip.data.processor.stage import StageRunner, StageSpec

STOP = None  # message that asks a worker to exit after the chunks sent before it
# any other message is (Chunk, ids of result slabs the parent released)


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


def _failure(error: BaseException, name: str):
    if not isinstance(error, DataProcessorError):
        wrapped = processor_error("the data worker", "an unknown sample", error)
        wrapped.__cause__ = error
        error = wrapped
    return ("error", error.in_worker(name), _picklable_cause(error))


def worker_main(conn: Connection, name: str, spec: StageSpec, close_fds: List[int]) -> None:
    """Entry point of a worker process (`name` e.g. "worker 2")."""
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
        channel.send(_failure(e, name))
        return
    while True:
        try:
            task = channel.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is STOP:
            return
        chunk, released_slabs = task
        channel.release(released_slabs)
        try:
            message = ("ok", runner.run(chunk), None)
        except Exception as e:
            message = _failure(e, name)
        try:
            channel.send(message)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as e:  # the result does not pickle; the stream is intact (pickling comes first)
            error = processor_error("sending the processed samples", f"the chunk at index {chunk.first_index}", e)
            channel.send(_failure(error, name))
