"""SIGTERM stops a training as Ctrl-C does, but not the processes the training forked (its data workers)."""

import multiprocessing
import os
import signal
import time

import pytest

from tfaip.train.cli.command_line import sigterm_as_ctrl_c


def test_sigterm_interrupts_the_process_that_asked_for_it():
    with sigterm_as_ctrl_c(), pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored after the block


def test_a_forked_child_ends_on_sigterm_as_by_default():
    with sigterm_as_ctrl_c():
        child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))
        child.start()
        time.sleep(0.2)
        child.terminate()  # how a data pipeline stops its workers
        child.join(10)
    assert child.exitcode == -signal.SIGTERM  # not 1 with a KeyboardInterrupt traceback
