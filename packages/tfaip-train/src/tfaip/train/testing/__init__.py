"""Test support for tfaip-train and the packages above it (not part of the runtime API).

Like `numpy.testing`, this ships inside the dist so that tests of an installed tfaip-train need
nothing outside it, also in subprocesses:

- `tfaip.train.testing.tutorial`: the Minimal Tutorial's small CNN on 28x28 digits, in the
  shape the tests rely on (it does not follow later changes of `tfaip_scenarios.tutorial.min`).
  Import it by its module path (also its name for `import_scenario` and `tfaip-train`).
- `tiny_params(output_dir, epochs, samples, **trainer)`: `TrainerParams` of a run of that
  scenario that takes seconds; `weights(graph)`: weight path -> numpy value;
  `CrashAfterEpoch(epoch)`: a callback that fails a run after that epoch's checkpoint;
  `CrashAtStep(epoch, step)`: one that fails it before that step (after a checkpoint due there).

Its names may change between minor versions.
"""

from tfaip.train.testing.params import CrashAfterEpoch, CrashAtStep, tiny_params, weights

__all__ = ["CrashAfterEpoch", "CrashAtStep", "tiny_params", "weights"]
