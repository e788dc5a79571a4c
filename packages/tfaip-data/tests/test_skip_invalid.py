"""`skip_invalid`: a sample whose processor fails is skipped and counted in one warning per pass."""

import pytest

from tfaip.data import DataPipelineParams, DataProcessorError, PipelineMode
from tfaip.data.testing import CountGeneratorParams, FailParams, ToArrayParams, batches_of, data_params


def skipping(*processors, parallel=True):
    params = data_params([ToArrayParams(), *processors], parallel=parallel)
    params.skip_invalid = True
    return params


def test_without_it_the_first_failure_stops_the_pipeline():
    with pytest.raises(DataProcessorError, match="Fail failed .*KeyError: 'no such glyph'"):
        batches_of(data_params([ToArrayParams(), FailParams(at=3)]), n=10)


@pytest.mark.parametrize("parallel", [False, True])
def test_the_failing_sample_is_skipped_and_counted_in_one_warning(parallel, caplog):
    with caplog.at_level("WARNING", logger="tfaip.data"):
        batches = batches_of(skipping(FailParams(at=3), parallel=parallel), n=10)
    ids = [int(y) for b in batches for y in b.targets["y"][:, 0]]
    assert ids == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "The training pipeline skipped 1 sample(s) whose processors failed (--data.skip_invalid): "
        "1x Fail: KeyError: 'no such glyph'."
    ]


def test_a_repeated_source_warns_once_per_pass(caplog):
    params = skipping(FailParams(at=3), parallel=False)
    setup = DataPipelineParams(mode=PipelineMode.TRAINING, batch_size=5, num_processes=1)
    pipeline = params.create().create_pipeline(setup, CountGeneratorParams(n=10))
    with caplog.at_level("WARNING", logger="tfaip.data"), pipeline.generate_input_batches(auto_repeat=True) as it:
        for _ in range(7):  # a little more than three passes of 9 samples (two batches each)
            next(it)
    warnings = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    # three pass boundaries crossed; the shuffled passes blend, so a warning counts 1 or 2 failures
    assert len(warnings) == 3 and all("Fail: KeyError: 'no such glyph'" in w for w in warnings)
