"""The work of tfaip-predict and tfaip-lav once their command line names usable exports.

tfaip-lav and the saved_model backend of tfaip-predict import TensorFlow (quietly); the litert
and onnx backends of tfaip-predict do not.
"""

import contextlib
import json
from typing import Any, List, Optional, Tuple

import numpy as np

from tfaip.data import ConfigError, Sample
from tfaip.data.cli import ParamsArgumentParser, tensorflow_start_quietly
from tfaip.data.util.files import atomic_file
from tfaip.serve.backends import AUTO, choose_backend, read_deploy_manifest, uses_tf_free_data
from tfaip.serve.data_side import DataSide
from tfaip.serve.export_dir import ExportError
from tfaip.serve.lav.report import summarize
from tfaip.serve.params import LAVParams, PredictorParams


def read_scenario(path: str, needs: str) -> Any:
    """The scenario class recorded in the export at `path` (imports TensorFlow, quietly); `needs` says who asks."""
    try:
        with tensorflow_start_quietly():
            from tfaip.serve.export_loader import read_scenario as read  # the SavedModel backend
    except ImportError as e:
        if not (e.name or "").startswith(("tensorflow", "keras", "tfaip.model")):
            raise
        raise ExportError(f'{needs} TensorFlow, and {e.name} is not installed: pip install "tfaip-serve[tf]".') from e
    return read(path)[0]


def prediction_data(path: str, backend: str) -> Tuple[Optional[Any], Any]:
    """The scenario class (None without TensorFlow) and the prediction generator params class of an export."""
    manifest = read_deploy_manifest(path)
    chosen = choose_backend(backend, path, manifest)
    if uses_tf_free_data(chosen, None, manifest):
        return None, DataSide.predict_generator_of_export(path, manifest)
    scenario_cls = read_scenario(path, "This export's scenario needs")
    return scenario_cls, scenario_cls.predict_generator_params_cls()


def predict(parser: ParamsArgumentParser, argv: List[str], export_dirs: List[str]) -> int:
    """`tfaip-predict`: predict the data of `--data.*` with the export(s); returns the exit code."""
    backend = (parser.peek(argv, "--predict.backend") or [AUTO])[0]
    scenario_cls, generator_cls = prediction_data(export_dirs[0], backend)
    parser.add_root_argument("data", generator_cls)
    parser.add_root_argument("predict", PredictorParams)
    parser.add_argument(
        "--output",
        metavar="FILE.jsonl",
        help="Write each predicted sample as one JSON line: id, outputs (and, with several models, the "
        "individual outputs). Written to a temporary file and renamed when the prediction succeeded.",
    )
    args = parser.parse_args(argv)
    if args.output is not None and not args.output.endswith(".jsonl"):
        raise ConfigError(f"--output must name a .jsonl file, got {args.output!r}.")
    params: PredictorParams = args.predict
    multi = len(args.export_dir) > 1
    if scenario_cls is None:  # without TensorFlow: the data side comes from the export
        predictor = params.create_multi(None, args.export_dir) if multi else params.create(None, args.export_dir[0])
    elif multi:  # the scenario's own create_* (a scenario may override them)
        predictor = scenario_cls.create_multi_predictor(args.export_dir, params)
    else:
        predictor = scenario_cls.create_predictor(args.export_dir[0], params)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_file(args.output)) if args.output else None
        for index, prediction in enumerate(predictor.predict(args.data)):
            sample, individual = prediction if multi else (prediction, None)
            record = sample_record(index, sample)
            if individual is not None:
                record["individual"] = [sample_record(index, s)["outputs"] for s in individual]
            if out is not None:
                out.write(dumps(record) + "\n")
            if not params.silent:
                print(f"{record['id']}: {dumps(summarize(sample.outputs))}")
    print(f"Prediction: {predictor.throughput}")
    return 0


def lav(parser: ParamsArgumentParser, argv: List[str], export_dirs: List[str]) -> int:
    """`tfaip-lav`: validate the export(s) on the data of `--data.*`; returns the exit code."""
    scenario_cls = read_scenario(export_dirs[0], "tfaip-lav computes the model's own losses and metrics with")
    from tfaip.serve.export_loader import recorded_lav_generator  # imported (quietly) by read_scenario

    default = recorded_lav_generator(export_dirs[0], scenario_cls)
    if default is None:
        default = scenario_cls.predict_generator_params_cls()()
    parser.add_root_argument("data", type(default), default=default)
    parser.add_root_argument("lav", LAVParams)
    parser.add_argument("--run_eagerly", action="store_true", help="The same as --lav.run_eagerly True.")
    parser.add_argument("--dump", metavar="FILE.npz", help="The same as --lav.dump FILE.npz.")
    parser.add_argument("--json", metavar="FILE", help="Also write the results of each dataset as JSON to FILE.")
    args = parser.parse_args(argv)
    params: LAVParams = args.lav
    params.run_eagerly = params.run_eagerly or args.run_eagerly
    if args.dump is not None:
        if not args.dump.endswith(".npz"):
            raise ConfigError(f"--dump must name a .npz file, got {args.dump!r}.")
        params.dump = args.dump
    if len(args.export_dir) > 1:
        runner = params.create_multi(scenario_cls, args.export_dir)
    else:
        runner = scenario_cls.create_lav(args.export_dir[0], params)
    results = list(runner.run([args.data]))
    if args.json:
        with atomic_file(args.json) as f:
            json.dump(to_json(results), f, indent=2)
    return 0


def to_json(value: Any) -> Any:
    """Arrays (also nested in dicts and lists) as JSON-ready lists; bytes as text."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (np.ndarray, np.generic)):
        return to_json(value.tolist()) if value.dtype.kind in "SO" else value.tolist()
    return value


def sample_record(index: int, sample: Sample) -> dict:
    """The JSON record of a predicted sample: its id (meta id, else its position) and outputs."""
    meta = sample.meta if isinstance(sample.meta, dict) else {}
    record = {"id": to_json(meta.get("id", index)), "outputs": to_json(sample.outputs)}
    if sample.targets is not None:
        record["targets"] = to_json(sample.targets)
    return record


def dumps(record: Any) -> str:
    """One compact JSON line."""
    return json.dumps(record, separators=(",", ":"))
