"""`fit` for MultiWorkerMirroredStrategy, which keras 3's `Model.fit` cannot run (keras-team/keras#20585).

keras' `fit` reduces the first distributed batch eagerly for its symbolic build, which the
collective strategy cannot do. This loop runs the model's own `train_step` and `test_step` the way
`fit` would, with the same callbacks in the same order:

- training: each worker feeds its own tfaip pipeline (its shard of the data) through
  `distribute_datasets_from_function`; a step is `strategy.run(train_step)` in a `tf.function`, the
  gradients being summed over all workers by the optimizer.
- the metrics: keras keeps them as sync-on-read variables, so that each worker updates its own
  and a read (at the end of an epoch or a validation) sums them over all workers: every worker
  sees the same epoch results, and early stopping and the best model agree everywhere.
- validation: each worker validates its own shard (its step count may differ from the others':
  no collective runs until the results are read).
- checkpoints inside epochs: the chief decides by time; its wish travels with the next step's
  gradients, so that every worker writes (takes part in) the same checkpoint. The wish of a step
  is read two steps later, when that step is done, so that the loop never waits for the step it
  just started (as keras' `fit` does not).
"""

import collections
from typing import Any, Deque, Dict, Optional

import keras
import tensorflow as tf

from tfaip.model import Cluster
from tfaip.train.multi_worker.lost import lost_worker


class MultiWorkerFit:
    """Trains a compiled keras model under MultiWorkerMirroredStrategy, like `Model.fit` with callbacks.

    Args:
        model: the model, built and compiled in `strategy.scope()`.
        strategy: the MultiWorkerMirroredStrategy.
        cluster: the workers and this one's index (to name a lost worker).
        run_eagerly: run the steps without `tf.function` (debugging).
    """

    def __init__(self, model: keras.Model, strategy: tf.distribute.Strategy, cluster: Cluster, run_eagerly=False):
        self.model, self.strategy, self.cluster = model, strategy, cluster
        self.checkpoint_wanted = False  # set before a step by the chief: a checkpoint is due
        self.checkpoint_agreed = False  # before a step: some worker wanted one, so all write it now
        compile_fn = (lambda f: f) if run_eagerly else tf.function
        self._train_step = compile_fn(self._distributed_train_step)
        self._test_step = compile_fn(lambda batch: strategy.run(model.test_step, (batch,)))

    def _distributed_train_step(self, iterator, wanted):
        def replica_step(batch, wanted):
            logs = self.model.train_step(batch)
            return logs, tf.distribute.get_replica_context().all_reduce("SUM", tf.reshape(wanted, [1]))

        return self.strategy.run(replica_step, (next(iterator), wanted))

    def fit(
        self,
        dataset: tf.data.Dataset,
        epochs: int,
        initial_epoch: int,
        steps_per_epoch: int,
        validation_data: Optional[tf.data.Dataset],
        validation_freq: int,
        callbacks: keras.callbacks.CallbackList,
        verbose: int = 0,
    ) -> Dict[str, float]:
        """Train from `initial_epoch` to `epochs`, `steps_per_epoch` steps each, on this worker's `dataset`.

        The arguments are those of keras' `fit`; `verbose` is not used (the callbacks report).

        Raises:
            WorkerLost: if another worker stopped answering.
        """
        try:
            return self._fit(
                dataset, epochs, initial_epoch, steps_per_epoch, validation_data, validation_freq, callbacks
            )
        except tf.errors.OpError as e:
            lost = lost_worker(e, self.cluster)
            if lost is None:
                raise
            raise lost from e

    def _fit(self, dataset, epochs, initial_epoch, steps_per_epoch, validation_data, validation_freq, callbacks):
        model = self.model
        iterator = iter(self.strategy.distribute_datasets_from_function(lambda _: dataset))
        logs: Dict[str, float] = {}
        callbacks.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            model.reset_metrics()
            wishes: Deque[tf.Tensor] = collections.deque()  # the agreed wish of each step in flight
            wish_sent = False  # one wish at a time: it holds until it came back agreed
            callbacks.on_epoch_begin(epoch)
            for step in range(steps_per_epoch):
                self.checkpoint_agreed = len(wishes) == 2 and bool(wishes.popleft().numpy()[0] > 0)
                wish_sent = wish_sent and not self.checkpoint_agreed
                callbacks.on_train_batch_begin(step)
                send, self.checkpoint_wanted = self.checkpoint_wanted and not wish_sent, False
                wish_sent = wish_sent or send
                step_logs, agreed = self._train_step(iterator, tf.constant(float(send)))
                wishes.append(self._local(agreed))
                callbacks.on_train_batch_end(step, {name: self._local(v) for name, v in step_logs.items()})
            logs = self._results()
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                logs.update(
                    {f"val_{name}": value for name, value in self._evaluate(validation_data, callbacks).items()}
                )
            callbacks.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        model.optimizer.finalize_variable_values(model.trainable_weights)  # as keras' fit: EMA weights in
        callbacks.on_train_end(logs)
        return logs

    def _evaluate(self, dataset: tf.data.Dataset, callbacks: keras.callbacks.CallbackList) -> Dict[str, float]:
        self.model.reset_metrics()
        callbacks.on_test_begin()
        for batch in dataset:
            self._test_step(batch)
        logs = self._results()
        callbacks.on_test_end(logs)
        return logs

    def _results(self) -> Dict[str, float]:
        """The metrics over all workers (a collective read: every worker calls it at the same point)."""
        return {name: float(value) for name, value in self.model.get_metrics_result().items()}

    def _local(self, value: Any) -> tf.Tensor:
        """The value of this worker (a tensor: reading it would wait for the step)."""
        return self.strategy.experimental_local_results(value)[0]
