"""tfaip.experimenter: run the experiments of an xlsx sheet as `tfaip-train` (or any script) subprocesses.

`tfaip-experimenter --xlsx runs.xlsx --gpus 0 1` reads the sheet, runs each row on a free slot with a
live table of states, epochs and metrics, and `--update` writes the results back to the workbook.
It never imports TensorFlow.
"""

from tfaip.experimenter.epochs import EpochProgress, read_progress
from tfaip.experimenter.experimenter import XLSXExperimenter
from tfaip.experimenter.parameter import Parameter
from tfaip.experimenter.plan import Launch, LaunchError, plan_launch
from tfaip.experimenter.record import RunRecord, RunState, read_record
from tfaip.experimenter.results import ResultsError, collect_results, write_results
from tfaip.experimenter.scheduler import Scheduler
from tfaip.experimenter.sheet import Experiment, ExperimentSheet, SheetError, read_sheet
from tfaip.experimenter.slots import Slot, SlotError, parse_slots

__version__ = "0.1.4"

__all__ = [
    "EpochProgress", "Experiment", "ExperimentSheet", "Launch", "LaunchError", "Parameter", "ResultsError",
    "RunRecord", "RunState", "Scheduler", "SheetError", "Slot", "SlotError", "XLSXExperimenter", "collect_results",
    "parse_slots", "plan_launch", "read_progress", "read_record", "read_sheet", "write_results", "__version__",
]  # fmt: skip
