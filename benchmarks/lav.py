"""LAV throughput: `LAV.run` on an export against keras' `evaluate` of the same CNN, in one run.

The scenario and the export are those of `predict.py` (the reference Minimal Tutorial CNN on
random 28x28 uint8 images, random weights, a cross-entropy loss). LAV gets raw uint8 samples with
their targets and runs everything a user gets: pre-processing (scaling), batching, the
SavedModel, the model's own loss and metrics, splitting and post-processing per sample. The
baseline is a plain keras model of the same layers, compiled with the same loss, and
`model.evaluate` on arrays that are already scaled to float, in the same batches.

The two alternate `--repeats` times; the ratio is the median of the paired ratios. Prints one
JSON line: samples/s of both (medians) and the ratio (target >= 0.9).
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import keras
import numpy as np
from predict import BenchScenario, export_bench_model, paired_ratios

from tfaip.data import Sample
from tfaip.serve import LAVParams
from tfaip.serve.raw_samples import RawSamplesParams


def plain_keras_model() -> keras.Model:
    """The bench CNN as a user writes it in Keras, compiled for `evaluate` with the same loss."""
    images = keras.Input((28, 28), name="img")
    x = keras.layers.Reshape((28, 28, 1))(images)
    x = keras.layers.Conv2D(16, (2, 2), padding="same", activation="relu")(x)
    x = keras.layers.MaxPool2D((2, 2))(x)
    x = keras.layers.Conv2D(32, (2, 2), padding="same", activation="relu")(x)
    x = keras.layers.MaxPool2D((2, 2))(x)
    x = keras.layers.Dense(128, activation="relu")(keras.layers.Flatten()(x))
    model = keras.Model(images, keras.layers.Dense(10)(x))
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def keras_evaluate(model: keras.Model, images: np.ndarray, labels: np.ndarray, batch_size: int) -> float:
    x = images.astype("float32") / 255.0
    model.evaluate(x[:batch_size], labels[:batch_size], batch_size=batch_size, verbose=0)  # traced outside the clock
    start = time.perf_counter()
    model.evaluate(x, labels, batch_size=batch_size, verbose=0)
    return len(images) / (time.perf_counter() - start)


def tfaip_lav(export_dir: str, images: np.ndarray, labels: np.ndarray, batch_size: int, workers: int) -> float:
    params = LAVParams(batch_size=batch_size, num_processes=workers, progress_bar=False, silent=True)
    lav = BenchScenario.create_lav(export_dir, params)

    def generator(n: int) -> RawSamplesParams:
        return RawSamplesParams(
            [Sample(inputs={"img": i}, targets={"gt": np.array([y])}) for i, y in zip(images[:n], labels)]
        )

    list(lav.run(generator(batch_size)))  # traced outside the clock, as the baseline
    samples = generator(len(images))
    start = time.perf_counter()
    (result,) = lav.run(samples)
    assert np.isfinite(result["loss"])
    return len(images) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Worker processes of the pre-processing (0: in the evaluating process, as in predict.py).",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(args.samples, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=args.samples).astype("int32")
    with tempfile.TemporaryDirectory() as tmp:
        export_dir = os.path.join(tmp, "export")
        export_bench_model(export_dir, args.workers)
        model = plain_keras_model()
        ours, theirs = [], []
        for _ in range(args.repeats):
            theirs.append(keras_evaluate(model, images, labels, args.batch_size))
            ours.append(tfaip_lav(export_dir, images, labels, args.batch_size, max(args.workers, 1)))
    print(
        json.dumps(
            {
                "benchmark": "lav",
                "samples": args.samples,
                "batch_size": args.batch_size,
                "pre_proc_workers": args.workers,
                "repeats": args.repeats,
                "keras_evaluate_samples_per_s": round(statistics.median(theirs), 1),
                "lav_samples_per_s": round(statistics.median(ours), 1),
                **paired_ratios(ours, theirs),
            }
        )
    )


if __name__ == "__main__":
    main()
