"""The data of the Minimal Tutorial: handwritten digits, without TensorFlow (so its exports serve without it)."""

from dataclasses import dataclass, field

import numpy as np
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ArraySpec, DataBase, DataGenerator, DataGeneratorParams, PipelineMode, Sample
from tfaip_scenarios.tutorial.datasets import DATASET_HELP, DATASETS, load_split


class TutorialData(DataBase):
    """A 28x28 uint8 image `img` in, its class `gt` out (no parameters beyond the processors)."""

    def _input_layer_specs(self):
        return {"img": ArraySpec(shape=(28, 28), dtype="uint8")}

    def _target_layer_specs(self):
        return {"gt": ArraySpec(shape=[1], dtype="uint8")}


@pai_dataclass
@dataclass
class TutorialDataGeneratorParams(DataGeneratorParams):
    """Which digits to read (`--train_val.*`): the training split in training, the test split otherwise."""

    dataset: str = field(default="digits", metadata=pai_meta(help=DATASET_HELP, choices=list(DATASETS)))
    limit_to: int = field(default=-1, metadata=pai_meta(help="Use only the first n samples of the split (-1: all)."))


class TutorialDataGenerator(DataGenerator[TutorialDataGeneratorParams]):
    """Yields the digits of the split as samples."""

    def __init__(self, mode: PipelineMode, params: TutorialDataGeneratorParams):
        super().__init__(mode, params)
        self.images, self.labels = load_split(params.dataset, mode == PipelineMode.TRAINING, params.limit_to)

    def __len__(self):
        return len(self.images)

    def generate(self):
        for i, (image, label) in enumerate(zip(self.images, self.labels)):
            yield Sample(inputs={"img": image}, targets={"gt": np.array([label], "uint8")}, meta={"id": i})
