"""The data of the Full Tutorial: digits of a dataset split or of image files, loaded and normalised by processors."""

import os
from dataclasses import dataclass, field
from typing import List

import numpy as np
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import (
    ArraySpec,
    DataBase,
    DataGenerator,
    DataGeneratorParams,
    DataProcessorParams,
    MappingDataProcessor,
    PipelineMode,
    Sample,
    SequentialProcessorPipelineParams,
)
from tfaip_scenarios.images import expand_files, read_image
from tfaip_scenarios.tutorial.datasets import DATASET_HELP, DATASETS, load_split

SIZE = 28  # images are scaled to MNIST's 28x28


@pai_dataclass
@dataclass
class TutorialDataGeneratorParams(DataGeneratorParams):
    """Which digits: a split of a dataset (`--train_val.*` in training), or image files (`--data.image_files`)."""

    dataset: str = field(default="digits", metadata=pai_meta(help=DATASET_HELP, choices=list(DATASETS)))
    limit_to: int = field(default=-1, metadata=pai_meta(help="Use only the first n samples of the split (-1: all)."))
    split: str = field(
        default="auto",
        metadata=pai_meta(
            choices=["auto", "train", "test"], help="The split to read; auto: train in training, test otherwise."
        ),
    )
    image_files: List[str] = field(
        default_factory=list,
        metadata=pai_meta(
            help="Read these image files (or glob patterns, quoted: 'digits/*.png') instead of the dataset (any "
            "size, colour or grey; scaled to 28x28, a light digit on a dark ground as in MNIST). The label of a.png, "
            "if any, is the number in a.png.txt or a.txt."
        ),
    )


class TutorialDataGenerator(DataGenerator[TutorialDataGeneratorParams]):
    """The samples of a dataset split, or one sample per image file (its path, loaded by `LoadImage`)."""

    def __init__(self, mode: PipelineMode, params: TutorialDataGeneratorParams):
        super().__init__(mode, params)
        if params.image_files:
            labelled = mode != PipelineMode.PREDICTION  # LAV reads the labels, prediction needs none
            self.samples = [_image_file_sample(path, labelled) for path in expand_files(params.image_files)]
            return
        training = params.split == "train" or (params.split == "auto" and mode == PipelineMode.TRAINING)
        images, labels = load_split(params.dataset, training, params.limit_to)
        self.samples = [
            Sample(inputs={"img": image}, targets={"gt": np.array([label], "uint8")}, meta={"id": i})
            for i, (image, label) in enumerate(zip(images, labels))
        ]

    def __len__(self):
        return len(self.samples)

    def generate(self):
        return iter(self.samples)


def _image_file_sample(path: str, labelled: bool) -> Sample:
    labels = [f"{path}.txt", f"{os.path.splitext(path)[0]}.txt"] if labelled else []
    label = next((p for p in labels if os.path.isfile(p)), None)
    targets = None
    if label is not None:
        with open(label, encoding="utf-8") as f:
            targets = {"gt": np.array([int(f.read().strip())], "uint8")}
    return Sample(inputs={"img": path}, targets=targets, meta={"path": path})


@pai_dataclass
@dataclass
class LoadImageParams(DataProcessorParams):
    """Load an image file into a 28x28 grey uint8 image (a sample that is already an image passes unchanged)."""


class LoadImage(MappingDataProcessor[LoadImageParams]):
    """Pillow decodes the file; grey and resized with antialiasing."""

    def apply(self, sample: Sample) -> Sample:
        path = sample.inputs["img"]
        if not isinstance(path, str):
            return sample
        from PIL import Image  # only prediction from files needs it

        grey = Image.fromarray(read_image(path, "L")).resize((SIZE, SIZE), Image.Resampling.LANCZOS)
        return sample.new_inputs({"img": np.asarray(grey, dtype="uint8")})


@pai_dataclass
@dataclass
class NormalizeParams(DataProcessorParams):
    """Scale an uint8 image to [0, 1], or to [-1, 1] with `center`."""

    center: bool = field(default=False, metadata=pai_meta(help="Centre the values to [-1, 1] instead of [0, 1]."))


class Normalize(MappingDataProcessor[NormalizeParams]):
    """uint8 -> float32."""

    def apply(self, sample: Sample) -> Sample:
        img = sample.inputs["img"].astype("float32") / 255
        return sample.new_inputs({"img": img * 2 - 1 if self.params.center else img})


class TutorialData(DataBase):
    """A normalised 28x28 image `img` in, its class `gt` out; loading and normalising are the default processors."""

    @classmethod
    def default_params(cls):
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(processors=[LoadImageParams(), NormalizeParams()])
        return params

    def _input_layer_specs(self):
        return {"img": ArraySpec(shape=(SIZE, SIZE), dtype="float32")}

    def _target_layer_specs(self):
        return {"gt": ArraySpec(shape=[1], dtype="uint8")}
