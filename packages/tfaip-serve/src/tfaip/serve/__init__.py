"""tfaip.serve: apply and evaluate exported models with nothing but tfaip-serve and the scenario's package.

`Predictor` (pre-processing, model, post-processing in one call), `MultiModelPredictor`
with voters, `LAV`/`MultiLAV` with the scenario's `Evaluator`, and the console scripts
`tfaip-predict` and `tfaip-lav`.

The public names (listed in `__init__.pyi`) load on first use, so `import tfaip.serve` and the
console scripts' `--help` and usage errors need no TensorFlow.
"""

import lazy_loader

__version__ = "0.3.1"

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
