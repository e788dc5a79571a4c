"""tfaip.train: tfaip train: Trainer, optimizers, learning-rate schedules, warm-start and the tfaip-train CLI.

Placeholder of the monorepo layout; the real API arrives in a later release.
"""

__version__ = "0.0.1"

__all__ = ["__version__"]
