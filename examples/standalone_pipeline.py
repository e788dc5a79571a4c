"""A standalone tfaip data pipeline: no model, no TensorFlow.

Reads the bundled handwritten-digit images (examples/data/digits.npz, 1,797 8x8 images),
runs a pre-processing chain (decode -> augment (training only) -> normalise) in parallel
worker processes, batches and pads in the workers, and prints the throughput.

    python examples/standalone_pipeline.py --pipeline.num_processes 2 --pipeline.batch_size 32
"""

import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np
from paiargparse import PAIArgumentParser, pai_dataclass, pai_meta
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tfaip.data import (
    ArraySpec,
    DataBase,
    DataBaseParams,
    DataGenerator,
    DataGeneratorParams,
    DataPipelineParams,
    DataProcessorParams,
    MappingDataProcessor,
    PipelineMode,
    Sample,
    SequentialProcessorPipelineParams,
)

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.npz")


@pai_dataclass
@dataclass
class DigitsGeneratorParams(DataGeneratorParams):
    path: str = field(default=DIGITS, metadata=pai_meta(help="npz file with 'images' and 'labels'."))
    repeat: int = field(default=20, metadata=pai_meta(help="Passes over the images (for a longer run)."))

    @staticmethod
    def cls():
        return DigitsGenerator


class DigitsGenerator(DataGenerator[DigitsGeneratorParams]):
    def __init__(self, mode, params):
        super().__init__(mode, params)
        with np.load(params.path) as f:
            self.images, self.labels = f["images"], f["labels"]

    def __len__(self):
        return len(self.images) * self.params.repeat

    def generate(self):
        for r in range(self.params.repeat):
            for i, (img, label) in enumerate(zip(self.images, self.labels)):
                yield Sample(inputs=img, targets=np.asarray([label]), meta={"id": f"digit{i}/pass{r}"})


@pai_dataclass
@dataclass
class UpscaleParams(DataProcessorParams):
    size: int = field(default=28, metadata=pai_meta(help="Output height and width."))

    @staticmethod
    def cls():
        return Upscale


class Upscale(MappingDataProcessor[UpscaleParams]):
    """Nearest-neighbour upscaling written as a pure-Python loop (a stand-in for real decoding)."""

    def apply(self, sample):
        src, n = sample.inputs, self.params.size
        scale = src.shape[0] / n
        rows = [[float(src[int(y * scale), int(x * scale)]) for x in range(n)] for y in range(n)]
        return sample.new_inputs({"img": np.asarray(rows, dtype=np.float32)})


@pai_dataclass
@dataclass
class AugmentParams(DataProcessorParams):
    max_shift: int = field(default=2, metadata=pai_meta(help="Largest random shift in pixels."))

    @staticmethod
    def cls():
        return Augment


class Augment(MappingDataProcessor[AugmentParams]):
    def apply(self, sample):
        dy, dx = np.random.randint(-self.params.max_shift, self.params.max_shift + 1, size=2)
        return sample.new_inputs({"img": np.roll(sample.inputs["img"], (dy, dx), axis=(0, 1))})


@pai_dataclass
@dataclass
class NormalizeParams(DataProcessorParams):
    @staticmethod
    def cls():
        return Normalize


class Normalize(MappingDataProcessor[NormalizeParams]):
    def apply(self, sample):
        return sample.new_inputs({"img": sample.inputs["img"] / 16.0})


@pai_dataclass
@dataclass
class DigitsDataParams(DataBaseParams):
    @staticmethod
    def cls():
        return DigitsData


class DigitsData(DataBase[DigitsDataParams]):
    @classmethod
    def default_params(cls):
        params = super().default_params()
        params.pre_proc = SequentialProcessorPipelineParams(
            run_parallel=True,
            processors=[UpscaleParams(), AugmentParams(modes={PipelineMode.TRAINING}), NormalizeParams()],
        )
        return params

    def _input_layer_specs(self):
        return {"img": ArraySpec([28, 28], "float32")}

    def _target_layer_specs(self):
        return {"gt": ArraySpec([1], "int64")}


@pai_dataclass
@dataclass
class ExampleParams:
    data: DigitsDataParams = field(default_factory=DigitsData.default_params, metadata=pai_meta(mode="flat"))
    generator: DigitsGeneratorParams = field(default_factory=DigitsGeneratorParams, metadata=pai_meta(mode="flat"))
    pipeline: DataPipelineParams = field(
        default_factory=lambda: DataPipelineParams(batch_size=32, num_processes=2), metadata=pai_meta(mode="flat")
    )


def main(argv=None) -> int:
    parser = PAIArgumentParser(description=__doc__)
    parser.add_root_argument("root", ExampleParams, flat=True)
    params: ExampleParams = parser.parse_args(argv).root
    console = Console()
    pipeline = params.data.create().create_pipeline(params.pipeline, params.generator)
    total = len(pipeline)
    parallel = params.data.pre_proc.run_parallel
    console.print(
        f"[bold]tfaip.data[/] standalone pipeline: {total} samples, batch size {params.pipeline.batch_size}, "
        f"{params.pipeline.num_processes if parallel else 'no'} worker processes"
    )
    seen = 0
    start = time.perf_counter()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as progress, pipeline.generate_input_batches() as batches:
        task = progress.add_task("samples", total=total)
        for batch in batches:
            seen += len(batch.meta)
            progress.update(task, advance=len(batch.meta))
    seconds = time.perf_counter() - start
    console.print(f"{seen} samples in {seconds:.2f} s: [bold green]{seen / seconds:,.0f} samples/s[/]")
    return 0 if seen == total else 1


if __name__ == "__main__":
    sys.exit(main())
