"""Prediction throughput: `Predictor.predict_raw` against the bare SavedModel signature, in one run.

The scenario is the reference Minimal Tutorial CNN on 28x28 images (random weights: the
throughput does not depend on training). tfaip gets raw uint8 samples and runs everything a
user gets: pre-processing (scaling; in-process or in `--workers` processes), batching, the model, splitting and
post-processing (class -> word). The baseline calls the SavedModel's `serving_default`
signature on arrays that are
already pre-processed and batched, and fetches the outputs as numpy.

A third variant, a hand-written loop, does the same per-sample work as `predict_raw` with no
framework at all (see `hand_written`): what that work costs by itself.

The three alternate `--repeats` times (machine drift hits all); each ratio is the median of
the paired ratios. Prints one JSON line: samples/s of each (medians) and the ratios (target for
predict_raw vs the SavedModel: >= 0.9).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Dict, List

import keras
import numpy as np
import tensorflow as tf
from paiargparse import pai_dataclass

from tfaip.data import (
    INPUT_PROCESSOR,
    DataBase,
    DataBaseParams,
    DataGeneratorParams,
    DataProcessorParams,
    MappingDataProcessor,
    PipelineMode,
    Sample,
    SequentialProcessorPipelineParams,
)
from tfaip.model import GraphBase, ModelBase, ModelBaseParams, ScenarioBase, ScenarioBaseParams, TrainerPipelineParams
from tfaip.serve import PredictorParams

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pai_dataclass
@dataclass
class ScaleParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Scale


class Scale(MappingDataProcessor[ScaleParams]):
    def apply(self, sample):
        return sample.new_inputs({"img": sample.inputs["img"].astype("float32") / 255.0})


@pai_dataclass
@dataclass
class WordParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Word


class Word(MappingDataProcessor[WordParams]):
    def apply(self, sample):
        return sample.new_outputs({**sample.outputs, "word": WORDS[int(sample.outputs["class"])]})


@pai_dataclass
@dataclass
class BenchDataParams(DataBaseParams):
    @staticmethod
    def cls():
        return BenchData


class BenchData(DataBase[BenchDataParams]):
    @classmethod
    def default_params(cls):
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(processors=[ScaleParams(modes=set(INPUT_PROCESSOR))])
        params.post_proc = SequentialProcessorPipelineParams(run_parallel=False, processors=[WordParams()])
        return params

    def _input_layer_specs(self):
        return {"img": tf.TensorSpec([28, 28], "float32")}

    def _target_layer_specs(self):
        return {"gt": tf.TensorSpec([1], "int32")}


@pai_dataclass
@dataclass
class TutorialModelParams(ModelBaseParams):
    @staticmethod
    def cls():
        return TutorialModel

    def graph_cls(self):
        return TutorialGraph


class TutorialGraph(GraphBase[TutorialModelParams]):
    """The reference Minimal Tutorial CNN."""

    def __init__(self, params, name="cnn", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.conv1 = keras.layers.Conv2D(16, (2, 2), padding="same", activation="relu")
        self.pool1 = keras.layers.MaxPool2D((2, 2))
        self.conv2 = keras.layers.Conv2D(32, (2, 2), padding="same", activation="relu")
        self.pool2 = keras.layers.MaxPool2D((2, 2))
        self.flatten = keras.layers.Flatten()
        self.ff = keras.layers.Dense(128, activation="relu")
        self.logits = keras.layers.Dense(10)

    def build_graph(self, inputs, training=None):
        x = keras.ops.expand_dims(inputs["img"], -1)
        logits = self.logits(self.ff(self.flatten(self.pool2(self.conv2(self.pool1(self.conv1(x)))))))
        return {"logits": logits, "class": keras.ops.argmax(logits, axis=-1)}


class TutorialModel(ModelBase[TutorialModelParams]):
    def _loss(self, inputs, targets, outputs):
        return {"ce": keras.losses.sparse_categorical_crossentropy(targets["gt"], outputs["logits"], from_logits=True)}


@pai_dataclass
@dataclass
class BenchScenarioParams(ScenarioBaseParams[BenchDataParams, TutorialModelParams]):
    pass


class BenchScenario(ScenarioBase[BenchScenarioParams, TrainerPipelineParams[DataGeneratorParams, DataGeneratorParams]]):
    pass


def export_bench_model(export_dir: str, workers: int) -> None:
    """Export the CNN (random weights, seed 0); its pre-processing runs in workers only if `workers` > 0."""
    keras.utils.set_random_seed(0)
    params = BenchScenario.default_params()
    params.data.pre_proc.run_parallel = workers > 0
    BenchScenario(params).export(export_dir)


def paired_ratios(ours: List[float], theirs: List[float]) -> Dict[str, Any]:
    """The median of the paired ratios of alternating rounds, their range and the machine."""
    ratios = [o / t for o, t in zip(ours, theirs)]
    return {
        "ratio": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def baseline(export_dir: str, images: np.ndarray, batch_size: int) -> float:
    signature = tf.saved_model.load(os.path.join(export_dir, "serve")).signatures["serving_default"]
    batches = [images[i : i + batch_size].astype("float32") / 255.0 for i in range(0, len(images), batch_size)]
    signature(img=batches[0])  # warm up outside the clock, as for tfaip
    start = time.perf_counter()
    for batch in batches:
        outputs = {k: v.numpy() for k, v in signature(img=batch).items()}
    assert len(outputs["class"]) == len(batches[-1])
    return len(images) / (time.perf_counter() - start)


def hand_written(export_dir: str, images: np.ndarray, batch_size: int) -> float:
    """The least any framework must do for `predict_raw`'s work: the same two processors on the same Samples.

    One Python loop, no threads, no pipeline: `Scale` per sample, stack, the signature, one
    Sample per row with its outputs, `Word` per sample. Where TensorFlow keeps every core busy,
    no code that processes samples one by one in this process gets past its ratio to the
    baseline; with a core to spare, overlapping the processing with the model (as `predict_raw`
    does) can.
    """
    signature = tf.saved_model.load(os.path.join(export_dir, "serve")).signatures["serving_default"]
    scale, word = (p.create(None, PipelineMode.PREDICTION) for p in (ScaleParams(), WordParams()))
    samples = [Sample(inputs={"img": img}) for img in images]
    signature(img=tf.constant(np.stack([scale.apply(s).inputs["img"] for s in samples[:batch_size]])))
    start = time.perf_counter()
    count = 0
    for i in range(0, len(samples), batch_size):
        scaled = [scale.apply(s) for s in samples[i : i + batch_size]]
        outputs = signature(img=tf.constant(np.stack([s.inputs["img"] for s in scaled])))
        columns = {name: list(value.numpy()) for name, value in outputs.items()}
        for row, sample in enumerate(scaled):
            word.apply(sample.new_outputs({name: column[row] for name, column in columns.items()}))
            count += 1
    assert count == len(images)
    return count / (time.perf_counter() - start)


def tfaip_predict_raw(export_dir: str, images: np.ndarray, batch_size: int, num_processes: int) -> float:
    params = PredictorParams(progress_bar=False)
    params.pipeline.batch_size = batch_size
    params.pipeline.num_processes = num_processes
    predictor = BenchScenario.create_predictor(export_dir, params)
    list(predictor.predict_raw([{"img": img} for img in images[:batch_size]]))  # warm up, as the baseline
    samples = [Sample(inputs={"img": img}) for img in images]
    start = time.perf_counter()
    count = sum(1 for _ in predictor.predict_raw(samples))
    assert count == len(images)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Worker processes of the pre-processing (0: in the predicting process, the better choice for a cheap "
        "processor on few cores).",
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--tf_threads",
        type=int,
        default=0,
        help="Limit TensorFlow to this many threads (0: all cores), e.g. 1 to leave the other cores to the "
        "pipeline as a model on an accelerator does.",
    )
    args = parser.parse_args()
    if args.tf_threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.tf_threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.tf_threads)
    images = np.random.default_rng(0).integers(0, 256, size=(args.samples, 28, 28), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        export_dir = os.path.join(tmp, "export")
        export_bench_model(export_dir, args.workers)
        ours, theirs, hand = [], [], []
        for _ in range(args.repeats):
            theirs.append(baseline(export_dir, images, args.batch_size))
            ours.append(tfaip_predict_raw(export_dir, images, args.batch_size, max(args.workers, 1)))
            hand.append(hand_written(export_dir, images, args.batch_size))
    result = {
        "benchmark": "predict",
        "samples": args.samples,
        "batch_size": args.batch_size,
        "pre_proc_workers": args.workers,
        "tf_threads": args.tf_threads,
        "repeats": args.repeats,
        "saved_model_samples_per_s": round(statistics.median(theirs), 1),
        "predict_raw_samples_per_s": round(statistics.median(ours), 1),
        **paired_ratios(ours, theirs),
        "hand_written_samples_per_s": round(statistics.median(hand), 1),
        "hand_written_ratio": paired_ratios(hand, theirs)["ratio"],
        "predict_raw_vs_hand_written": paired_ratios(ours, hand)["ratio"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
