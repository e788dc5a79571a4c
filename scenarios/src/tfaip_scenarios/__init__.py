"""tfaip_scenarios: example scenarios of tfaip, found by `tfaip-train NAME` (e.g. `tutorial.min`)."""

__version__ = "0.4.2"
