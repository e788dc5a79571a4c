"""Exports trained once per test session and shared by the tfaip-serve tests."""

import os

import pytest
from serve_scenario import RecordedTrainerParams, train_and_export


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """Two differently trained exports (`a` records its LAV generator) and one with other pre-processing (`c`)."""
    root = tmp_path_factory.mktemp("exports")
    recorded = RecordedTrainerParams()
    recorded.gen.val.limit_to = 120
    scenarios = {
        "a": train_and_export(str(root / "a"), seed=1, hidden=32, trainer_params=recorded),
        "b": train_and_export(str(root / "b"), seed=2, hidden=8, epochs=2),
        "c": train_and_export(str(root / "c"), seed=3, hidden=16, scale=32.0),
    }
    return {name: (os.path.join(root, name), scenario) for name, scenario in scenarios.items()}
