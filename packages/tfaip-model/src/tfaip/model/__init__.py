"""tfaip.model: tfaip model: ModelBase, GraphBase, losses, metrics, ScenarioBase and export.

Placeholder of the monorepo layout; the real API arrives in a later release.
"""

__version__ = "0.0.1"

__all__ = ["__version__"]
