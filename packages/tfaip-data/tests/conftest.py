import os
import sys

# the helper processors must be importable by name in spawned worker processes
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
