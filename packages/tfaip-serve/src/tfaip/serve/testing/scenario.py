"""A digits scenario with pre- and post-processing, an Evaluator and a voter (test support).

pre_proc scales the bundled 8x8 UCI digits (0..16) to floats in [0, 1] in worker processes;
the model is a small MLP; post_proc spells the predicted (and the true) class as a word;
the Evaluator compares the words by edit distance in pure Python; the voter averages the
class probabilities of several models. `train_and_export` and `train_exports` give trained
exports of it in seconds. `tfaip.serve.testing.scenario` names it for `import_scenario`.
"""

import os
from dataclasses import dataclass, field
from typing import Dict, List

import keras
import numpy as np
import tensorflow as tf
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import (
    INPUT_PROCESSOR,
    DataBase,
    DataBaseParams,
    DataGenerator,
    DataGeneratorParams,
    DataProcessorParams,
    MappingDataProcessor,
    PipelineMode,
    Sample,
    SequentialProcessorPipelineParams,
)
from tfaip.model import (
    EvaluatorBase,
    EvaluatorParams,
    GraphBase,
    MetricDefinition,
    ModelBase,
    ModelBaseParams,
    ScenarioBase,
    ScenarioBaseParams,
    TrainerPipelineParamsBase,
)
from tfaip.model.testing import load_digits
from tfaip.serve import MultiModelVoter

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


# ---- processors ---------------------------------------------------------------------------------


@pai_dataclass
@dataclass
class ScaleImageParams(DataProcessorParams):
    maximum: float = field(default=16.0, metadata=pai_meta(help="The pixel value that becomes 1.0."))

    @staticmethod
    def cls():
        return ScaleImage


class ScaleImage(MappingDataProcessor[ScaleImageParams]):
    def apply(self, sample: Sample) -> Sample:
        return sample.new_inputs({"img": np.asarray(sample.inputs["img"], "float32") / self.params.maximum})


@pai_dataclass
@dataclass
class SpellClassParams(DataProcessorParams):
    @staticmethod
    def cls():
        return SpellClass


class SpellClass(MappingDataProcessor[SpellClassParams]):
    def apply(self, sample: Sample) -> Sample:
        outputs = dict(sample.outputs, word=WORDS[int(sample.outputs["class"])])
        sample = sample.new_outputs(outputs)
        if sample.targets is not None:
            sample = sample.new_targets(dict(sample.targets, word=WORDS[int(sample.targets["gt"][0])]))
        return sample


# ---- data ---------------------------------------------------------------------------------------


@pai_dataclass
@dataclass
class DigitsDataParams(DataBaseParams):
    @staticmethod
    def cls():
        return DigitsData


class DigitsData(DataBase[DigitsDataParams]):
    @classmethod
    def default_params(cls) -> DigitsDataParams:
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(
            run_parallel=True, processors=[ScaleImageParams(modes=set(INPUT_PROCESSOR))]
        )
        params.post_proc = SequentialProcessorPipelineParams(run_parallel=False, processors=[SpellClassParams()])
        return params

    def _input_layer_specs(self):
        return {"img": tf.TensorSpec([8, 8], "float32")}

    def _target_layer_specs(self):
        return {"gt": tf.TensorSpec([1], "int32")}


def load_split(split: str):
    """`(images uint8 [n, 8, 8] of values 0..16, labels int32 [n])` of the "train" or the "test" split."""
    images, labels = load_digits(split == "train")
    return images.astype("uint8"), labels.astype("int32")


@pai_dataclass
@dataclass
class DigitsGeneratorParams(DataGeneratorParams):
    split: str = field(default="test", metadata=pai_meta(help="train or test", choices=["train", "test"]))
    limit_to: int = field(default=-1, metadata=pai_meta(help="Use only the first n samples of the split."))

    @staticmethod
    def cls():
        return DigitsGenerator


class DigitsGenerator(DataGenerator[DigitsGeneratorParams]):
    def __init__(self, mode: PipelineMode, params: DigitsGeneratorParams):
        super().__init__(mode, params)
        images, labels = load_split(params.split)
        n = len(images) if params.limit_to < 0 else params.limit_to
        self.images, self.labels = images[:n], labels[:n]

    def __len__(self):
        return len(self.images)

    def generate(self):
        for i, (image, label) in enumerate(zip(self.images, self.labels)):
            yield Sample(inputs={"img": image}, targets={"gt": np.array([label], "int32")}, meta={"id": f"d{i}"})


@pai_dataclass
@dataclass
class DigitsTrainerPipelineParams(TrainerPipelineParamsBase[DigitsGeneratorParams, DigitsGeneratorParams]):
    val: DigitsGeneratorParams = field(default_factory=DigitsGeneratorParams, metadata=pai_meta(mode="flat"))

    def train_gen(self):
        return DigitsGeneratorParams(split="train")

    def val_gen(self):
        return self.val


# ---- model --------------------------------------------------------------------------------------


@pai_dataclass
@dataclass
class MLPParams(ModelBaseParams):
    hidden: int = field(default=32, metadata=pai_meta(help="Hidden units."))

    @staticmethod
    def cls():
        return DigitsModel

    def graph_cls(self):
        return MLPGraph


class MLPGraph(GraphBase[MLPParams]):
    def __init__(self, params: MLPParams, name="mlp", **kwargs):
        super().__init__(params, name=name, **kwargs)
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(params.hidden, activation="relu", name="hidden")
        self.logits = keras.layers.Dense(10, name="logits")

    def build_graph(self, inputs, training=None):
        logits = self.logits(self.hidden(self.flatten(inputs["img"])))
        probs = keras.ops.softmax(logits, axis=-1)
        return {"logits": logits, "probs": probs, "class": keras.ops.argmax(logits, axis=-1)}


class DigitsModel(ModelBase[MLPParams]):
    def __init__(self, params: MLPParams):
        super().__init__(params)
        self.ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def _loss(self, inputs, targets, outputs) -> Dict:
        return {"ce": self.ce(targets["gt"], outputs["logits"])}

    def _metric(self):
        return {"acc": MetricDefinition("gt", "logits", keras.metrics.SparseCategoricalAccuracy())}

    def _best_logging_settings(self):
        return "max", "acc"

    def _print_evaluate(self, sample: Sample, data, print_fn=print):
        print_fn(f"{sample.meta['id']}: PRED {sample.outputs['word']} GT {sample.targets['word']}")


# ---- evaluator and voter ------------------------------------------------------------------------


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, in plain Python."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class SpellingEvaluator(EvaluatorBase[EvaluatorParams]):
    def __enter__(self):
        self.distance = self.right = self.total = 0
        return self

    def update_state(self, sample: Sample):
        distance = edit_distance(sample.outputs["word"], sample.targets["word"])
        self.distance += distance
        self.right += int(distance == 0)
        self.total += 1
        return {"edit_distance": distance}

    def result(self):
        return {"eval_edit_distance": self.distance / max(self.total, 1), "eval_acc": self.right / max(self.total, 1)}


class ProbabilityVoter(MultiModelVoter):
    def vote(self, samples: List[Sample]) -> Sample:
        probs = np.mean([s.outputs["probs"] for s in samples], axis=0)
        cls = int(np.argmax(probs))
        return samples[0].new_outputs({"probs": probs, "class": np.int64(cls), "word": WORDS[cls]})


@pai_dataclass
@dataclass
class DigitsScenarioParams(ScenarioBaseParams[DigitsDataParams, MLPParams]):
    pass


class DigitsScenario(ScenarioBase[DigitsScenarioParams, DigitsTrainerPipelineParams]):
    @classmethod
    def evaluator_cls(cls):
        return SpellingEvaluator

    @classmethod
    def create_voter(cls, data):
        return ProbabilityVoter()


# ---- trained exports ---------------------------------------------------------------------------


@pai_dataclass
@dataclass
class RecordedTrainerParams:
    """What tfaip-train records in trainer_params.json, as far as tfaip-lav reads it."""

    gen: DigitsTrainerPipelineParams = field(default_factory=DigitsTrainerPipelineParams)


def train_and_export(
    path: str, seed: int, hidden: int = 32, epochs: int = 6, scale: float = 16.0, trainer_params=None, formats=None
):
    """Train the MLP on the train split and export it (in `formats`, default the SavedModel); returns the scenario."""
    keras.utils.set_random_seed(seed)
    params = DigitsScenario.default_params()
    params.model.hidden = hidden
    params.export_formats = formats or ["saved_model"]
    params.data.pre_proc.processors[0].maximum = scale
    scenario = DigitsScenario(params)
    images, labels = load_split("train")
    scenario.root_graph.compile(optimizer=keras.optimizers.Adam(1e-2))
    scenario.root_graph.fit(
        {"img": images.astype("float32") / scale}, {"gt": labels[:, None]}, batch_size=64, epochs=epochs, verbose=0
    )
    scenario.export(path, trainer_params=trainer_params)
    return scenario


def train_exports(root: str) -> Dict[str, tuple]:
    """Three exports under `root`: name -> (export dir, scenario).

    `a` and `b` are trained differently (`a` records its LAV generator, 120 test digits, as
    tfaip-train would) and exported as LiteRT and ONNX too; `c` has other pre-processing (pixels
    divided by 32) and only a SavedModel.
    """
    recorded = RecordedTrainerParams()
    recorded.gen.val.limit_to = 120
    every = ["saved_model", "litert", "onnx"]
    scenarios = {
        "a": train_and_export(os.path.join(root, "a"), seed=1, hidden=32, trainer_params=recorded, formats=every),
        "b": train_and_export(os.path.join(root, "b"), seed=2, hidden=8, epochs=2, formats=every),
        "c": train_and_export(os.path.join(root, "c"), seed=3, hidden=16, scale=32.0),
    }
    return {name: (os.path.join(root, name), scenario) for name, scenario in scenarios.items()}
