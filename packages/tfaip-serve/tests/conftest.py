import pytest

from tfaip.serve.testing.scenario import train_exports


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """Two differently trained exports (`a` records its LAV generator) and one with other pre-processing (`c`)."""
    return train_exports(str(tmp_path_factory.mktemp("exports")))
