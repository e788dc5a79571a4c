import multiprocessing
import re
import subprocess
import sys

import numpy as np
import pytest

from tfaip.data.parallel.transport import INLINE_LIMIT, Channel


@pytest.fixture
def channels():
    a, b = multiprocessing.Pipe(duplex=True)
    left, right = Channel(a), Channel(b)
    yield left, right
    left.close()
    right.close()


def test_large_arrays_cross_through_shared_memory_and_stay_writable(channels, monkeypatch):
    left, right = channels
    sent_fds = []
    import socket

    original = socket.send_fds
    monkeypatch.setattr(socket, "send_fds", lambda *a: sent_fds.append(1) or original(*a))
    image = np.random.rand(512, 512).astype(np.float32)
    left.send({"img": image, "small": np.arange(3)})
    received = right.recv()
    np.testing.assert_array_equal(received["img"], image)
    assert sent_fds == [1]
    received["img"][0, 0] = 5  # writable
    left.send(np.arange(10))
    assert right.recv().tolist() == list(range(10)) and sent_fds == [1]  # small: inline
    assert INLINE_LIMIT < image.nbytes


def test_importing_tfaip_data_does_not_import_tensorflow():
    code = "import sys, tfaip.data; print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_public_api_and_version():
    import tfaip.data

    assert re.fullmatch(r"\d+\.\d+\.\d+", tfaip.data.__version__)
    for name in tfaip.data.__all__:
        assert hasattr(tfaip.data, name), name
