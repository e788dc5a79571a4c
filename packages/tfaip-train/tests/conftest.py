"""Session fixtures of tfaip-train's tests: runs that several tests read, trained once per session."""

import pytest

from tfaip.train import Trainer
from tfaip.train.testing import tiny_params, weights


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A finished one-epoch `tiny_params` run: its output dir (copy it to change it) and its trained weights."""
    output_dir = tmp_path_factory.mktemp("tiny") / "run"
    trainer = Trainer(tiny_params(output_dir))
    trainer.train()
    return output_dir, weights(trainer.root_graph)
