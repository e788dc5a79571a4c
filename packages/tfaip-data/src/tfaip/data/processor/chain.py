"""Run the created processors of one stage over a chunk of samples.

The same code runs in-process (`run_parallel=False`) and inside worker processes, so a
pipeline gives identical output either way.
"""

from __future__ import annotations

import traceback
from collections import Counter
from typing import Any, List, Optional, Sequence, Tuple

from tfaip.data.errors import DataProcessorError
from tfaip.data.processor.base import DataProcessorParams, GeneratingDataProcessor, MappingDataProcessor
from tfaip.data.sample import PipelineMode, Sample, describe_sample, invalid_reason

_Indexed = Tuple[Optional[int], Sample]


def processor_error(processor_name: str, sample_description: str, exc: BaseException) -> DataProcessorError:
    """Wrap `exc` (raised while handling `sample_description`) into a DataProcessorError."""
    return DataProcessorError(
        processor_name,
        sample_description,
        f"{type(exc).__name__}: {exc}",
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    )


def describe_range(items: Sequence[_Indexed]) -> str:
    """Describe the input samples of a chunk, e.g. `the samples at indices 32-63`."""
    indices = [i for i, _ in items if i is not None]
    if not indices:
        return "a chunk of generated samples"
    return f"the samples at indices {min(indices)}-{max(indices)}"


SKIPPED = "skipped by "  # the start of a drop reason: a processor raised, and `skip_invalid` is set


class ProcessorChain:
    """The processors of one stage, created for `mode` (processors of other modes are skipped)."""

    def __init__(self, processors: Sequence[DataProcessorParams], data_params: Any, mode: PipelineMode):
        self.mode = mode
        self.skip_invalid = bool(getattr(data_params, "skip_invalid", False))
        # consecutive mapping processors form one segment applied sample by sample
        self._segments: List[Tuple[bool, list]] = []
        for params in processors:
            if mode not in params.modes:
                continue
            try:
                processor = params.create(data_params, mode)
            except Exception as e:
                raise processor_error(type(params).__name__, "no sample (while creating the processor)", e) from e
            is_mapping = isinstance(processor, MappingDataProcessor)
            if is_mapping and self._segments and self._segments[-1][0]:
                self._segments[-1][1].append(processor)
            else:
                self._segments.append((is_mapping, [processor]))
        self._names = [type(p).__name__ for _, procs in self._segments for p in procs]

    @property
    def processor_names(self) -> List[str]:
        """Class names of the active processors, in order (empty: the chain only drops invalid samples)."""
        return self._names

    def run(self, samples: Sequence[Sample], first_index: int) -> Tuple[List[Sample], Counter]:
        """Process one chunk whose first sample has stream index `first_index`.

        Returns the valid results and how many samples were dropped as invalid, by reason
        (e.g. `{"had no targets": 3}`).
        """
        dropped: Counter = Counter()
        items: List[_Indexed] = []
        for i, sample in enumerate(samples):
            reason = invalid_reason(sample, self.mode)
            if reason is None:
                items.append((first_index + i, sample))
            else:
                dropped[f"had {reason}"] += 1
        for is_mapping, processors in self._segments:
            if is_mapping:
                items = self._map(processors, items, dropped)
            else:
                items = self._generate(processors[0], items, dropped)
        return [s for _, s in items], dropped

    def _map(self, processors: List[MappingDataProcessor], items: List[_Indexed], dropped: Counter) -> List[_Indexed]:
        out = []
        for index, sample in items:
            if sample.meta is None:
                sample = sample.new_meta({})
            for processor in processors:
                try:
                    sample = processor.apply(sample)
                except Exception as e:
                    if not self.skip_invalid:
                        raise processor_error(type(processor).__name__, describe_sample(sample, index), e) from e
                    dropped[f"{SKIPPED}{type(processor).__name__}: {type(e).__name__}: {e}"] += 1
                    break
                reason = invalid_reason(sample, self.mode)
                if reason is not None:
                    dropped[f"were left with {reason} by {type(processor).__name__}"] += 1
                    break
            else:
                out.append((index, sample))
        return out

    def _generate(self, processor: GeneratingDataProcessor, items: List[_Indexed], dropped: Counter) -> List[_Indexed]:
        try:
            produced = list(processor.generate(s for _, s in items))
        except Exception as e:
            raise processor_error(type(processor).__name__, describe_range(items), e) from e
        out = []
        for sample in produced:
            reason = invalid_reason(sample, self.mode)
            if reason is None:
                out.append((None, sample))
            else:
                dropped[f"were generated by {type(processor).__name__} with {reason}"] += 1
        return out
