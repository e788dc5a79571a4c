"""Failures surface as one clear error, quickly, and never leave processes behind."""

import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tfaip.data import (
    ComposedProcessorPipelineParams,
    DataPipelineParams,
    DataProcessorError,
    SequentialProcessorPipelineParams,
    WorkerCrashedError,
)
from tfaip.data.testing import (
    AddParams,
    BrokenInitParams,
    CountGeneratorParams,
    FailParams,
    SlowParams,
    ToArrayParams,
    batches_of,
    data_params,
)


def assert_no_children():
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("parallel", [False, True])
def test_processor_exception_names_processor_sample_and_traceback(parallel):
    start = time.monotonic()
    with pytest.raises(DataProcessorError) as info:
        batches_of(data_params([ToArrayParams(), FailParams(at=13)], parallel), n=200)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "Fail failed on sample 's13' (index 13)" in message
    assert "KeyError: 'no such glyph'" in message
    assert 'raise KeyError("no such glyph")' in message  # the original traceback
    assert isinstance(info.value.__cause__, KeyError)
    if parallel:
        assert "in worker" in message and "pid" in message
    assert_no_children()


@pytest.mark.parametrize(
    "how, expected", [("kill", "killed by signal SIGKILL"), ("exit", "exited unexpectedly with code 3")]
)
def test_dead_worker_is_reported_with_its_samples(how, expected):
    start = time.monotonic()
    with pytest.raises(WorkerCrashedError) as info:
        batches_of(data_params([ToArrayParams(), FailParams(at=21, how=how)]), n=200)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert expected in message
    assert "indices 16-23" in message and "'s16'" in message
    assert "[ToArray, Fail]" in message
    assert_no_children()


def test_in_order_every_chunk_before_the_failing_one_is_delivered():
    for parallel in (False, True):
        pipeline = data_params([ToArrayParams(), FailParams(at=45)], parallel).pre_proc
        delivered = []
        with pytest.raises(DataProcessorError):
            params = DataPipelineParams(num_processes=2, batch_size=4)
            for sample in pipeline.create(params, data_params([])).apply(CountGeneratorParams(n=100)):
                delivered.append(sample.meta["id"])
        assert delivered == [f"s{i}" for i in range(44)]  # the chunks 0-10 (samples 0-43)


def test_an_in_process_stage_delivers_what_came_before_an_error_of_the_stage_before_it():
    pipeline = ComposedProcessorPipelineParams(
        pipelines=[
            SequentialProcessorPipelineParams(run_parallel=True, processors=[ToArrayParams(), FailParams(at=45)]),
            SequentialProcessorPipelineParams(run_parallel=False, processors=[AddParams()]),
        ]
    )
    delivered = []
    with pytest.raises(DataProcessorError, match="no such glyph"):
        params = DataPipelineParams(num_processes=2, batch_size=4)
        for sample in pipeline.create(params, data_params([])).apply(CountGeneratorParams(n=100)):
            delivered.append(sample.meta["id"])
    assert delivered == [f"s{i}" for i in range(44)]
    assert_no_children()


def test_processor_that_cannot_be_created():
    with pytest.raises(DataProcessorError, match=r"BrokenInitParams failed .*creating.*OSError: model file missing"):
        batches_of(data_params([BrokenInitParams()]), n=10)
    assert_no_children()


def test_a_processor_that_cannot_be_created_is_reported_every_time():
    # the worker used to exit with the parent's first task unread, which reset the socket and
    # could lose its error message on the way (a WorkerCrashedError instead, in ~2-20% of runs)
    for _ in range(30):
        with pytest.raises(DataProcessorError, match="BrokenInitParams failed"):
            batches_of(data_params([BrokenInitParams()]), n=10)
    assert_no_children()


def test_result_that_cannot_be_pickled():
    with pytest.raises(DataProcessorError, match="sending the processed samples failed"):
        batches_of(data_params([ToArrayParams(), FailParams(at=3, how="unpicklable")]), n=10)
    assert_no_children()


def test_closing_the_iterator_early_stops_workers():
    params = data_params([ToArrayParams(), SlowParams(seconds=0.01)])
    pipeline = params.create().create_pipeline(DataPipelineParams(num_processes=2), CountGeneratorParams(n=10_000))
    with pipeline.generate_input_batches() as batches:
        next(batches)
        assert len(multiprocessing.active_children()) == 2
    assert_no_children()


def test_dropping_the_iterator_stops_workers():
    params = data_params([ToArrayParams(), SlowParams(seconds=0.01)])
    pipeline = params.pre_proc.create(DataPipelineParams(num_processes=2), params)
    it = pipeline.apply(CountGeneratorParams(n=10_000))
    next(it)
    del it
    gc.collect()
    assert_no_children()


def test_ctrl_c_stops_parent_and_workers(tmp_path):
    script = tmp_path / "interrupted.py"
    script.write_text(
        textwrap.dedent(
            """
            import multiprocessing, signal, sys
            # a terminal's Ctrl-C: a process started in the background by a shell inherits SIGINT ignored
            signal.signal(signal.SIGINT, signal.default_int_handler)
            from tfaip.data.testing import CountGeneratorParams, SlowParams, ToArrayParams, data_params
            from tfaip.data import DataPipelineParams
            params = data_params([ToArrayParams(), SlowParams(seconds=0.01)])
            pipeline = params.pre_proc.create(DataPipelineParams(num_processes=2), params)
            for i, s in enumerate(pipeline.apply(CountGeneratorParams(n=100000))):
                if i == 10:
                    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
            """
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        os.kill(proc.pid, signal.SIGINT)  # as Ctrl-C, but the workers ignore SIGINT anyway
        _, stderr = proc.communicate(timeout=10)
    finally:
        proc.kill()  # after a failure, not left running (its workers notice and exit)
    assert proc.returncode != 0 and "KeyboardInterrupt" in stderr
    assert stderr.count("Traceback") == 1  # one error, not one per worker
    time.sleep(0.2)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
