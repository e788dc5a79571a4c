"""Large arrays through shared memory, reuse of the result slabs, and back-pressure."""

import numpy as np
import pytest

from tfaip.data import DataPipelineParams
from tfaip.data.testing import (
    PULLED,
    BigParams,
    CountingGeneratorParams,
    MediumGeneratorParams,
    PlusOneParams,
    ToArrayParams,
    batches_of,
    data_params,
)


def test_large_batches_are_intact_even_while_slabs_are_reused():
    params = data_params([ToArrayParams(), BigParams()])
    pipeline = params.create().create_pipeline(
        DataPipelineParams(batch_size=4, num_processes=2), CountingGeneratorParams(n=120)
    )
    kept = []
    with pipeline.generate_input_batches() as batches:
        for i, batch in enumerate(batches):
            img = batch.inputs["img"]  # 4 x 256 x 256 float32 = 1 MiB, a view of a shared slab
            labels = batch.targets["y"][:, 0]
            assert np.array_equal(img[:, 0, 0], labels)
            if i % 3 == 0:
                kept.append((labels.copy(), img[:, 100:110, 5]))  # a view keeps its slab busy
            del batch, img  # reference counting frees the lease at once
    for labels, view in kept:  # no slab was rewritten while a view of it was alive
        assert np.array_equal(view, np.broadcast_to(labels[:, None], view.shape))
    view[0, 0] = -1  # writable


def test_parallel_and_serial_large_batches_are_equal():
    serial = batches_of(data_params([ToArrayParams(), BigParams()], parallel=False), n=20)
    parallel = batches_of(data_params([ToArrayParams(), BigParams()]), n=20)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.inputs["img"], b.inputs["img"])


def test_a_slow_consumer_holds_back_the_generator():
    params = data_params([ToArrayParams()])
    PULLED.clear()
    pipeline = params.create().create_pipeline(
        DataPipelineParams(batch_size=4, num_processes=2, prefetch=4), CountingGeneratorParams(n=10_000)
    )
    with pipeline.generate_input_batches() as batches:
        for _ in range(3):
            next(batches)
        # 3 batches consumed + at most `prefetch` chunks of 4 in flight
        assert len(PULLED) <= (3 + 4) * 4


@pytest.mark.timeout(60)
def test_many_medium_messages_in_flight_do_not_deadlock():
    # both directions hold more than a socket buffer: the parent writes tasks while the
    # worker writes results; the worker's reader thread keeps draining the tasks
    params = data_params([PlusOneParams()])
    pipeline = params.create().create_pipeline(
        DataPipelineParams(batch_size=1, num_processes=1, prefetch=64), MediumGeneratorParams(n=400)
    )
    with pipeline.generate_input_batches() as batches:
        assert [int(b.inputs["x"][0, 0]) for b in batches] == list(range(1, 401))


def test_chunks_reach_the_workers_through_reused_slabs(monkeypatch):
    import socket

    sent_fds = []  # counted in this (the parent) process only
    original = socket.send_fds
    monkeypatch.setattr(socket, "send_fds", lambda *a: sent_fds.append(1) or original(*a))
    params = data_params([PlusOneParams()])
    pipeline = params.create().create_pipeline(
        DataPipelineParams(batch_size=4, num_processes=2), MediumGeneratorParams(n=400)
    )
    with pipeline.generate_input_batches() as batches:  # 100 chunks of 56 KB: above the inline limit
        assert [int(x) for b in batches for x in b.inputs["x"][:, 0]] == list(range(1, 401))
    assert 0 < len(sent_fds) < 30  # a one-off shared file per chunk would send 100 descriptors
