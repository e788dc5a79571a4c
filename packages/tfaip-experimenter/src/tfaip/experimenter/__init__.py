"""tfaip.experimenter: tfaip experimenter: xlsx-driven scheduling of tfaip-train runs on GPU and CPU slots.

Placeholder of the monorepo layout; the real API arrives in a later release.
"""

__version__ = "0.0.1"

__all__ = ["__version__"]
