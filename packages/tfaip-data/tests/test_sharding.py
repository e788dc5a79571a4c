"""Shards: disjoint, deterministic parts of the data, one per process (multi-worker training)."""

import pickle
import random
from dataclasses import dataclass

import pytest
from paiargparse import pai_dataclass

from tfaip.data import ConfigError, DataGenerator, DataGeneratorParams, DataPipelineParams
from tfaip.data.testing.toy import (
    READ,
    TRAINING,
    CountGeneratorParams,
    IndexedGeneratorParams,
    ToArrayParams,
    data_params,
    make_sample,
)


@pai_dataclass
@dataclass
class OwnShardParams(DataGeneratorParams):
    @staticmethod
    def cls():
        return OwnShard


class OwnShard(DataGenerator[OwnShardParams]):
    """Yields its own shard: five samples numbered by the shard."""

    shards_itself = True

    def __len__(self):
        return 5

    def generate(self):
        return (make_sample(100 * self.shard_index + k) for k in range(5))


def _pipeline(generator, shard_index, shard_count=3, **kwargs):
    params = DataPipelineParams(
        mode=TRAINING, batch_size=4, num_processes=2, shuffle_buffer_size=6, limit=20,
        shard_index=shard_index, shard_count=shard_count, **kwargs,
    )  # fmt: skip
    return data_params([ToArrayParams()]).create().create_pipeline(params, generator)


def _ids(pipeline, seed=1):
    random.seed(seed)
    with pipeline.generate_input_samples() as samples:
        return [int(s.meta["id"][1:]) for s in samples]


GENERATORS = {"plain": CountGeneratorParams(n=23), "indexed": IndexedGeneratorParams(n=23)}


@pytest.mark.parametrize("generator", GENERATORS.values(), ids=GENERATORS.keys())
def test_shards_are_disjoint_cover_the_limited_data_and_are_deterministic(generator):
    READ.clear()
    shards = [_ids(_pipeline(generator, i)) for i in range(3)]
    for i, ids in enumerate(shards):
        assert sorted(ids) == list(range(i, 20, 3))  # sample k goes to shard k % 3, after the limit of 20
        assert len(_pipeline(generator, i)) == len(ids)
        assert _ids(_pipeline(generator, i)) == ids  # the same seed: the same order
    assert any(ids != sorted(ids) for ids in shards), "each shard is shuffled"
    if isinstance(generator, IndexedGeneratorParams):
        assert sorted(READ) == sorted(2 * list(range(20)))  # by its own shard only, in its two runs


def test_a_generator_that_shards_itself_is_taken_whole():
    pipeline = _pipeline(OwnShardParams(), 2)
    assert sorted(_ids(pipeline)) == [200, 201, 202, 203, 204] and len(pipeline) == 5


def test_a_shard_resumes_exactly():
    def take(pipeline, n):
        with pipeline.generate_input_batches(auto_repeat=True) as batches:
            return [b.meta for b in (next(batches) for _ in range(n))], pipeline.state_dict()

    random.seed(4)
    straight, _ = take(_pipeline(IndexedGeneratorParams(n=23), 1), 9)
    random.seed(4)
    first, state = take(_pipeline(IndexedGeneratorParams(n=23), 1), 4)
    resumed = _pipeline(IndexedGeneratorParams(n=23), 1)
    resumed.load_state_dict(pickle.loads(pickle.dumps(state)))
    rest, _ = take(resumed, 5)
    assert first + rest == straight


@pytest.mark.parametrize(("index", "count"), [(3, 3), (-1, 2), (0, 0)])
def test_a_shard_outside_the_count_is_refused(index, count):
    with pytest.raises(ConfigError, match="shard"):
        DataPipelineParams(shard_index=index, shard_count=count)


def test_apply_takes_the_shard_too():
    params = DataPipelineParams(mode=TRAINING, batch_size=4, shard_index=1, shard_count=3)
    processors = data_params([ToArrayParams()]).pre_proc
    ids = [int(s.meta["id"][1:]) for s in processors.create(params, data_params([])).apply(CountGeneratorParams(n=10))]
    assert ids == [1, 4, 7]
    own = [int(s.meta["id"][1:]) for s in processors.create(params, data_params([])).apply(OwnShardParams())]
    assert own == [100, 101, 102, 103, 104]  # a generator that shards itself is taken whole
