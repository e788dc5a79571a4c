"""Test support for tfaip-experimenter (not part of the runtime API).

Like `numpy.testing`, this ships inside the dist so that tests of an installed
tfaip-experimenter need nothing outside it: `write_sheet` builds an experiment sheet,
`store_formula_values` fills in formula results as a spreadsheet program would, and
`fake_script(...)` is a SCRIPT cell that runs `fake_run.py` (beside this file), a stand-in for
tfaip-train that logs epochs like it and can wait, fail or ignore Ctrl-C. Imports no TensorFlow.

Its names may change between minor versions.
"""

from tfaip.experimenter.testing.sheets import FAKE_RUN, MARKERS, fake_script, store_formula_values, write_sheet

__all__ = ["FAKE_RUN", "MARKERS", "fake_script", "store_formula_values", "write_sheet"]
