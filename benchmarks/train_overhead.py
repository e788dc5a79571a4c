"""Training overhead: `tfaip-train tutorial.min` against the same CNN in a plain Keras `model.fit`, in one run.

Both train the Minimal Tutorial CNN on the same bundled digits (the 1,500 training images,
repeated to `--samples_per_epoch`), with the same batch size, optimizer (Adam, learning rate
0.001 with the tutorial's exponential decay) and validation on the 297 test digits after
every epoch. Two setups, each run by both:

- `bare`: training and validation only (tfaip without an output dir; `fit` with validation data);
- `outputs`: what a real run writes. tfaip with an output dir: a checkpoint every epoch,
  `best/` exported when validation improves, TensorBoard scalars, `train.log` and the final
  `export/`. Keras: `ModelCheckpoint` of the full model every epoch and of the best one,
  `TensorBoard`, then `model.export` of the final model.

tfaip runs as a user runs it: `TrainerParams` with the defaults of `tfaip-train` (its data
pipeline included, and `--trainer.steps_per_execution`, which `--steps_per_execution` changes)
except the flags named here. Keras runs as a hand-written script does: one step per call.
The variants alternate `--repeats` times; seconds per epoch leave out the first epoch (tracing)
and come from the time between the ends of the epochs; the ratio is the median of the paired
ratios. Prints one JSON line.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Callable, Dict, List

import keras
import numpy as np
from tfaip_scenarios.tutorial.datasets import load_split
from tfaip_scenarios.tutorial.min.scenario import TutorialScenario

from tfaip.train import TrainerParams

SETUPS = ("bare", "outputs")


class EpochClock(keras.callbacks.Callback):
    """Records the time at the end of each epoch (as the last callback: after the checkpoint and export)."""

    def __init__(self):
        super().__init__()
        self.ends: List[float] = []

    def on_epoch_end(self, epoch, logs=None):
        self.ends.append(time.perf_counter())

    def seconds_per_epoch(self) -> float:
        return (self.ends[-1] - self.ends[0]) / (len(self.ends) - 1)


def plain_keras_model() -> keras.Model:
    """The tutorial's CNN as a user writes it in Keras."""
    images = keras.Input((28, 28), dtype="uint8", name="img")
    x = keras.layers.Rescaling(1 / 255)(keras.ops.cast(images, "float32"))
    x = keras.layers.Reshape((28, 28, 1))(x)
    x = keras.layers.Conv2D(16, (2, 2), padding="same")(x)
    x = keras.layers.MaxPool2D((2, 2), strides=(2, 2))(x)
    x = keras.layers.Conv2D(32, (2, 2), padding="same")(x)
    x = keras.layers.MaxPool2D((2, 2), strides=(2, 2))(x)
    x = keras.layers.Dense(128, activation="relu")(keras.layers.Flatten()(x))
    return keras.Model(images, keras.layers.Dense(10)(x))


def run_keras(setup: str, out_dir: str, epochs: int, samples_per_epoch: int, batch_size: int) -> float:
    train_x, train_y = load_split("digits", True)
    val_x, val_y = load_split("digits", False)
    repeats = -(-samples_per_epoch // len(train_x))
    x, y = np.tile(train_x, (repeats, 1, 1))[:samples_per_epoch], np.tile(train_y, repeats)[:samples_per_epoch]
    steps = samples_per_epoch // batch_size
    model = plain_keras_model()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.001, 3 * steps, 0.99, staircase=True)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["sparse_categorical_accuracy"],
    )
    clock = EpochClock()
    callbacks: List[keras.callbacks.Callback] = []
    if setup == "outputs":
        callbacks += [
            keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "checkpoint.keras")),
            keras.callbacks.ModelCheckpoint(
                os.path.join(out_dir, "best.keras"), monitor="val_sparse_categorical_accuracy", save_best_only=True
            ),
            keras.callbacks.TensorBoard(out_dir, write_graph=False),
        ]
    model.fit(
        x, y, batch_size=batch_size, epochs=epochs, validation_data=(val_x, val_y), callbacks=[*callbacks, clock],
        verbose=0,
    )  # fmt: skip
    if setup == "outputs":
        model.export(os.path.join(out_dir, "export"), verbose=False)
    return clock.seconds_per_epoch()


def run_tfaip(
    setup: str, out_dir: str, epochs: int, samples_per_epoch: int, batch_size: int, steps_per_execution: int
) -> float:
    params = TrainerParams(
        scenario=TutorialScenario.default_params(),
        gen=TutorialScenario.default_trainer_pipeline_params(),
        epochs=epochs,
        samples_per_epoch=samples_per_epoch,
        output_dir=out_dir if setup == "outputs" else None,
        progress_bar=False,
        verbose=0,
    )
    if steps_per_execution:
        params.steps_per_execution = steps_per_execution
    params.gen.setup.train.batch_size = params.gen.setup.val.batch_size = batch_size
    clock = EpochClock()
    TutorialScenario.create_trainer(params).train(callbacks=[clock])
    return clock.seconds_per_epoch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="Epochs per run (the first one is not timed).")
    parser.add_argument("--samples_per_epoch", type=int, default=30000, help="(half of MNIST's 60,000)")
    parser.add_argument("--batch_size", type=int, default=16, help="(the reference tutorial's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--setups", nargs="+", default=list(SETUPS), choices=SETUPS)
    parser.add_argument(
        "--steps_per_execution", type=int, default=0, help="tfaip's --trainer.steps_per_execution (0: its default)."
    )
    args = parser.parse_args()
    runners: Dict[str, Callable[..., float]] = {
        "keras": run_keras,
        "tfaip": lambda *a: run_tfaip(*a, steps_per_execution=args.steps_per_execution),
    }
    seconds: Dict[str, Dict[str, List[float]]] = {s: {name: [] for name in runners} for s in args.setups}
    for _ in range(args.repeats):
        for setup in args.setups:
            for name, run in runners.items():
                with tempfile.TemporaryDirectory() as out_dir:
                    keras.utils.set_random_seed(0)
                    times = seconds[setup][name]
                    times.append(run(setup, out_dir, args.epochs, args.samples_per_epoch, args.batch_size))
                keras.backend.clear_session()
    result = {
        "benchmark": "train_overhead",
        "epochs": args.epochs,
        "samples_per_epoch": args.samples_per_epoch,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "tfaip_steps_per_execution": args.steps_per_execution or TrainerParams().steps_per_execution,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "keras": keras.__version__,
    }
    for setup, by_name in seconds.items():
        ratios = [t / k for t, k in zip(by_name["tfaip"], by_name["keras"])]
        result[setup] = {
            "keras_s_per_epoch": round(statistics.median(by_name["keras"]), 3),
            "tfaip_s_per_epoch": round(statistics.median(by_name["tfaip"]), 3),
            "overhead": round(statistics.median(ratios) - 1, 4),
            "overhead_min": round(min(ratios) - 1, 4),
            "overhead_max": round(max(ratios) - 1, 4),
            "runs": {name: [round(t, 3) for t in times] for name, times in by_name.items()},
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
