"""The work of the training scripts once their command line is known to be usable (imports TensorFlow)."""

import json
import os
import time
from argparse import Namespace
from typing import List, Optional, Tuple, Type

from rich.console import Console

from tfaip.data import ConfigError
from tfaip.data.cli import ParamsArgumentParser, params_from_dict, params_to_json
from tfaip.data.util.files import TRAINER_PARAMS_FILE
from tfaip.model import ScenarioBase, ScenarioBaseParams, import_scenario, recover_directory
from tfaip.train.checkpoint import read_training_state
from tfaip.train.cli.command_line import ParamsFile
from tfaip.train.params import TrainerParams


def default_trainer_params(scenario_cls: Type[ScenarioBase]) -> TrainerParams:
    """TrainerParams with the scenario's default params and data."""
    return TrainerParams(scenario=scenario_cls.default_params(), gen=scenario_cls.default_trainer_pipeline_params())


def parse_trainer_params(parser: ParamsArgumentParser, argv: List[str], defaults: TrainerParams) -> Namespace:
    """Parse the flags of the scenario's TrainerParams (`args.trainer`) on top of `defaults`."""
    parser.add_root_argument("trainer", TrainerParams, defaults)
    return parser.parse_args(argv)


def scenario_args(
    parser: ParamsArgumentParser, argv: List[str], scenario: str, params_file: Optional[ParamsFile]
) -> Tuple[Namespace, Type[ScenarioBase]]:
    """Import the SCENARIO and parse its flags, on top of the `--params FILE.json` when given."""
    scenario_cls = import_scenario(scenario)
    defaults = default_trainer_params(scenario_cls)
    if params_file is not None:
        path = params_file.path
        loaded = params_from_dict(params_file.data, defaults, path)  # a new run: the state is in checkpoints
        if type(loaded.scenario) is not type(defaults.scenario):
            raise ConfigError(
                f"{path} holds the params of the scenario {loaded.scenario.scenario_id}, not of {scenario}; train "
                f"it with tfaip-train-from-params {path}."
            )
        defaults = loaded
    return parse_trainer_params(parser, argv, defaults), scenario_cls


def shown(args: Namespace) -> bool:
    """Print the resolved params as JSON if `--show` asks for them; returns whether it did."""
    if args.show:
        print(params_to_json(args.trainer))
    return args.show


def train(parser: ParamsArgumentParser, argv: List[str], scenario: str, params_file: Optional[ParamsFile]) -> int:
    """`tfaip-train`: train the SCENARIO (or print its params with `--show`); returns the exit code."""
    args, scenario_cls = scenario_args(parser, argv, scenario, params_file)
    if not shown(args):
        scenario_cls.create_trainer(args.trainer).train()
    return 0


def train_from_params(parser: ParamsArgumentParser, argv: List[str], params_file: ParamsFile) -> int:
    """`tfaip-train-from-params`: train the scenario named in the params file with its params; returns the exit code."""
    path, data = params_file
    scenario_cls = _scenario_of(path, data, f"train with tfaip-train SCENARIO --params {path}")
    params = params_from_dict(data, default_trainer_params(scenario_cls), path)
    args = parse_trainer_params(parser, argv, params)
    if not shown(args):
        scenario_cls.create_trainer(args.trainer).train()
    return 0


def _scenario_of(path: str, data: dict, fix: str) -> Type[ScenarioBase]:
    """The scenario class that the params `data` (read from `path`) name; a ConfigError naming `fix` without one.

    Importing it first also makes the classes of a scenario given as a .py file known to the params.
    """
    scenario = data.get("scenario")
    scenario_id = scenario.get("scenario_id") if isinstance(scenario, dict) else None
    if not scenario_id:
        raise ConfigError(f"{path} names no scenario (its scenario.scenario_id is missing): {fix}.")
    return ScenarioBaseParams(scenario_id=scenario_id, scenario_base_path=scenario.get("scenario_base_path")).cls()


def resume(prog: str, output_dir: str) -> int:
    """`tfaip-resume-training`: continue the run in `output_dir` from its checkpoint; returns the exit code.

    The params are the run's `trainer_params.json`; the checkpoint holds the weights and the
    `TrainingState` (epoch, best value, early-stopping counter) that the Trainer goes on from.
    """
    path = os.path.join(output_dir, TRAINER_PARAMS_FILE)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    scenario_cls = _scenario_of(path, data, "start the run anew with tfaip-train")
    params = TrainerParams.from_dict(data)
    checkpoint = params.checkpoint_dir or os.path.join(output_dir, "checkpoint")
    recover_directory(checkpoint)
    restore = os.path.isdir(checkpoint)
    if restore:
        read_training_state(checkpoint)  # a clear error now for a checkpoint without a readable state
    else:
        print(f"{prog}: no checkpoint in {output_dir} yet; training starts from the first epoch.")
        params.overwrite_output_dir = True  # the run's files belong to the run that starts again
    params.output_dir = output_dir
    params.warmstart.model = None if restore else params.warmstart.model
    scenario_cls.create_trainer(params, restore=restore).train()
    return 0


def benchmark_input_pipeline(
    parser: ParamsArgumentParser, argv: List[str], scenario: str, params_file: Optional[ParamsFile]
) -> int:
    """`tfaip-benchmark-input-pipeline`: print the samples/s of the scenario's training pipeline."""
    args, scenario_cls = scenario_args(parser, argv, scenario, params_file)
    if shown(args):
        return 0
    params = args.trainer
    pipeline = params.gen.train_data(scenario_cls(params.scenario).data)
    console = Console()
    samples, start, last_print = 0, time.perf_counter(), time.perf_counter()
    try:
        with pipeline.generate_input_batches(auto_repeat=True) as batches:
            for batch in batches:
                samples += len(next(iter(batch.inputs.values())))
                now = time.perf_counter()
                if now - last_print >= 1:
                    console.print(f"{samples / (now - start):10.1f} samples/s ({samples} samples)")
                    last_print = now
                if 0 <= args.time_limit <= now - start:
                    break
    except KeyboardInterrupt:
        pass
    elapsed = time.perf_counter() - start
    console.print(
        f"Input pipeline: {samples} samples in {elapsed:.1f} s = {samples / max(elapsed, 1e-9):.1f} samples/s"
    )
    return 0
