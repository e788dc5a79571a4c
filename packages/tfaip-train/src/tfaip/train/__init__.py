"""tfaip.train: the Trainer on keras `Model.fit`, optimizers, learning-rate schedules, warm-start, callbacks.

tfaip-train tutorial.min --trainer.epochs 5 --trainer.output_dir model
tfaip-resume-training model

The public names (listed in `__init__.pyi`) load on first use, so the console scripts answer
`--help` and usage errors before TensorFlow loads.
"""

import lazy_loader

__version__ = "0.3.3"

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
