"""Serving backends side by side on one export of the Minimal Tutorial: install size, cold start, throughput.

- Install size: the files of every distribution that `pip install tfaip-serve[EXTRA]` pulls in
  (the requirement closure, read from this environment's metadata), for `tf` (the SavedModel
  backend) against `litert` and `onnx` (no TensorFlow).
- Cold start: a fresh Python process that creates a `Predictor` for the export and predicts one
  raw sample, from process start to its exit right after the first prediction; the median of
  `--repeats` runs per backend, alternating. Each child reports whether TensorFlow was imported.
- Throughput: `predict_raw` of `--samples` raw digits per backend in this process, alternating
  `--repeats` rounds; the ratio to the SavedModel backend is the median of the paired ratios.

The export has random weights (the figures do not depend on training). Prints one JSON line.
"""

import argparse
import importlib.metadata
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, Set

import keras
from packaging.requirements import Requirement
from tfaip_scenarios.tutorial.datasets import load_split
from tfaip_scenarios.tutorial.min.scenario import TutorialScenario

from tfaip.serve import Predictor, PredictorParams

BACKENDS = ("saved_model", "litert", "onnx")
EXTRAS = {"saved_model": "tf", "litert": "litert", "onnx": "onnx"}
SAME_CODE = {"tensorflow": "tensorflow-cpu"}  # the dev environment installs the CPU build in tensorflow's place

COLD_START = """
import sys, time, numpy as np
from tfaip.serve import Predictor, PredictorParams
predictor = Predictor(PredictorParams(progress_bar=False, backend=sys.argv[2]), None, sys.argv[1])
next(iter(predictor.predict_raw([{"img": np.zeros((28, 28), "uint8")}])))
print("tensorflow" in sys.modules)
"""


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_closure(name: str, extras: Set[str]) -> Set[str]:
    """The distributions `pip install name[extras]` installs, as far as this environment has them."""
    seen: Set[str] = set()
    todo = [(name, frozenset(extras))]
    while todo:
        dist_name, dist_extras = todo.pop()
        if _normalized(dist_name) in seen:
            continue
        try:
            dist = importlib.metadata.distribution(SAME_CODE.get(_normalized(dist_name), dist_name))
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(_normalized(dist_name))
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in (dist_extras or {""})
            ):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return seen


def installed_bytes(dist_name: str) -> int:
    dist = importlib.metadata.distribution(SAME_CODE.get(dist_name, dist_name))
    total = 0
    for file in dist.files or []:
        path = dist.locate_file(file)
        if os.path.isfile(path):
            total += os.path.getsize(path)
    return total


def install_sizes() -> Dict[str, float]:
    sizes = {}
    for backend, extra in EXTRAS.items():
        dists = requirement_closure("tfaip-serve", {extra})
        sizes[f"{backend}_mb"] = round(sum(installed_bytes(d) for d in dists) / 2**20, 1)
        sizes[f"{backend}_has_tensorflow"] = "tensorflow" in dists
    return sizes


def cold_starts(export: str, repeats: int) -> Dict[str, float]:
    times: Dict[str, list] = {b: [] for b in BACKENDS}
    imported_tf: Dict[str, bool] = {}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for _ in range(repeats):
        for backend in BACKENDS:
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", COLD_START, export, backend], capture_output=True, text=True, env=env, check=True
            )
            times[backend].append(time.perf_counter() - start)
            imported_tf[backend] = out.stdout.strip().splitlines()[-1] == "True"
    result = {f"{b}_s": round(statistics.median(t), 2) for b, t in times.items()}
    result.update({f"{b}_imports_tensorflow": imported_tf[b] for b in BACKENDS})
    return result


def throughputs(export: str, samples: int, repeats: int) -> Dict[str, float]:
    images, _ = load_split("digits", training=True)
    raw = [{"img": images[i % len(images)]} for i in range(samples)]
    predictors = {}
    for backend in BACKENDS:
        params = PredictorParams(progress_bar=False, backend=backend)
        params.pipeline.batch_size = 64
        predictors[backend] = Predictor(params, None, export)
        for _ in predictors[backend].predict_raw(raw[:128]):  # warm-up: graphs traced, threads started
            pass
    rates: Dict[str, list] = {b: [] for b in BACKENDS}
    for _ in range(repeats):
        for backend, predictor in predictors.items():
            start = time.perf_counter()
            count = sum(1 for _ in predictor.predict_raw(raw))
            rates[backend].append(count / (time.perf_counter() - start))
    result = {f"{b}_samples_per_s": round(statistics.median(r)) for b, r in rates.items()}
    for backend in ("litert", "onnx"):
        paired = [r / s for r, s in zip(rates[backend], rates["saved_model"])]
        result[f"{backend}_ratio"] = round(statistics.median(paired), 2)
        result[f"{backend}_ratio_range"] = [round(min(paired), 2), round(max(paired), 2)]
    return result


def export_tutorial(path: str) -> None:
    keras.utils.set_random_seed(0)
    params = TutorialScenario.default_params()
    params.export_formats = list(BACKENDS)
    TutorialScenario(params).export(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=4096)
    args = parser.parse_args()
    export = os.path.join(tempfile.mkdtemp(), "export")
    export_tutorial(export)
    result = {
        "install": install_sizes(),
        "cold_start": cold_starts(export, args.repeats),
        "predict_raw": throughputs(export, args.samples, args.repeats),
        "repeats": args.repeats,
        "samples": args.samples,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
