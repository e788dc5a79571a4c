"""The data of ATR: line images with `<name>.gt.txt` beside them, scaled to a height, augmented, encoded by a codec."""

import os
from dataclasses import dataclass, field
from typing import List, Optional

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
    Resource,
    Sample,
    SequentialProcessorPipelineParams,
    resource_field,
)
from tfaip_scenarios.atr.synthetic import TEXT_MODULES, cached_lines
from tfaip_scenarios.images import expand_files, read_image


def gt_path(image_path: str) -> str:
    """`lines/a.png` -> `lines/a.gt.txt`."""
    return os.path.splitext(image_path)[0] + ".gt.txt"


def read_gt(image_path: str) -> str:
    """The ground truth of a line image (its `.gt.txt`, without the line end)."""
    path = gt_path(image_path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{image_path}: no ground truth {path}")
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\r\n")


def read_codec(path: str) -> List[str]:
    """The characters of a codec file: one per line (a line holding one space is the space)."""
    with open(path, encoding="utf-8") as f:
        chars = [line.rstrip("\r\n") for line in f]
    bad = [c for c in chars if len(c) > 1]
    if bad:
        raise ConfigError(f"The codec file {path} must hold one character per line, found {bad[0]!r}.")
    return [c for c in chars if c]


def write_codec(path: str, chars: List[str]) -> None:
    """Write a codec file (one character per line)."""
    from tfaip.data.util.files import write_atomically

    write_atomically(path, "".join(f"{c}\n" for c in chars))


@pai_dataclass
@dataclass
class ATRDataParams(DataBaseParams):
    """The line height and the codec (`--data.height 32 --data.codec codec.txt`)."""

    height: int = field(default=32, metadata=pai_meta(help="Scale every line image to this height (keeping aspect)."))
    codec: Optional[Resource] = resource_field(
        help="A file with one character per line (a space is a line holding a space). Default: the characters of the "
        "training ground truth, written to OUTPUT_DIR/codec.txt when training starts. Exports carry it."
    )

    def chars(self) -> List[str]:
        """The characters of the codec (index i is class i; the blank is class len(chars))."""
        if self.codec is None:
            raise ConfigError(
                "ATR needs a codec: pass --data.codec FILE, or train (it is built from the ground truth)."
            )
        return read_codec(self.codec.abs_path or self.codec.resolve(self.resource_base_path))


@pai_dataclass
@dataclass
class ATRGeneratorParams(DataGeneratorParams):
    """Line images: `image_files` (globs) and `lists` (files of paths), else `synthetic` rendered lines."""

    image_files: List[str] = field(
        default_factory=list,
        metadata=pai_meta(help="Line images (PNG, any width; globs such as 'lines/*.png'), a.png read with a.gt.txt."),
    )
    lists: List[str] = field(
        default_factory=list, metadata=pai_meta(help="Files listing one line image per line (# comments allowed).")
    )
    synthetic: int = field(
        default=0,
        metadata=pai_meta(
            help="Without image_files and lists: render this many lines (PNG + .gt.txt, cached under "
            "~/.cache/tfaip/atr_lines or synthetic_dir) and read them."
        ),
    )
    synthetic_seed: int = field(default=0, metadata=pai_meta(help="The random seed of the synthetic lines."))
    synthetic_text: str = field(
        default="train",
        metadata=pai_meta(choices=sorted(TEXT_MODULES), help="The text of the synthetic lines: train or heldout."),
    )
    synthetic_dir: str = field(default="", metadata=pai_meta(help="Where to render synthetic lines (default: cache)."))

    def image_paths(self) -> List[str]:
        """The line image files, in order: globs expanded (sorted), then the lists, else the synthetic lines."""
        paths = expand_files(self.image_files)
        for list_file in self.lists:
            if not os.path.isfile(list_file):
                raise ConfigError(f"The list file {list_file} does not exist.")
            base = os.path.dirname(os.path.abspath(list_file))
            with open(list_file, encoding="utf-8") as f:
                entries = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
            paths.extend(os.path.join(base, e) for e in entries)
        if not paths and self.synthetic > 0:
            paths = cached_lines(self.synthetic, self.synthetic_seed, self.synthetic_text, self.synthetic_dir or None)
        for path in paths:
            if not os.path.isfile(path):
                raise ConfigError(f"The line image {path} does not exist.")
        return paths


class ATRGenerator(DataGenerator[ATRGeneratorParams]):
    """One sample per line image: its path (the processors load it and its ground truth)."""

    def __init__(self, mode: PipelineMode, params: ATRGeneratorParams):
        super().__init__(mode, params)
        self.paths = params.image_paths()

    def __len__(self):
        return len(self.paths)

    def generate(self):
        labelled = self.mode != PipelineMode.PREDICTION
        for path in self.paths:
            yield Sample(inputs={"img": path}, targets={"gt": path} if labelled else None, meta={"id": path})


@pai_dataclass
@dataclass
class LoadLineParams(DataProcessorParams):
    """Load a line image (grey) and, with targets, its `.gt.txt`."""


class LoadLine(MappingDataProcessor[LoadLineParams]):
    """`img`: the path -> uint8 array [h, w], ink dark; `gt`: the path -> the text."""

    def apply(self, sample: Sample) -> Sample:
        if sample.targets is not None and isinstance(sample.targets.get("gt"), str):
            sample = sample.new_targets({"gt": read_gt(sample.targets["gt"])})
        return sample.new_inputs({"img": read_image(sample.inputs["img"], "L")})


@pai_dataclass
@dataclass
class ScaleToHeightParams(DataProcessorParams):
    """Scale to `--data.height`, keeping the aspect ratio; ink becomes 1, the ground 0."""


class ScaleToHeight(MappingDataProcessor[ScaleToHeightParams]):
    """uint8 [h, w] -> float32 [height, w * height / h] in [0, 1] (inverted: the padding 0 is the ground)."""

    def apply(self, sample: Sample) -> Sample:
        from PIL import Image

        img = sample.inputs["img"]
        height = self.data_params.height
        width = max(4, round(img.shape[1] * height / max(img.shape[0], 1)))
        scaled = np.asarray(Image.fromarray(img).resize((width, height), Image.Resampling.BILINEAR), "float32")
        lo, hi = float(scaled.min()), float(scaled.max())
        scaled = (hi - scaled) / max(hi - lo, 1.0)  # ink 1, ground 0, whatever the contrast
        return sample.new_inputs({"img": scaled, "img_len": np.array([width], "int32")})


@pai_dataclass
@dataclass
class AugmentLineParams(DataProcessorParams):
    """Training only: stretch the width by up to `stretch`, scale the contrast, add noise."""

    stretch: float = field(default=0.15, metadata=pai_meta(help="The largest relative change of the width."))
    noise: float = field(default=0.1, metadata=pai_meta(help="The largest standard deviation of the added noise."))


class AugmentLine(MappingDataProcessor[AugmentLineParams]):
    """Random width, contrast and noise (numpy's global generator, seeded per chunk by the pipeline)."""

    def apply(self, sample: Sample) -> Sample:
        from PIL import Image

        img = sample.inputs["img"]
        factor = 1 + np.random.uniform(-self.params.stretch, self.params.stretch)
        width = max(4, round(img.shape[1] * factor))
        img = np.asarray(Image.fromarray(img, mode="F").resize((width, img.shape[0]), Image.Resampling.BILINEAR))
        img = img * np.random.uniform(0.6, 1.0) + np.random.normal(
            0, np.random.uniform(0, self.params.noise), img.shape
        )
        return sample.new_inputs({"img": np.clip(img, 0, 1).astype("float32"), "img_len": np.array([width], "int32")})


@pai_dataclass
@dataclass
class EncodeParams(DataProcessorParams):
    """The ground truth text -> codec indices (`gt`) and their number (`gt_len`)."""


class Encode(MappingDataProcessor[EncodeParams]):
    """A character outside the codec is an error naming the file and the character."""

    def __init__(self, params: EncodeParams, data_params: ATRDataParams, mode: PipelineMode):
        super().__init__(params, data_params, mode)
        self.index = {c: i for i, c in enumerate(data_params.chars())}

    def apply(self, sample: Sample) -> Sample:
        if sample.targets is None:
            return sample
        text = sample.targets["gt"]
        unknown = sorted({c for c in text if c not in self.index})
        if unknown:
            raise ValueError(f"{sample.meta.get('id')}: the ground truth holds {unknown}, which the codec lacks")
        codes = np.array([self.index[c] for c in text], "int32")
        return sample.new_targets({"gt": codes, "gt_len": np.array([len(codes)], "int32")})


@pai_dataclass
@dataclass
class DecodeParams(DataProcessorParams):
    """Post-processing: `decoded` codec indices -> `sentence` (and the ground truth -> `gt_sentence`)."""


class Decode(MappingDataProcessor[DecodeParams]):
    """Drops the padding (-1) and maps the indices to characters."""

    def __init__(self, params: DecodeParams, data_params: ATRDataParams, mode: PipelineMode):
        super().__init__(params, data_params, mode)
        self.chars = data_params.chars()

    def text(self, codes, length: Optional[int] = None) -> str:
        codes = np.asarray(codes).reshape(-1)[:length]
        return "".join(self.chars[c] for c in codes if 0 <= c < len(self.chars))

    def apply(self, sample: Sample) -> Sample:
        sentence = self.text(sample.outputs["decoded"])
        sample = sample.new_outputs({"sentence": sentence, **sample.outputs})  # first: tfaip-predict prints it first
        if sample.targets is not None and "gt_len" in sample.targets:
            gt = self.text(sample.targets["gt"], int(np.asarray(sample.targets["gt_len"]).reshape(-1)[0]))
            sample = sample.new_targets({**sample.targets, "sentence": gt})
        return sample


class ATRData(DataBase[ATRDataParams]):
    """`img` [height, width] and `img_len` in, the codec indices `gt` and `gt_len` out; bucketing by width."""

    @classmethod
    def default_params(cls):
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(
            run_parallel=True,
            processors=[
                LoadLineParams(),
                ScaleToHeightParams(),
                AugmentLineParams(modes={PipelineMode.TRAINING}),
                EncodeParams(),
            ],
        )
        params.post_proc = SequentialProcessorPipelineParams(run_parallel=False, processors=[DecodeParams()])
        return params

    def _input_layer_specs(self):
        return {
            "img": ArraySpec([self.params.height, None], "float32"),
            "img_len": ArraySpec([1], "int32"),
        }

    def _target_layer_specs(self):
        return {"gt": ArraySpec([None], "int32"), "gt_len": ArraySpec([1], "int32")}

    def _padding_values(self):
        return {"gt": -1}

    def element_length(self, sample: Sample) -> int:
        return int(sample.inputs["img"].shape[1])
