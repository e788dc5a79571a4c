"""Samples already in memory as the source of a pipeline (`Predictor.predict_raw`)."""

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from tfaip.data import TARGETS_PROCESSOR, DataGenerator, DataGeneratorParams, PipelineMode, Sample


@dataclass
class RawSamplesParams(DataGeneratorParams):
    """Generator params over an iterable of Samples (or of `inputs` dicts), consumed once."""

    samples: Iterable[Any] = ()

    @staticmethod
    def cls() -> type:
        """The generator class."""
        return RawSamplesGenerator


class RawSamplesGenerator(DataGenerator[RawSamplesParams]):
    """Yields the samples of `RawSamplesParams`; a plain dict becomes `Sample(inputs=dict)`."""

    def __init__(self, mode: PipelineMode, params: RawSamplesParams):
        super().__init__(mode, params)

    def __len__(self) -> int:
        return len(self.params.samples)  # TypeError for an iterator: the progress shows no total

    def generate(self) -> Iterator[Sample]:
        """The samples, in order; without targets where the mode needs them, an error (not a silent drop)."""
        needs_targets = self.mode in TARGETS_PROCESSOR
        for index, item in enumerate(self.params.samples):
            sample = item if isinstance(item, Sample) else Sample(inputs=item)
            if needs_targets and sample.targets is None:
                raise ValueError(
                    f"Raw sample {index} has no targets, but include_targets is set: pass Samples with targets or "
                    "leave include_targets off."
                )
            yield sample
