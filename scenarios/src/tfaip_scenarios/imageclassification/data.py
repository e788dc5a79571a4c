"""The data of imageclassification: image files of class folders, loaded, resized, augmented and prepared."""

import os
import random
from dataclasses import dataclass, field
from typing import List

import numpy as np
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import (
    ArraySpec,
    ConfigError,
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
from tfaip_scenarios.imageclassification.datasets import DATASET_HELP, DATASETS, dataset_dir, scan, split
from tfaip_scenarios.images import expand_files, read_image


@pai_dataclass
@dataclass
class ICGeneratorParams(DataGeneratorParams):
    """Which images: a folder of class folders (`image_dir`, else `dataset`) and its part, or image files."""

    dataset: str = field(default="digits", metadata=pai_meta(help=DATASET_HELP, choices=list(DATASETS)))
    image_dir: str = field(
        default="",
        metadata=pai_meta(
            help="A folder with one folder per class (its name is the class name) of images: PNG, JPEG, ...; "
            "any size, colour or grey. The classes are the sorted folder names. Default: the dataset's folder."
        ),
    )
    validation_split: float = field(
        default=0.2,
        metadata=pai_meta(help="The fraction of the folder's images (chosen at random, fixed) that validates."),
    )
    split: str = field(
        default="auto",
        metadata=pai_meta(
            choices=["auto", "train", "val", "all"],
            help="The part of the folder to read; auto: train in training, val otherwise.",
        ),
    )
    image_files: List[str] = field(
        default_factory=list,
        metadata=pai_meta(
            help="Read these image files (or glob patterns, quoted: 'test/*/*.png') instead of a folder (e.g. in "
            "tfaip-predict). In LAV, the class of an image is the name of the folder it lies in."
        ),
    )

    def __post_init__(self):
        if not 0 <= self.validation_split < 1:
            raise ConfigError(f"--train_val.validation_split must lie in [0, 1), got {self.validation_split}.")

    def folder(self) -> str:
        """The folder of class folders (made or downloaded on first use for a dataset)."""
        return self.image_dir or dataset_dir(self.dataset)

    def classes(self) -> List[str]:
        """The class names these params train on: the sorted class folders (of image files: their folders)."""
        if self.image_files:
            return sorted({os.path.basename(os.path.dirname(os.path.abspath(p))) for p in self.files()})
        return scan(self.folder())[0]

    def files(self) -> List[str]:
        """`image_files` with their glob patterns (`'test/*/*.png'`) expanded, each checked."""
        return expand_files(self.image_files)


class ICGenerator(DataGenerator[ICGeneratorParams]):
    """One sample per image: its path in, its class name out (the processors load it and look the name up)."""

    def __init__(self, mode: PipelineMode, params: ICGeneratorParams):
        super().__init__(mode, params)
        if params.image_files:
            files = [(p, os.path.basename(os.path.dirname(os.path.abspath(p)))) for p in params.files()]
        else:
            part = {"auto": "train" if mode == PipelineMode.TRAINING else "val"}.get(params.split, params.split)
            files = split(scan(params.folder())[1], params.validation_split, part)
            if not files:
                raise ConfigError(
                    f"The {part} part of {params.folder()} holds no images (validation_split "
                    f"{params.validation_split}); choose a validation_split that leaves images in both parts."
                )
        labelled = mode != PipelineMode.PREDICTION
        self.samples = [
            Sample(inputs={"img": path}, targets={"gt": name} if labelled else None, meta={"id": path})
            for path, name in files
        ]

    def __len__(self):
        return len(self.samples)

    def generate(self):
        if self.mode == PipelineMode.TRAINING:
            return random.sample(self.samples, len(self.samples))  # a new order each pass
        return iter(self.samples)


@pai_dataclass
@dataclass
class LoadImageParams(DataProcessorParams):
    """Load an image file (any size, colour or grey) as an RGB uint8 array."""


class LoadImage(MappingDataProcessor[LoadImageParams]):
    """Pillow decodes the file; a file it cannot decode raises an error naming the file."""

    def apply(self, sample: Sample) -> Sample:
        return sample.new_inputs({"img": read_image(sample.inputs["img"], "RGB")})


@pai_dataclass
@dataclass
class ResizeParams(DataProcessorParams):
    """Resize the image to `--data.image_size` squared."""


class Resize(MappingDataProcessor[ResizeParams]):
    """Bilinear resize to image_size x image_size (the aspect ratio is not kept, as in the original)."""

    def apply(self, sample: Sample) -> Sample:
        return sample.new_inputs({"img": resize(sample.inputs["img"], self.data_params.image_size)})


def resize(image: np.ndarray, size: int) -> np.ndarray:
    """An RGB uint8 image resized to size x size."""
    from PIL import Image

    if image.shape[:2] == (size, size):
        return image
    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR))


@pai_dataclass
@dataclass
class AugmentParams(DataProcessorParams):
    """Random flips, crops and brightness changes (the data's default runs them in training only)."""

    flip: bool = field(default=True, metadata=pai_meta(help="Flip half of the images horizontally."))
    crop: float = field(default=0.1, metadata=pai_meta(help="Crop up to this fraction of each side, then resize back."))
    brightness: float = field(
        default=0.2, metadata=pai_meta(help="Scale the brightness by a random factor in [1 - b, 1 + b].")
    )


class Augment(MappingDataProcessor[AugmentParams]):
    """numpy's global random state, which the pipeline seeds per chunk (reproducible, serial or parallel)."""

    def apply(self, sample: Sample) -> Sample:
        p, img = self.params, sample.inputs["img"]
        if p.flip and np.random.rand() < 0.5:
            img = img[:, ::-1]
        if p.crop > 0:
            h, w = img.shape[:2]
            top, bottom, left, right = (int(np.random.uniform(0, p.crop) * n) for n in (h, h, w, w))
            img = resize(np.ascontiguousarray(img[top : h - bottom, left : w - right]), self.data_params.image_size)
        if p.brightness > 0:
            img = np.clip(img * np.random.uniform(1 - p.brightness, 1 + p.brightness), 0, 255).astype("uint8")
        return sample.new_inputs({"img": np.ascontiguousarray(img)})


@pai_dataclass
@dataclass
class PrepareParams(DataProcessorParams):
    """The image as float32 in [0, 1], the class name as its index in `--data.classes`."""


class Prepare(MappingDataProcessor[PrepareParams]):
    """A class name that is no class of the model raises an error naming the file."""

    def apply(self, sample: Sample) -> Sample:
        sample = sample.new_inputs({"img": sample.inputs["img"].astype("float32") / 255})
        if sample.targets is None:
            return sample
        classes, name = self.data_params.classes, sample.targets["gt"]
        if name not in classes:
            raise ValueError(f"{sample.meta['id']}: its class {name!r} is no class of the model ({', '.join(classes)})")
        return sample.new_targets({"gt": np.array([classes.index(name)], "int32")})


@pai_dataclass
@dataclass
class ClassNameParams(DataProcessorParams):
    """Add the predicted class' name (`class_name`) and the original's sentence (`sentence`) to the outputs."""


class ClassName(MappingDataProcessor[ClassNameParams]):
    """`class` (an index) -> `class_name`, and `sentence` first (tfaip-predict prints the outputs in order)."""

    def apply(self, sample: Sample) -> Sample:
        name, p = class_name(sample.outputs, self.data_params.classes)
        return sample.new_outputs({"sentence": sentence(name, p), "class_name": name, **sample.outputs})


def class_name(outputs: dict, classes: List[str]):
    """The name of the predicted class and its probability."""
    index = int(outputs["class"])
    return (classes[index] if index < len(classes) else str(index)), float(outputs["pred"][index])


def sentence(name: str, p: float) -> str:
    """The original's sentence."""
    return f"This image most likely belongs to {name} with a {100 * p:.2f}% confidence."


@pai_dataclass
@dataclass
class ICDataParams(DataBaseParams):
    """The image size and the class names (filled from the training data's class folders when training starts)."""

    image_size: int = field(default=64, metadata=pai_meta(help="Images are resized to image_size x image_size."))
    classes: List[str] = field(
        default_factory=list,
        metadata=pai_meta(
            help="The class names in index order; set from the training data (its sorted class folders) when "
            "training starts, and kept in the export."
        ),
    )


class ICData(DataBase[ICDataParams]):
    """An RGB image `img` in [0, 1] in, its class index `gt` out; the default processors load and prepare them."""

    @classmethod
    def default_params(cls):
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(
            processors=[
                LoadImageParams(),
                ResizeParams(),
                AugmentParams(modes={PipelineMode.TRAINING}),
                PrepareParams(),
            ]
        )
        params.post_proc = SequentialProcessorPipelineParams(processors=[ClassNameParams()])
        return params

    def _input_layer_specs(self):
        size = self.params.image_size
        return {"img": ArraySpec(shape=(size, size, 3), dtype="float32")}

    def _target_layer_specs(self):
        return {"gt": ArraySpec(shape=[1], dtype="int32")}
