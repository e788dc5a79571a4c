"""What the workers of a multi-worker training exchange besides gradients: counts and pickled objects.

Every worker must call these functions at the same point of the training, as with any collective
operation; a worker that skips one leaves the others waiting.
"""

import functools
import pickle
from typing import Any, Callable, List

import numpy as np
import tensorflow as tf


def _all_gather(strategy: tf.distribute.Strategy, values: np.ndarray) -> np.ndarray:
    """The int32 `values` [n] of every replica, stacked [replicas, n] (the replicas of worker 0 first)."""
    gathered = _gather_function(strategy)(tf.constant(values, tf.int32))
    return strategy.experimental_local_results(gathered)[0].numpy()


@functools.cache
def _gather_function(strategy: tf.distribute.Strategy) -> Callable:
    def gather(x):
        return tf.distribute.get_replica_context().all_gather(tf.identity(x)[None], axis=0)

    return tf.function(lambda x: strategy.run(gather, (x,)), input_signature=[tf.TensorSpec([None], tf.int32)])


def gather_ints(strategy: tf.distribute.Strategy, value: int) -> List[int]:
    """`value` of each worker, in worker order."""
    per_replica = _all_gather(strategy, np.array([value]))[:, 0]
    return [int(v) for v in per_replica[:: _replicas_per_worker(strategy)]]


def gather_objects(strategy: tf.distribute.Strategy, obj: Any) -> List[Any]:
    """`obj` (picklable) of each worker, in worker order."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sizes = gather_ints(strategy, len(data))
    padded = np.zeros(-(-max(sizes) // 4) * 4, np.uint8)  # int32 words: collectives carry no bytes
    padded[: len(data)] = np.frombuffer(data, np.uint8)
    words = _all_gather(strategy, padded.view(np.int32))[:: _replicas_per_worker(strategy)]
    return [pickle.loads(row.tobytes()[:size]) for row, size in zip(words, sizes)]


def _replicas_per_worker(strategy: tf.distribute.Strategy) -> int:
    return len(strategy.extended.worker_devices)
