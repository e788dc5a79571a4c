"""Session fixtures of the end-to-end tests: models trained once per session for the tests that read them.

The runs go through the console scripts' own entry points in this process (`run_script`), so they
are what `tfaip-train ...` writes. A test that changes a run's files works on a copy.
"""

from pathlib import Path

import pytest

from tfaip.data.testing import run_script

# one tiny epoch of tutorial.min: a few batches, one worker process each
TUTORIAL_TINY = ["--trainer.epochs", "1", "--trainer.progress_bar", "False", "--train_val.limit_to", "64",
                 "--val.limit", "32", "--train.num_processes", "1", "--val.num_processes", "1",
                 "--trainer.random_seed", "3"]  # fmt: skip


@pytest.fixture(scope="session")
def tutorial_min_run(tmp_path_factory) -> Path:
    """The output dir of one tiny epoch of `tfaip-train tutorial.min` (checkpoint, best, export)."""
    output_dir = tmp_path_factory.mktemp("tutorial_min") / "model"
    result = run_script("tfaip-train", "tutorial.min", *TUTORIAL_TINY, "--trainer.output_dir", output_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return output_dir
