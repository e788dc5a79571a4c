"""`python -m tfaip.experimenter`: the same as `tfaip-experimenter`."""

from tfaip.experimenter.cli import run

run()
