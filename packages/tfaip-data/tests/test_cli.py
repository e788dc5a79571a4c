"""tfaip.data.cli: typed flag errors, suggestions, params files, exit codes and the quiet TensorFlow start."""

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, List, Optional

import pytest
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError, DataProcessorError, PipelineMode
from tfaip.data.cli import (
    ParamsArgumentParser,
    log_level,
    params_from_file,
    params_to_json,
    read_params_file,
    run_console_script,
)


class Strategy(str, Enum):
    DEFAULT = "default"
    MIRROR = "mirror"


@pai_dataclass(alt="Adam")
@dataclass
class OptParams:
    lr: float = 0.001


@pai_dataclass(alt="SGD")
@dataclass
class SGDParams(OptParams):
    momentum: float = 0.0


@pai_dataclass
@dataclass
class RunParams:
    epochs: int = 3
    rate: float = 0.5
    shuffle: bool = False
    nodes: List[int] = field(default_factory=lambda: [8, 4])
    seed: Optional[int] = None
    strategy: Strategy = Strategy.DEFAULT
    modes: List[PipelineMode] = field(default_factory=lambda: [PipelineMode.TRAINING])
    weights: Dict[str, float] = field(default_factory=dict)
    optimizer: OptParams = field(
        default_factory=OptParams, metadata=pai_meta(mode="flat", choices=[OptParams, SGDParams])
    )
    state: int = field(default=0, metadata=pai_meta(mode="ignore"))

    def __post_init__(self):
        if self.epochs < 1:
            raise ValueError(f"RunParams.epochs must be >= 1, got {self.epochs}.")


def parse(*argv: str) -> RunParams:
    parser = ParamsArgumentParser("prog", "A test program.")
    parser.add_root_argument("run", RunParams, RunParams())
    return parser.parse_args(list(argv)).run


def test_flags_of_every_type_parse():
    run = parse("--run.epochs", "5", "--run.rate", "1e-3", "--run.shuffle", "Yes", "--run.nodes", "3", "2", "1",
                "--run.seed", "None", "--run.strategy", "MIRROR", "--run.modes", "evaluation", "prediction",
                "--run.weights", "a=0.5", "--optimizer", "SGD", "--optimizer.momentum", "0.9")  # fmt: skip
    assert (run.epochs, run.rate, run.shuffle, run.nodes, run.seed) == (5, 1e-3, True, [3, 2, 1], None)
    assert run.strategy is Strategy.MIRROR and run.modes == [PipelineMode.EVALUATION, PipelineMode.PREDICTION]
    assert run.weights == {"a": 0.5} and run.optimizer == SGDParams(momentum=0.9)
    assert parse("--run.shuffle", "0").shuffle is False


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--run.epochs", "abc"], "--run.epochs expects an integer, got 'abc'."),
        (["--run.epochs", "2.5"], "--run.epochs expects an integer, got '2.5'."),
        (["--run.rate", "fast"], "--run.rate expects a number, got 'fast'."),
        (["--run.shuffle", "maybe"], "--run.shuffle expects true or false, got 'maybe'."),
        (["--run.nodes", "3", "x"], "--run.nodes expects a list of integers, got 'x'."),
        (["--run.seed", "soon"], "--run.seed expects an integer (or None), got 'soon'."),
        (["--run.weights", "a:1"], "--run.weights expects KEY=VALUE pairs, got 'a:1'."),
        (["--run.weights", "a=heavy"], "--run.weights expects KEY=VALUE pairs, got 'a=heavy'."),
        (["--run.epochs", "1", "2"], "unexpected argument '2'; flags start with -- (see prog --help)."),
        (["--run.strategy", "miror"],
         "--run.strategy expects one of default, mirror, got 'miror'; did you mean mirror?"),
        (["--run.modes", "training", "evaluaton"],
         "--run.modes expects one of training, evaluation, prediction, targets, got 'evaluaton'; did you mean "
         "evaluation?"),
        (["--optimizer", "Adamm"],
         "--optimizer: 'Adamm' is not a choice; did you mean Adam? Give one of Adam, SGD or 'package.module:Class'."),
        (["--optimizer", "RMS"],
         "--optimizer: 'RMS' is not a choice. Give one of Adam, SGD or 'package.module:Class'."),
        (["--optimizer", "no_such_module:Opt"], "--optimizer: cannot import 'no_such_module:Opt' (No module named "
                                                "'no_such_module')."),
        (["--optimizer", "json:JSONDecoder"], "--optimizer: 'json:JSONDecoder' is no subclass of OptParams."),
        (["--optimizer", "SGD", "--optimizer.momentum", "high"], "--optimizer.momentum expects a number, got 'high'."),
        (["--run.epoch", "3"],
         "unknown flag --run.epoch; did you mean --run.epochs? (see prog --help for every flag)."),
        (["--epochs", "3"], "unknown flag --epochs; did you mean --run.epochs? (see prog --help for every flag)."),
        (["--optimizer.momentum", "0.5"],
         "unknown flag --optimizer.momentum (see prog --help for every flag)."),  # Adam has no momentum
        (["3"], "unexpected argument '3'; flags start with -- (see prog --help)."),
        (["--run.epochs", "0"], "RunParams.epochs must be >= 1, got 0."),
    ],
)  # fmt: skip
def test_a_bad_flag_or_value_is_one_config_error_naming_the_flag_the_type_and_the_value(argv, message):
    with pytest.raises(ConfigError) as error:
        parse(*argv)
    assert str(error.value) == message


def test_the_command_line_before_the_params_tree():
    parser = ParamsArgumentParser("prog", "A test program.")
    parser.add_argument("scenario")
    assert parser.leading_argument(["tutorial.min", "--x", "1"], "missing") == "tutorial.min"
    with pytest.raises(ConfigError, match="^the first argument must be the SCENARIO$"):
        parser.leading_argument(["--x", "1"], "the first argument must be the SCENARIO")
    with pytest.raises(SystemExit) as exit_info:
        parser.leading_argument(["--help"], "missing")
    assert exit_info.value.code == 0
    assert parser.peek(["a", "--export_dir", "x", "y", "--z", "1"], "--export_dir") == ["x", "y"]
    assert parser.peek(["--export_dir=x"], "--export_dir") == ["x"]
    assert parser.peek(["a"], "--export_dir") is None


def test_help_lists_the_flags_of_the_params_tree(capsys):
    parser = ParamsArgumentParser("prog", "A test program.")
    parser.add_root_argument("run", RunParams, RunParams())
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    text = capsys.readouterr().out
    assert "--run.epochs" in text and "--optimizer" in text and "--run.state" not in text


# ---- params files ----------------------------------------------------------------------------------------------


def write(tmp_path, data, name="params.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_params_to_json_reads_back_unchanged(tmp_path):
    params = RunParams(epochs=7, nodes=[1], strategy=Strategy.MIRROR, optimizer=SGDParams(momentum=0.5), state=4)
    assert params_from_file(write(tmp_path, params_to_json(params)), RunParams()) == params


def test_a_partial_file_is_laid_over_the_defaults(tmp_path):
    defaults = RunParams(epochs=9, rate=0.25, optimizer=SGDParams(momentum=0.5))
    loaded = params_from_file(write(tmp_path, {"rate": 0.75, "optimizer": {"lr": 0.1}}), defaults)
    assert loaded == RunParams(epochs=9, rate=0.75, optimizer=SGDParams(lr=0.1, momentum=0.5))
    adam = f"{OptParams.__module__}:OptParams"
    replaced = params_from_file(write(tmp_path, {"optimizer": {"__cls__": adam}}), defaults)
    assert replaced.optimizer == OptParams()  # another class: its own defaults, not the SGD's


@pytest.mark.parametrize(
    "data, message",
    [
        ({"epoch": 3}, "unknown key 'epoch' (RunParams has no field 'epoch'); did you mean 'epochs'?"),
        ({"optimizer": {"l_r": 1}}, "unknown key 'optimizer.l_r' (OptParams has no field 'l_r'); did you mean "
                                    "'optimizer.lr'?"),
        ({"zzz": 1}, "unknown key 'zzz' (RunParams has no field 'zzz')."),
        ({"epochs": "3"}, 'epochs expects an integer, got "3".'),
        ({"epochs": True}, "epochs expects an integer, got true."),
        ({"shuffle": 1}, "shuffle expects true or false, got 1."),
        ({"nodes": [1, "a"]}, 'nodes expects a list of integers, got [1, "a"].'),
        ({"strategy": "fast"}, 'strategy expects one of default, mirror, got "fast".'),
        ({"epochs": None}, "epochs expects an integer, got null."),
        ({"optimizer": 3}, "optimizer must be a JSON object of OptParams, got 3."),
        ({"optimizer": {"__cls__": "no_such:Class"}}, "optimizer.__cls__ names 'no_such:Class', which cannot be "
                                                       "imported (No module named 'no_such')."),
        ({"optimizer": {"__cls__": "json:JSONDecoder"}}, "optimizer.__cls__ names 'json:JSONDecoder', which is no "
                                                          "OptParams."),
        ({"epochs": 0}, "RunParams.epochs must be >= 1, got 0."),
    ],
)  # fmt: skip
def test_a_bad_params_file_names_the_file_the_key_and_the_fix(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as error:
        params_from_file(path, RunParams())
    assert str(error.value) == f"{path}: {message}"


def test_a_missing_or_broken_params_file(tmp_path):
    with pytest.raises(ConfigError, match="The params file .*missing.json does not exist."):
        read_params_file(str(tmp_path / "missing.json"))
    with pytest.raises(ConfigError, match=r"is no readable JSON \(Expecting"):
        read_params_file(write(tmp_path, "{ nope"))
    with pytest.raises(ConfigError, match="must hold a JSON object of params, got a list"):
        read_params_file(write(tmp_path, "[1, 2]"))


# ---- exit codes ---------------------------------------------------------------------------------------------


def exit_code(main, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_console_script("prog", main, "interrupted; resume it")
    return exit_info.value.code, capsys.readouterr()


def test_exit_codes_of_a_console_script(capsys):
    def config_error():
        raise ConfigError("--x must be > 0, got -1.")

    def pipeline_error():
        raise DataProcessorError("Boom", "sample 'a' (index 0)", "ValueError: no", "Traceback ...\nValueError: no\n")

    def interrupted():
        raise KeyboardInterrupt

    code, out = exit_code(lambda: 0, capsys)
    assert code == 0 and out.err == ""
    code, out = exit_code(config_error, capsys)
    assert (code, out.err) == (2, "prog: error: --x must be > 0, got -1.\n")
    code, out = exit_code(pipeline_error, capsys)
    assert code == 1 and out.err.startswith("prog: error: Boom failed on sample 'a' (index 0): ValueError: no")
    assert "Traceback ...\nValueError: no" in out.err
    code, out = exit_code(interrupted, capsys)
    assert (code, out.err) == (130, "prog: interrupted; resume it\n")


def test_a_syntax_error_shows_the_line_and_caret_and_other_errors_keep_their_traceback(capsys):
    def syntax_error():
        compile("def f(:\n    pass\n", "/scenarios/broken.py", "exec")

    code, out = exit_code(syntax_error, capsys)
    assert code == 1
    assert out.err.splitlines() == [
        "prog: error: /scenarios/broken.py cannot be compiled:",
        '  File "/scenarios/broken.py", line 1',
        "    def f(:",
        "          ^",
        "SyntaxError: invalid syntax",
    ]

    def user_error():
        raise ValueError("a bug in a processor")

    with pytest.raises(ValueError, match="a bug in a processor"):  # Python prints it with its traceback, exit code 1
        run_console_script("prog", user_error)


def test_log_level_from_the_environment(monkeypatch):
    monkeypatch.setenv("TFAIP_LOG_LEVEL", "DEBUG")
    assert log_level() == 10
    monkeypatch.setenv("TFAIP_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError, match="TFAIP_LOG_LEVEL=loud is no log level; use one of debug, info, warning"):
        log_level()


# ---- the quiet TensorFlow start ---------------------------------------------------------------------------


NATIVE_START = textwrap.dedent(
    """
    import os, sys
    from tfaip.data.cli import tensorflow_start_quietly

    with tensorflow_start_quietly():  # stands in for `import tensorflow`: C++ writes to fd 2 directly
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
        os.write(2, b"I0000 00:00:1796057153.121685    4826 port.cc:153] oneDNN custom operations are on.\\n")
        os.write(2, b"2026-01-30 22:44:42.456316: W tensorflow/tsl/cuda.cc:12] Could not find cuda drivers.\\n")
        os.write(2, b"E0000 00:00:1796057153.121685    4826 cuda.cc:1] a real error\\n")
        print("a Python warning", file=sys.stderr)
    print("TF_CPP_MIN_LOG_LEVEL", os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
    """
)


QUIET_VARIABLES = ("TF_CPP_MIN_LOG_LEVEL", "TFAIP_SET_TF_CPP_MIN_LOG_LEVEL", "TFAIP_LOG_LEVEL")


def start(env_update):
    env = {k: v for k, v in os.environ.items() if k not in QUIET_VARIABLES}
    env.update(env_update)
    return subprocess.run([sys.executable, "-c", NATIVE_START], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("inherited", [{}, {"TF_CPP_MIN_LOG_LEVEL": "1", "TFAIP_SET_TF_CPP_MIN_LOG_LEVEL": "1"}])
def test_tensorflow_start_lines_are_hidden_but_errors_and_python_output_stay(inherited):
    result = start(inherited)  # also in a child of a tfaip script, which inherits the variables it set
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["E0000 00:00:1796057153.121685    4826 cuda.cc:1] a real error",
                                          "a Python warning"]  # fmt: skip
    assert result.stdout.strip() == "TF_CPP_MIN_LOG_LEVEL 1"


def test_what_tensorflow_wrote_before_it_aborted_reaches_the_console():
    aborting = NATIVE_START.replace(
        'print("a Python warning", file=sys.stderr)',
        'os.write(2, b"F0000 00:00:17.1  4826 cpu_feature_guard.cc:9] compiled to use AVX\\n"); os.abort()',
    )
    result = subprocess.run([sys.executable, "-c", aborting], capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k not in QUIET_VARIABLES})  # fmt: skip
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "E0000 00:00:1796057153.121685    4826 cuda.cc:1] a real error",
        "F0000 00:00:17.1  4826 cpu_feature_guard.cc:9] compiled to use AVX",
    ]


@pytest.mark.parametrize("asked", [{"TFAIP_LOG_LEVEL": "debug"}, {"TF_CPP_MIN_LOG_LEVEL": "0"}])
def test_tensorflow_start_lines_show_when_asked_for(asked):
    result = start(asked)
    assert len(result.stderr.splitlines()) == 5 and "oneDNN" in result.stderr
    assert result.stdout.strip() == f"TF_CPP_MIN_LOG_LEVEL {asked.get('TF_CPP_MIN_LOG_LEVEL')}"
