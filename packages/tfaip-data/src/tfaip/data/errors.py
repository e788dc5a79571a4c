"""Errors of tfaip: invalid configuration, and data pipeline errors built to cross process boundaries intact.

`ConfigError` marks invalid params, flags, paths and exports: the console scripts print it as one
line and exit with code 2, while any other exception (an error in a scenario's own code) keeps its
traceback. A failure in a worker process is caught per chunk, shipped to the parent as a
`DataProcessorError` (plain strings, so it always pickles) and re-raised there with the
original exception (when it can be unpickled) chained as its cause.
"""

from __future__ import annotations

from typing import Optional


class ConfigError(ValueError):
    """Invalid params, flags, paths or exports; the message names the cause and the fix.

    Raise it from a params class's `__post_init__` or wherever a scenario validates what the
    user configured: the console scripts print it as one `error:` line and exit with code 2.

    Example:
        >>> raise ConfigError(f"--data.image_dir {path} does not exist; pass a folder of class folders.")
    """


class StoppedError(RuntimeError):
    """A run stopped for a reason outside the program (e.g. a lost peer); the message names it and what to do.

    The console scripts print it as one `error:` line, without a traceback, and exit with code 1.
    """


class DataPipelineError(RuntimeError):
    """Base class of every error raised by a tfaip data pipeline."""


class DataProcessorError(DataPipelineError):
    """A processor (or the batching step) raised an exception.

    Attributes:
        processor: class name of the failing processor (or `"batching"`).
        sample: description of the sample, e.g. `sample 'img_17' (index 17)`.
        error: `"TypeName: message"` of the original exception.
        traceback: the formatted original traceback (from the worker process if parallel).
        worker: `"worker 1 (pid 1234)"` when it happened in a worker process, else None.
    """

    def __init__(self, processor: str, sample: str, error: str, traceback: str, worker: Optional[str] = None):
        self.processor = processor
        self.sample = sample
        self.error = error
        self.traceback = traceback
        self.worker = worker
        self.chunk_id: Optional[int] = None  # set by the worker pool (ordered re-raising)
        where = f" in {worker}" if worker else ""
        super().__init__(
            f"{processor} failed on {sample}{where}: {error}\n\n"
            f"Original traceback{', in ' + worker if worker else ''}:\n{traceback.rstrip()}"
        )

    def __reduce__(self):
        return (type(self), (self.processor, self.sample, self.error, self.traceback, self.worker))

    def in_worker(self, worker: str) -> DataProcessorError:
        """The same error, marked as raised in `worker`."""
        return type(self)(self.processor, self.sample, self.error, self.traceback, worker)


class WorkerCrashedError(DataPipelineError):
    """A worker process died (killed by a signal, `os._exit`, out of memory, ...)."""
