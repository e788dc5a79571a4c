"""`Trainer`: trains a scenario with keras `Model.fit`, then exports it.

TrainerParams (written once to trainer_params.json, never changed) -> DeviceConfig
-> scenario.root_graph (RootGraph) + optimizer (schedule, EMA, accumulation)
-> warm-start (new run: TrainingState()) or checkpoint (resume: its variables, TrainingState and
   data position)
-> fit(train pipeline through BatchPositions, validation pipeline, callbacks); a run resumed inside
   an epoch first fits the rest of that epoch, then the other epochs. Under multi_worker, keras' fit
   is replaced by `MultiWorkerFit` (same steps and callbacks), each worker reads its shard of the
   data, and only the chief (worker 0) writes to the output dir
callbacks, in order: EMA for validation, LAV, best model + early stopping, TensorBoard,
"Results of epoch N" log, state (steps, checkpoints inside epochs and after each), progress bar
-> export/ (EMA weights)
"""

import copy
import dataclasses
import gc
import json
import logging
import os
import random
import re
import shutil
import time
from typing import Any, Dict, List, Optional

import keras
import numpy as np
import tensorflow as tf

from tfaip.data import BatchPositions, ConfigError, DataPipeline, StoppedError
from tfaip.data.tf import create_dataset
from tfaip.data.util.files import TRAINER_PARAMS_FILE, write_json_atomically
from tfaip.model import (
    Cluster,
    DeviceConfig,
    DistributionStrategy,
    ScenarioBase,
    TrainerPipelineParamsBase,
    current_cluster,
    recover_directory,
)
from tfaip.serve import LAVParams
from tfaip.train.best_export import BestExport
from tfaip.train.callbacks.early_stopping import BestModelCallback
from tfaip.train.callbacks.ema import EMAValidationCallback, assigned, ema_weights
from tfaip.train.callbacks.lav import LAVCallback
from tfaip.train.callbacks.logger import LoggerCallback
from tfaip.train.callbacks.progress import ProgressCallback
from tfaip.train.callbacks.state import StateCallback, TrainingCallbacks
from tfaip.train.callbacks.tensorboard import ProfileCallback, TensorBoardCallback
from tfaip.train.checkpoint import (
    has_checkpoint,
    load_checkpoint,
    read_checkpoint_params,
    read_position,
    read_training_state,
    read_values,
    write_checkpoint,
)
from tfaip.train.data_position import data_position, resume_position, scenario_code, worker_position
from tfaip.train.logs import training_logs
from tfaip.train.multi_worker.collectives import gather_ints, gather_objects
from tfaip.train.multi_worker.fit import MultiWorkerFit
from tfaip.train.params import TrainerParams
from tfaip.train.training_state import TrainingState

logger = logging.getLogger(__name__)
CHECKPOINT_BUDGET = 0.02  # the share of the training time that checkpoints inside epochs may take by time


class Trainer:
    """Trains the scenario of `TrainerParams` and writes its output dir.

    Args:
        params: the trainer params (with the scenario's params and data).
        scenario: the scenario to train (default: created from `params.scenario`).
        restore: continue from the checkpoint (`tfaip-resume-training`): its weights and `TrainingState`.

    The params are the run's configuration: the Trainer never changes them. How far the run got
    is `trainer.state` (a `TrainingState`), which each checkpoint carries; a new run (`train()`
    without `restore`) starts from a fresh one.

    Example:
        >>> trainer = TutorialScenario.create_trainer(params)
        >>> logs = trainer.train()          # the last epoch's losses and metrics
        >>> trainer.state.epoch, trainer.state.best
        (5, 0.93)
    """

    def __init__(self, params: TrainerParams, scenario: Optional[ScenarioBase] = None, restore: bool = False):
        self.params = params
        self.scenario = scenario if scenario is not None else params.scenario.create()
        self.restore = restore
        if params.export_best and not params.output_dir:
            raise ConfigError("--trainer.export_best True needs an --trainer.output_dir to export to.")
        self.state = TrainingState()
        self.root_graph: Optional[keras.Model] = None
        self.steps_per_epoch = 0
        self.best_callback: Optional[BestModelCallback] = None
        self.best_export = BestExport(self._export_best, self._weights_to_export, params.export_best_budget)
        self.feed: Optional[_Feed] = None  # the training data of the running fit
        self._identity: Dict[str, Any] = {}  # what the data position is valid for (data_position.py)
        self._epoch_metrics: Optional[List[np.ndarray]] = None  # restored when a resumed epoch starts
        self._last_checkpoint = (0.0, 0)  # time.monotonic() and global step of the latest checkpoint
        self._checkpoint_seconds = 0.0  # how long writing it took
        self.cluster: Optional[Cluster] = None  # multi_worker: the workers and this one's index
        self._strategy: Optional[tf.distribute.Strategy] = None
        self._multi_worker_fit: Optional[MultiWorkerFit] = None

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the output dir: always, except on the other workers of a multi-worker run."""
        return self.cluster is None or self.cluster.is_chief

    # ---- paths ----------------------------------------------------------------------------------

    def _path(self, name: str) -> Optional[str]:
        return os.path.join(self.params.output_dir, name) if self.params.output_dir else None

    @property
    def checkpoint_dir(self) -> Optional[str]:
        """Where the checkpoint goes (None: no output dir)."""
        return self.params.checkpoint_dir or self._path("checkpoint")

    # ---- training -------------------------------------------------------------------------------

    def train(self, callbacks: Optional[List[keras.callbacks.Callback]] = None) -> Dict[str, float]:
        """Train for the remaining epochs and export; returns the last epoch's logs."""
        p = self.params
        if not self.restore:
            self.state = TrainingState()  # a new run
        self.cluster = current_cluster() if self._strategy_name() == DistributionStrategy.MULTI_WORKER else None
        with training_logs(self._prepare_output_dir(), p.verbose if self.is_chief else 0):
            return self._train(callbacks or [])

    def _strategy_name(self) -> DistributionStrategy:
        return DistributionStrategy(self.params.dist_strategy or self.params.device.dist_strategy)

    def _prepare_output_dir(self) -> Optional[str]:
        """Claim the output dir and write the params there (the chief only); returns the log file."""
        p = self.params
        if not p.output_dir or not self.is_chief:
            return None
        if not self.restore:
            self._claim_output_dir()
        os.makedirs(p.output_dir, exist_ok=True)
        if not self.restore or not os.path.isfile(self._path(TRAINER_PARAMS_FILE)):
            # the run's configuration, written once: from now on tfaip-resume-training can continue the run
            write_json_atomically(self._path(TRAINER_PARAMS_FILE), p.to_dict())
        return self._path("train.log")

    def _claim_output_dir(self) -> None:
        """Refuse an output dir holding an earlier run, or clear it with `overwrite_output_dir`."""
        p = self.params
        params_file = self._path(TRAINER_PARAMS_FILE)
        if not os.path.isfile(params_file):
            return
        progress = self._earlier_progress(params_file)
        if not p.overwrite_output_dir and progress is not None:
            raise ConfigError(
                f"{p.output_dir} holds an earlier training run{progress}. Continue it with tfaip-resume-training "
                f"{p.output_dir}, choose another --trainer.output_dir, or replace it with "
                "--trainer.overwrite_output_dir True."
            )
        names = [TRAINER_PARAMS_FILE, "train.log", "best", "export", "train", "validation"]
        names += [name for name in os.listdir(p.output_dir) if re.fullmatch(r"lav_l\d+", name)]
        for path in [self.checkpoint_dir] + [self._path(name) for name in names]:
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
        logger.debug("Removed the earlier run in %s.", p.output_dir)

    def _earlier_progress(self, params_file: str) -> Optional[str]:
        """How far the earlier run in the output dir got: " (epoch 3 of 10 done)", or "" when unknown.

        None when it failed before writing a checkpoint or a model: nothing to continue or keep, a new run replaces it.
        """
        try:
            with open(params_file, encoding="utf-8") as f:
                earlier = json.load(f)
            checkpoint = earlier.get("checkpoint_dir") or self._path("checkpoint")
            if has_checkpoint(checkpoint):
                return f" (epoch {read_training_state(checkpoint).epoch} of {earlier['epochs']} done)"
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return ""
        return " (epoch 0 done)" if any(os.path.exists(self._path(name)) for name in ("best", "export")) else None

    def _train(self, user_callbacks: List[keras.callbacks.Callback]) -> Dict[str, float]:
        p = self.params
        if self.cluster is not None and p.lav_every_n > 0:
            raise ConfigError(
                "--trainer.lav_every_n does not run under --trainer.dist_strategy multi_worker: run tfaip-lav on "
                "OUTPUT_DIR/best after the training instead."
            )
        device = dataclasses.replace(p.device, dist_strategy=self._strategy_name())
        device_config = DeviceConfig(device)  # first: a multi-worker strategy needs an unstarted TensorFlow runtime
        self._strategy = device_config.strategy
        if p.random_seed is not None:
            os.environ["PYTHONHASHSEED"] = str(p.random_seed)
            random.seed(p.random_seed)
            np.random.seed(p.random_seed)
            keras.utils.set_random_seed(p.random_seed)
        if p.deterministic_ops:
            tf.config.experimental.enable_op_determinism()
        if self.is_chief:
            for path in (self.checkpoint_dir, self._path("best"), self._path("export")):
                if path:
                    recover_directory(path)
        gen = self._worker_pipelines()
        train_pipeline = gen.train_data(self.scenario.data)
        train_shards = self._shard_sizes(train_pipeline, "train")
        train_samples = train_shards[self.cluster.index if self.cluster else 0]
        self.steps_per_epoch = self._steps_per_epoch(sum(train_shards))
        val_pipeline = gen.val_data(self.scenario.data)
        if val_pipeline is not None:
            self._shard_sizes(val_pipeline, "val")
        with device_config.scope():
            self.root_graph = graph = self.scenario.root_graph
            graph.compile(optimizer=self._create_optimizer(), run_eagerly=p.force_eager)
            self._freeze(graph)
            graph.optimizer.build(graph.trainable_variables)
            if self.cluster is not None:
                self._multi_worker_fit = MultiWorkerFit(graph, self._strategy, self.cluster, p.force_eager)
            self._identity = {"samples": train_samples, "code": scenario_code(self.scenario)}
            if self.restore:
                self._resume(train_pipeline)
            elif p.warmstart.model:
                p.warmstart.create().warmstart(graph)
        if self.is_chief and p.output_dir and (p.export_final or p.export_best is not False):
            self.scenario.check_export_formats()  # a graph that LiteRT or ONNX cannot take fails now, not after epoch 1
        logs: Dict[str, float] = {}
        if self.state.epoch < p.epochs and self.state.stop_reason is None:
            try:
                logs = self._fit(train_pipeline, val_pipeline, user_callbacks)
            except (KeyboardInterrupt, StoppedError):
                self.best_export.flush()  # Ctrl-C or a lost worker leaves the best model found so far in best/
                raise
        else:
            logger.info("All %d epochs are done; only the final export is left.", p.epochs)
        self.best_export.flush()
        if p.export_final and p.output_dir and self.is_chief:
            logger.info("Exported the final model to %s.", self._export("export"))
        return logs

    def _worker_pipelines(self) -> TrainerPipelineParamsBase:
        """The pipeline params of this process: under multi_worker, each worker's shard of the data."""
        gen = self.params.gen
        if self.cluster is None:
            return gen
        gen = copy.deepcopy(gen)
        for flag, setup in (("train", gen.setup.train), ("val", gen.setup.val)):
            if setup.shard_count != 1:
                raise ConfigError(
                    f"--{flag}.shard_count {setup.shard_count}: under --trainer.dist_strategy multi_worker, each "
                    "worker takes its shard of the data by itself; leave the shard flags out."
                )
            setup.shard_index, setup.shard_count = self.cluster.index, len(self.cluster.workers)
        return gen

    def _resume(self, train_pipeline: DataPipeline) -> None:
        """Take over the checkpoint: variables, TrainingState, the data position (with the warnings it needs)."""
        path = self.checkpoint_dir
        restored = load_checkpoint(path, self.root_graph)
        self.best_export.pending = restored.best_weights if self.is_chief else None
        self.state = read_training_state(path)
        self._epoch_metrics = restored.metrics if self.state.step > 0 else None
        if not restored.seeds:
            logger.warning("The checkpoint holds no states of the random seed generators (dropout): they start afresh.")
        position = read_position(path)
        if self.cluster is not None:
            position = worker_position(position, self.cluster.index, len(self.cluster.workers))
        resume_position(position, self._identity, self.params.to_dict(), read_checkpoint_params(path), train_pipeline)
        inside = f" and step {self.state.step} of epoch {self.state.epoch + 1}" if self.state.step else ""
        logger.info("Resumed from %s after epoch %d%s.", path, self.state.epoch, inside)
        self.best_export.flush()

    def _fit(self, train_pipeline: DataPipeline, val_pipeline, user_callbacks) -> Dict[str, float]:
        """Fit the remaining epochs: with a checkpoint inside an epoch, first its rest (a fit of its own)."""
        p = self.params
        val_data = create_dataset(val_pipeline) if val_pipeline is not None else None
        logger_callback = LoggerCallback(p.epochs)
        callbacks = TrainingCallbacks(
            self._callbacks(logger_callback, val_data) + user_callbacks, self.root_graph, self.steps_per_epoch, p.epochs
        )
        self._last_checkpoint = (time.monotonic(), self._global_step())
        try:
            if self.state.step > 0:  # resumed inside an epoch: its rest first
                callbacks.last_fit = False
                self._fit_epochs(train_pipeline, val_data, callbacks, self.state.epoch + 1)
                callbacks.last_fit = True
                done = self.state.epoch == p.epochs or self.state.stop_reason or self.root_graph.stop_training
                if done:  # the end of training that this fit left out
                    self.root_graph.optimizer.finalize_variable_values(self.root_graph.trainable_weights)
                    callbacks.on_train_end(logger_callback.last_logs)
                    return logger_callback.last_logs
                train_pipeline.load_state_dict(self.feed.positions.state_dict())
            self._fit_epochs(train_pipeline, val_data, callbacks, p.epochs)
        finally:
            self.feed = None
            del val_data
            gc.collect()  # closes the pipelines' generators (and their worker processes) now
        return logger_callback.last_logs

    def _fit_epochs(self, train_pipeline: DataPipeline, val_data, callbacks, epochs: int) -> None:
        """One `fit` from the state's epoch and step up to `epochs`, on a new run of the training data."""
        self.feed = _Feed(train_pipeline)
        self._use_steps_per_execution(self.steps_per_epoch - self.state.step)
        fit = self._multi_worker_fit.fit if self._multi_worker_fit is not None else self.root_graph.fit
        fit(
            self.feed.dataset,
            epochs=epochs,
            initial_epoch=self.state.epoch,
            steps_per_epoch=self.steps_per_epoch - self.state.step,
            validation_data=val_data,
            validation_freq=self.params.val_every_n,
            callbacks=callbacks,
            verbose=0,
        )

    def _use_steps_per_execution(self, steps: int) -> None:
        """Let each call into TensorFlow run the largest divisor of `steps` up to --trainer.steps_per_execution.

        `steps` are those of each epoch of the coming `fit`. A divisor: keras' last call of an epoch
        would otherwise run past its end. One step per call with force_eager, under multi_worker (its
        own loop) and under mirror: keras' loop of several steps fails under MirroredStrategy
        (keras-team/keras#19246).
        """
        graph = self.root_graph
        one_per_call = self.params.force_eager or isinstance(self._strategy, tf.distribute.MirroredStrategy)
        limit = 1 if one_per_call or self._multi_worker_fit is not None else self.params.steps_per_execution
        n = max(d for d in range(1, min(limit, steps) + 1) if steps % d == 0)
        if graph.steps_per_execution != n:
            graph.steps_per_execution = n
            graph.train_function = None  # traced again for n steps

    def _shard_sizes(self, pipeline: DataPipeline, flag: str) -> List[int]:
        """The samples of one pass of each worker's shard (one: this process's data).

        No samples are a ConfigError on every worker (an empty pass would never end an epoch).
        """
        sizes = [len(pipeline)] if self.cluster is None else gather_ints(self._strategy, len(pipeline))
        data = "training" if flag == "train" else "validation"
        if sum(sizes) == 0:
            raise ConfigError(f"The {data} data holds no samples: check its generator params and --{flag}.limit.")
        if 0 in sizes:
            raise ConfigError(
                f"The {data} data holds {sum(sizes)} samples, too few for {len(sizes)} workers: the shard of worker "
                f"{sizes.index(0)} is empty. Start fewer workers or give them more data."
            )
        return sizes

    def _steps_per_epoch(self, train_samples: int) -> int:
        """Steps of an epoch of `train_samples` (of all shards); under multi_worker, a step takes a batch per worker."""
        p = self.params
        workers = len(self.cluster.workers) if self.cluster is not None else 1
        samples = p.samples_per_epoch if p.samples_per_epoch > 0 else int(train_samples * p.scale_epoch_size)
        steps = samples // (p.gen.setup.train.batch_size * workers)
        if steps < 1:
            on_workers = f" on each of {workers} workers" if workers > 1 else ""
            raise ConfigError(
                f"An epoch of {samples} samples holds no full batch of {p.gen.setup.train.batch_size}{on_workers}: "
                "raise --trainer.samples_per_epoch or --trainer.scale_epoch_size, or lower --train.batch_size."
            )
        return steps

    def _ema_momentum(self) -> Optional[float]:
        rate = self.params.calc_ema
        if rate >= 0:
            return rate or None
        samples = self.steps_per_epoch * self.params.gen.setup.train.batch_size
        return float(np.clip(0.75 ** (self.params.gen.setup.train.batch_size / samples), 0.99, 0.99975))

    def _create_optimizer(self) -> keras.optimizers.Optimizer:
        p = self.params
        schedule = p.learning_rate.create(p.epochs, self.steps_per_epoch)
        return p.optimizer.create(schedule, p.learning_rate.lr, p.train_accum_steps, self._ema_momentum())

    def _freeze(self, graph: keras.Model) -> None:
        if not self.params.no_train_scope:
            return
        pattern = re.compile(self.params.no_train_scope)
        layers = sublayers(graph)
        frozen = [layer for layer in layers if pattern.fullmatch(layer.path or "")]
        if not frozen:
            raise ConfigError(
                f"--trainer.no_train_scope {self.params.no_train_scope!r} matches no layer; the layers are "
                f"{sorted(layer.path for layer in layers if layer.path)}."
            )
        for layer in frozen:
            layer.trainable = False  # also freezes the layer's children
        logger.info("Not training %s.", ", ".join(layer.path for layer in frozen))

    # ---- callbacks ------------------------------------------------------------------------------

    def _callbacks(self, logger_callback: LoggerCallback, val_data) -> List[keras.callbacks.Callback]:
        p = self.params
        mode, monitor = self.scenario.best_logging_settings()
        if not monitor.startswith(("val_", "lav_")):
            monitor = f"val_{monitor}"
        self.state.monitor = monitor
        export_best = p.export_best if p.export_best is not None else bool(p.output_dir)
        self.best_callback = BestModelCallback(
            p.early_stopping,
            self.state,
            mode,
            monitor,
            self.best_export.improved if export_best and self.is_chief else None,
        )
        callbacks: List[keras.callbacks.Callback] = [EMAValidationCallback()]
        if p.lav_every_n > 0:
            callbacks.append(LAVCallback(self._run_lav, p.lav_every_n, p.epochs))
        callbacks.append(self.best_callback)
        if p.output_dir and self.is_chief:
            image_batch = (lambda: next(iter(val_data.take(1)))) if val_data is not None else None
            callbacks.append(TensorBoardCallback(p.output_dir, image_batch))
            if p.profile:
                callbacks.append(ProfileCallback(p.output_dir))
        callbacks += [logger_callback, StateCallback(self)]
        if p.progress_bar and p.verbose > 0 and self.is_chief:
            callbacks.append(ProgressCallback(p.epochs, self.steps_per_epoch, first_step=self.state.step))
        return callbacks

    def _export(self, name: str, weights: Optional[List[np.ndarray]] = None) -> str:
        """Export the model to OUTPUT_DIR/name, replacing an earlier export; returns the path.

        The model's EMA weights are exported, or `weights` (values of `graph.weights`) if given.
        """
        path = self._path(name)
        with ema_weights(self.root_graph) if weights is None else assigned(self.root_graph.weights, weights):
            self.scenario.export(path, trainer_params=self.params, overwrite=True)
        return path

    def _export_best(self, weights: Optional[List[np.ndarray]]) -> None:
        path = self._export("best", weights)
        logger.info("Exported the best model of epoch %d to %s.", self.state.best_epoch + 1, path)

    def _weights_to_export(self) -> List[np.ndarray]:
        with ema_weights(self.root_graph):
            return [v.numpy() for v in self.root_graph.weights]

    def _run_lav(self, epoch: int) -> List[Dict[str, Any]]:
        p = self.params
        setup = p.gen.setup.val
        lav_params = LAVParams(
            batch_size=setup.batch_size, num_processes=setup.num_processes, limit=setup.limit,
            silent=p.lav_silent, progress_bar=False, run_eagerly=p.force_eager,
        )  # fmt: skip
        with ema_weights(self.root_graph):
            lav = type(self.scenario).create_lav(self.root_graph, lav_params)
            results = list(lav.run(p.gen.lav_gen(), print_fn=logger.info))
        for i, r in enumerate(results):
            logger.info("LAV l%d of epoch %d: %s", i, epoch + 1, " - ".join(f"{k}: {v:.4f}" for k, v in r.items()))
        return results

    def _global_step(self) -> int:
        return self.state.epoch * self.steps_per_epoch + self.state.step

    def step_begins(self) -> None:
        """`state.step` steps of the epoch are done: write a checkpoint if one is due inside the epoch."""
        p = self.params
        if not (p.write_checkpoints and self.checkpoint_dir) or self.state.step == 0:
            return
        since, steps = time.monotonic() - self._last_checkpoint[0], self._global_step() - self._last_checkpoint[1]
        n, minutes = p.checkpoint_every_n_steps, p.checkpoint_every_minutes
        # by time, checkpoints take at most CHECKPOINT_BUDGET of the training: after a slow write the next waits longer
        interval = max(60 * minutes, self._checkpoint_seconds / CHECKPOINT_BUDGET)
        due = steps > 0 and ((n and steps >= n) or (minutes and since >= interval))
        if self._multi_worker_fit is None:
            if due:
                self._write_checkpoint(inside_epoch=True)
            return
        # every worker takes part in a checkpoint: the chief's wish travels with the next step to all
        if self._multi_worker_fit.checkpoint_agreed:
            self._write_checkpoint(inside_epoch=True)
        elif due and self.is_chief:
            self._multi_worker_fit.checkpoint_wanted = True

    def end_of_epoch(self, epoch: int) -> None:
        """Record that `epoch` (0-based) finished: the state says so, and the checkpoint gets it."""
        self.state.epoch, self.state.step = epoch + 1, 0
        self.best_export.epoch_end()
        if self.params.write_checkpoints and self.checkpoint_dir:
            self._write_checkpoint(inside_epoch=False)

    def _write_checkpoint(self, inside_epoch: bool) -> None:
        """The checkpoint of now: variables (with the running epoch metrics inside an epoch), state, data position."""
        start = time.monotonic()
        position = data_position(self.feed.positions.state_dict(), self._identity)
        if self.is_chief:
            values = read_values(self.root_graph, with_metrics=inside_epoch)
        elif inside_epoch:  # the chief's read of the metrics sums them over the workers: a collective
            for variable in self.root_graph.metrics_variables:
                variable.numpy()
        if self.cluster is not None:
            position["workers"] = gather_objects(self._strategy, position)
        if self.is_chief:
            write_checkpoint(
                self.checkpoint_dir, values, self.params.to_dict(), self.state, self.best_export.pending, position
            )
        self._last_checkpoint = (time.monotonic(), self._global_step())
        self._checkpoint_seconds = self._last_checkpoint[0] - start
        if inside_epoch:
            logger.debug("Checkpoint at step %d of epoch %d.", self.state.step, self.state.epoch + 1)

    def restore_epoch_metrics(self) -> None:
        """A resumed epoch starts: its metrics continue from the checkpoint's (keras just reset them)."""
        values, self._epoch_metrics = self._epoch_metrics, None
        if values is None:
            return
        variables = self.root_graph.metrics_variables
        if len(values) != len(variables):
            raise ConfigError(
                f"The checkpoint holds {len(values)} metric variables, the model {len(variables)}: it was written by a "
                "different model."
            )
        for variable, value in zip(variables, values):
            variable.assign(value)


def sublayers(layer: keras.Layer) -> List[keras.Layer]:
    """Every layer inside `layer` (not `layer` itself), each once, parents before their children.

    Keras tracks a layer that is assigned to an attribute of another layer (also inside a list,
    tuple or dict) as its sublayer; this walks those attributes, and a Model's `layers`.
    """
    found: List[keras.Layer] = []
    seen = {id(layer)}

    def children(parent: keras.Layer) -> List[keras.Layer]:
        result = list(parent.layers) if isinstance(parent, keras.Model) else []
        pending = list(vars(parent).values())
        while pending:
            value = pending.pop(0)
            if isinstance(value, keras.Layer):
                result.append(value)
            elif isinstance(value, (list, tuple)):
                pending[:0] = list(value)
            elif isinstance(value, dict):
                pending[:0] = list(value.values())
        return result

    def visit(parent: keras.Layer) -> None:
        for child in children(parent):
            if id(child) not in seen:
                seen.add(id(child))
                found.append(child)
                visit(child)

    visit(layer)
    return found


class _Feed:
    """The training data of one `fit`: a run of the pipeline, and its position after the batches trained on."""

    def __init__(self, pipeline: DataPipeline):
        self.positions = BatchPositions(pipeline, auto_repeat=True)
        self.dataset = create_dataset(pipeline, auto_repeat=True, positions=self.positions)
        self.used = 0  # batches the training took from this run
