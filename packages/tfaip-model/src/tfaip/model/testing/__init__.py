"""Test support for tfaip-model and the packages above it (not part of the runtime API).

Like `numpy.testing`, this ships inside the dist so that tests of an installed tfaip-model
(and of tfaip-serve, tfaip-train above it) need nothing outside it:

- `load_digits(training)`: the 1,797 handwritten 8x8 UCI digits (the data of scikit-learn's
  `load_digits`, in `digits.npz` here), split 1,500 / 297; `upscale_digits` makes them 28x28.
- `tfaip.model.testing.tutorial`: the reference "Minimal Tutorial" scenario on those digits,
  with TensorBoard feature maps and two weighted losses. Import scenario modules by name
  (`import_scenario("tfaip.model.testing.tutorial")`); this package does not import them.

Its names may change between minor versions.
"""

from tfaip.model.testing.digits import DIGITS_NPZ, N_TRAIN, load_digits, upscale_digits

__all__ = ["DIGITS_NPZ", "N_TRAIN", "load_digits", "upscale_digits"]
