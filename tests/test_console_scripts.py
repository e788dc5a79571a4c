"""Every console script as a user meets it: usage errors before TensorFlow, one clear line for bad input (exit 2),
user code errors with their traceback (exit 1), quiet starts, and params files."""

import contextlib
import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tfaip.data import ConfigError
from tfaip.data.testing import run_script
from tfaip.train.cli import benchmark, from_params, train

BIN = Path(sys.executable).parent
TINY = ["--trainer.progress_bar", "False", "--train_val.limit_to", "64", "--val.limit", "32",
        "--train.num_processes", "1", "--val.num_processes", "1", "--trainer.random_seed", "3"]  # fmt: skip


def script(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    assert path, f"{name} is not installed next to {sys.executable}"
    return path


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)


def assert_one_error_line(result: subprocess.CompletedProcess, name: str, message: str, code: int = 2) -> None:
    """Exit `code` and nothing on stderr but `NAME: error: ...message...` (no TensorFlow start-up lines)."""
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{name}: error: ") and message in lines[0], result.stderr


USAGE_ERRORS = [
    ("tfaip-train", [], "the first argument must be the SCENARIO, e.g. tfaip-train tutorial.min"),
    ("tfaip-train", ["--trainer.epochs", "3"], "the first argument must be the SCENARIO"),
    ("tfaip-train", ["tutorial.min", "--params", "missing.json"], "The params file missing.json does not exist."),
    ("tfaip-train-from-params", [], "the first argument must be the params FILE.json"),
    ("tfaip-train-from-params", ["missing.json"], "The params file missing.json does not exist."),
    ("tfaip-resume-training", [], "the first argument must be the OUTPUT_DIR of the run, e.g. tfaip-resume-training"),
    ("tfaip-resume-training", ["."], ". is no training output dir (it has no trainer_params.json)."),
    ("tfaip-train-cluster", [], "--workers N is required: the number of worker processes, e.g. tfaip-train-cluster"),
    ("tfaip-train-cluster", ["--workers", "2"], "name the SCENARIO to train, e.g. tfaip-train-cluster --workers 2"),
    ("tfaip-train-cluster", ["--workers", "0", "tutorial.min"], "--workers 0: start at least one worker."),
    (
        "tfaip-train-cluster",
        ["--workers", "2", "tutorial.min", "--trainer.dist_strategy", "mirror"],
        "--trainer.dist_strategy mirror: the workers of tfaip-train-cluster train with multi_worker.",
    ),
    ("tfaip-train-cluster", ["--workers", "2", "--resume", "."], "--resume .: there is no trainer_params.json"),
    ("tfaip-benchmark-input-pipeline", [], "the first argument must be the SCENARIO"),
    ("tfaip-benchmark-scenario-input-pipeline", [], "the first argument must be the SCENARIO"),
    ("tfaip-new-scenario", [], "the first argument must be the NAME of the new package, e.g. tfaip-new-scenario"),
    ("tfaip-predict", [], "--export_dir DIR is required: the export of a training run"),
    ("tfaip-predict", ["--export_dir", "missing"], "missing does not exist; pass the directory a training run"),
    ("tfaip-lav", ["--data.limit", "3"], "--export_dir DIR is required"),
    ("tfaip-lav", ["--export_dir", "."], "is not a tfaip export: it has no scenario_params.json"),
]


@pytest.mark.parametrize("name, args, message", USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_usage_errors_exit_2_with_one_line(tmp_path, name, args, message):
    assert_one_error_line(run(script(name), *args, cwd=tmp_path), name, message)


ENTRIES = {
    "tfaip-train": "tfaip.train.cli.train",
    "tfaip-train-from-params": "tfaip.train.cli.from_params",
    "tfaip-resume-training": "tfaip.train.cli.resume",
    "tfaip-train-cluster": "tfaip.train.cli.cluster",
    "tfaip-benchmark-input-pipeline": "tfaip.train.cli.benchmark",
    "tfaip-new-scenario": "tfaip.train.cli.new_scenario",
    "tfaip-predict": "tfaip.serve.cli.predict",
    "tfaip-lav": "tfaip.serve.cli.lav",
}
WITHOUT_TENSORFLOW = textwrap.dedent(
    """
    import contextlib, importlib, io, json, sys
    from tfaip.data import ConfigError

    answers = {}
    for name, module in json.loads(sys.argv[1]).items():
        for argv in ([], ["--help"]):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    importlib.import_module(module).main(argv)
                    answer = "returned"
                except SystemExit as e:
                    answer = f"exit {e.code}"
                except ConfigError:
                    answer = "usage error"
            answers[f"{name} {' '.join(argv)}".strip()] = [answer, "usage:" in out.getvalue()]
    print(json.dumps({"answers": answers, "loaded": [m for m in ("tensorflow", "keras") if m in sys.modules]}))
    """
)


def test_help_and_usage_errors_answer_before_tensorflow_loads():
    result = run(sys.executable, "-c", WITHOUT_TENSORFLOW, json.dumps(ENTRIES))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["loaded"] == []
    for name in ENTRIES:
        assert report["answers"][name] == ["usage error", False], name
        assert report["answers"][f"{name} --help"] == ["exit 0", True], name


# ---- the params of a scenario: typed errors, suggestions, --show and params files (in this process) -----------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--trainer.epochs", "abc"], "--trainer.epochs expects an integer, got 'abc'."),
        (["--trainer.scale_epoch_size", "much"], "--trainer.scale_epoch_size expects a number, got 'much'."),
        (["--trainer.export_final", "maybe"], "--trainer.export_final expects true or false, got 'maybe'."),
        (["--trainer.random_seed", "x"], "--trainer.random_seed expects an integer (or None), got 'x'."),
        (["--train.bucket_boundaries", "10", "twenty"], "--train.bucket_boundaries expects a list of integers, got "
                                                        "'twenty'."),
        (["--trainer.dist_strategy", "miror"], "--trainer.dist_strategy expects one of default, central_storage, "
                                               "mirror, multi_worker, got 'miror'; did you mean mirror?"),
        (["--learning_rate", "Cosine"], "--learning_rate: 'Cosine' is not a choice; did you mean CosineDecay?"),
        (["--trainer.epoch", "3"], "unknown flag --trainer.epoch; did you mean --trainer.epochs?"),
        (["--epochs", "3"], "unknown flag --epochs; did you mean --trainer.epochs?"),
        (["--optimizer.momentum", "0.9"], "unknown flag --optimizer.momentum (see tfaip-train --help"),
        (["--trainer.epochs", "0"], "TrainerParams.epochs must be >= 1, got 0."),
    ],
)  # fmt: skip
def test_a_bad_flag_names_the_flag_the_type_and_the_value(args, message):
    with pytest.raises(ConfigError) as error:
        train.main(["tutorial.min", *args])
    assert str(error.value).startswith(message)


def shown(main, *args) -> dict:
    """The params that `main(args + --show)` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--show"]) == 0
    return json.loads(out.getvalue())


def test_show_prints_params_that_params_and_train_from_params_read_back(tmp_path):
    params = shown(train.main, "tutorial.min", "--trainer.epochs", "3", "--optimizer", "SGD",
                   "--optimizer.momentum", "0.5", "--train_val.limit_to", "50")  # fmt: skip
    assert params["epochs"] == 3 and params["optimizer"]["momentum"] == 0.5
    assert params["optimizer"]["__cls__"].endswith(":SGDOptimizer")
    assert params["gen"]["train_val"]["limit_to"] == 50
    path = tmp_path / "params.json"
    path.write_text(json.dumps(params))
    assert shown(train.main, "tutorial.min", "--params", str(path)) == params
    assert shown(from_params.main, str(path)) == params
    assert shown(benchmark.main, "tutorial.min", "--params", str(path)) == params
    overridden = shown(train.main, "tutorial.min", "--params", str(path), "--trainer.epochs", "5")
    assert overridden == {**params, "epochs": 5}  # the flags override the file, wherever they stand
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"epochs": 7, "learning_rate": {"lr": 0.01}}))
    laid_over = shown(train.main, "tutorial.min", "--params", str(partial), "--optimizer", "SGD")
    assert (laid_over["epochs"], laid_over["learning_rate"]["lr"]) == (7, 0.01)
    assert laid_over["learning_rate"]["__cls__"].endswith(":ExponentialDecayParams")  # the default class kept


def test_an_unknown_key_in_a_params_file_names_the_key_the_file_and_the_closest_key(tmp_path):
    path = tmp_path / "params.json"
    path.write_text(json.dumps({"epochs": 2, "optimizer": {"beta1": 0.5}}))
    with pytest.raises(ConfigError) as error:
        train.main(["tutorial.min", "--params", str(path)])
    assert str(error.value) == (
        f"{path}: unknown key 'optimizer.beta1' (AdamOptimizer has no field 'beta1'); did you mean 'optimizer.beta_1'?"
    )
    path.write_text(json.dumps({"gen": {"train_val": {"limit": 5}}}))
    with pytest.raises(ConfigError, match=r"unknown key 'gen.train_val.limit' .*did you mean 'gen.train_val.limit_to'"):
        train.main(["tutorial.min", "--params", str(path)])
    path.write_text(json.dumps({"epochs": 2}))
    with pytest.raises(ConfigError, match=r"names no scenario \(its scenario.scenario_id is missing\)"):
        from_params.main([str(path)])


def test_train_from_params_trains_the_scenario_of_an_earlier_run_afresh(tmp_path):
    first = tmp_path / "first"
    assert train.main(["tutorial.min", "--trainer.epochs", "1", "--trainer.output_dir", str(first), *TINY]) == 0
    earlier = json.loads((first / "trainer_params.json").read_text())
    assert "current_epoch" not in earlier and "best" not in earlier["early_stopping"]  # the state is in checkpoint/
    # a trainer_params.json of tfaip-train 0.1 also held the run's state: it is ignored, a new run starts
    old = tmp_path / "old_trainer_params.json"
    early_stopping = {**earlier["early_stopping"], "best": 0.5, "best_epoch": 0, "n": 0}
    old.write_text(json.dumps({**earlier, "current_epoch": 1, "stop_reason": None, "early_stopping": early_stopping}))
    second = tmp_path / "second"
    assert from_params.main([str(old), "--trainer.output_dir", str(second)]) == 0
    again = json.loads((second / "trainer_params.json").read_text())
    state = json.loads((second / "checkpoint" / "training_state.json").read_text())
    assert state["epoch"] == 1 and state["best"] != 0.5  # a new run of one epoch, not a finished one
    assert {k: v for k, v in again.items() if k != "output_dir"} == {
        k: v for k, v in earlier.items() if k != "output_dir"
    }
    assert "Results of epoch 1:" in (second / "train.log").read_text()


# ---- what a user sees of a bad value, of a broken scenario file and of an error in a scenario's code ---------


# A process shows what TensorFlow prints while it starts: a case of each way a script loads TensorFlow before it
# reads its flags runs as one (tfaip-train's `tensorflow_start_quietly`, which tfaip-train-from-params and
# tfaip-benchmark-input-pipeline share; tfaip-predict's and tfaip-lav's export loading); the others run in this
# process. Each script's usage errors before TensorFlow loads run as processes above.
PROCESS = pytest.mark.slow


@pytest.mark.parametrize(
    "how, name, args, message",
    [
        pytest.param("process", "tfaip-train", ["tutorial.min", "--trainer.epochs", "two"],
                     "--trainer.epochs expects an integer, got 'two'.", marks=PROCESS),
        ("in process", "tfaip-train", ["tutorial.min", "--trainer.epochz", "2"], "did you mean --trainer.epochs?"),
        ("in process", "tfaip-train", ["tutorial.min", "--optimizer", "Adamm"],
         "'Adamm' is not a choice; did you mean Adam?"),
        ("in process", "tfaip-train", ["no_such.scenario"], "No scenario 'no_such.scenario'"),
        ("in process", "tfaip-benchmark-input-pipeline", ["tutorial.min", "--time_limit", "soon"],
         "argument --time_limit: invalid float value: 'soon'"),
        ("in process", "tfaip-train-from-params", ["{run}/trainer_params.json", "--trainer.epochs", "x"],
         "--trainer.epochs expects an integer, got 'x'."),
        pytest.param("process", "tfaip-predict", ["--export_dir", "{run}/export", "--predict.silent", "maybe"],
                     "--predict.silent expects true or false, got 'maybe'.", marks=PROCESS),
        pytest.param("process", "tfaip-lav", ["--export_dir", "{run}/best", "--lav.batch_size", "8x"],
                     "--lav.batch_size expects an integer, got '8x'.", marks=PROCESS),
    ],
)  # fmt: skip
def test_bad_values_exit_2_with_one_line_and_nothing_else_on_stderr(
    tmp_path, tutorial_min_run, how, name, args, message
):
    args = [a.format(run=tutorial_min_run) for a in args]
    result = run(script(name), *args, cwd=tmp_path) if how == "process" else run_script(name, *args, cwd=tmp_path)
    assert_one_error_line(result, name, message)
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_scenario_file_with_a_syntax_error_shows_its_line_and_caret(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("from tfaip.model import ScenarioBase\n\ndef f(:\n    pass\n")
    result = run_script("tfaip-train", broken)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"tfaip-train: error: {broken} cannot be compiled:",
        f'  File "{broken}", line 3',
        "    def f(:",
        "          ^",
        "SyntaxError: invalid syntax",
    ]


USER_PROCESSOR_FAILS = textwrap.dedent(
    """
    from dataclasses import dataclass

    from paiargparse import pai_dataclass
    from tfaip.data import DataProcessorParams, MappingDataProcessor, SequentialProcessorPipelineParams
    from tfaip_scenarios.tutorial.min.scenario import TutorialData, TutorialScenario


    @pai_dataclass
    @dataclass
    class ExplodeParams(DataProcessorParams):
        @staticmethod
        def cls():
            return Explode


    class Explode(MappingDataProcessor[ExplodeParams]):
        def apply(self, sample):
            raise ValueError("the user's processor exploded")


    class ExplodingData(TutorialData):
        @classmethod
        def default_params(cls):
            params = super().default_params()
            params.pre_proc = SequentialProcessorPipelineParams(run_parallel=False, processors=[ExplodeParams()])
            return params


    class ExplodingScenario(TutorialScenario):
        @classmethod
        def data_cls(cls):
            return ExplodingData
    """
)


def test_a_value_error_in_the_users_processor_keeps_its_traceback(tmp_path):
    (tmp_path / "exploding.py").write_text(USER_PROCESSOR_FAILS)
    result = run_script("tfaip-train", "exploding.py", "--trainer.epochs", "1", *TINY, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert f'File "{tmp_path / "exploding.py"}", line ' in result.stderr  # the user's own frame
    assert "ValueError: the user's processor exploded" in result.stderr
