import os
import sys

# the serve scenario must be importable by name (export lookup, worker processes, subprocesses)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from exports import exports  # noqa: F401  (a session fixture shared by the test modules)
