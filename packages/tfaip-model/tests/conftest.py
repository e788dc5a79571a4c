import os
import sys

# the tutorial scenario must be importable by name (scenario lookup, worker processes)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
