"""Scenario params, lookup by name, list-file pipelines, upper-layer factories and device config."""

import json
import os
import textwrap
from dataclasses import dataclass, field
from typing import Optional

import pytest
from paiargparse import PAIArgumentParser, pai_dataclass

from tfaip.data import ConfigError, ListsFileGeneratorParams, PipelineMode, Resource, resource_field
from tfaip.model import (
    DeviceConfig,
    DeviceConfigParams,
    ListFileScenario,
    ListFileTrainerPipelineParams,
    ScenarioBase,
    ScenarioBaseParams,
    import_scenario,
)
from tfaip.model.testing.tutorial import (
    TutorialDataGeneratorParams,
    TutorialDataParams,
    TutorialModelParams,
    TutorialScenario,
    TutorialScenarioParams,
    TutorialTrainerGeneratorParams,
)


def test_generic_arguments_resolve_the_classes_and_field_defaults():
    assert TutorialScenario.params_cls() is TutorialScenarioParams
    assert TutorialScenario.trainer_pipeline_params_cls() is TutorialTrainerGeneratorParams
    assert TutorialScenario.model_cls().__name__ == "TutorialModel"
    assert TutorialScenario.data_cls().__name__ == "TutorialData"
    params = TutorialScenarioParams()
    assert type(params.data) is TutorialDataParams and type(params.model) is TutorialModelParams
    assert TutorialTrainerGeneratorParams.train_cls() is TutorialDataGeneratorParams


def test_scenario_params_parse_from_the_command_line_and_round_trip_through_json():
    parser = PAIArgumentParser()
    parser.add_root_argument("scenario", TutorialScenarioParams, flat=True)
    parser.add_root_argument("gen", TutorialTrainerGeneratorParams, flat=True)
    args = parser.parse_args(
        ["--model.n_classes", "12", "--train.batch_size", "8", "--val.limit", "5", "--train_val.limit_to", "100"]
    )
    assert args.scenario.model.n_classes == 12
    assert (args.gen.setup.train.batch_size, args.gen.setup.val.limit, args.gen.train_val.limit_to) == (8, 5, 100)
    assert args.gen.setup.train.mode == PipelineMode.TRAINING and args.gen.setup.val.mode == PipelineMode.EVALUATION
    restored = ScenarioBaseParams.from_dict(json.loads(json.dumps(args.scenario.to_dict())))
    assert restored == args.scenario


def test_trainer_pipeline_creates_train_val_and_lav_pipelines():
    scenario = TutorialScenario(TutorialScenario.default_params())
    gen = TutorialTrainerGeneratorParams()
    gen.train_val.limit_to = 10
    assert len(gen.train_data(scenario.data)) == 10 and gen.train_data(scenario.data).mode == PipelineMode.TRAINING
    assert gen.val_data(scenario.data).mode == PipelineMode.EVALUATION
    assert [len(p) for p in gen.lav_data(scenario.data)] == [10]


def test_list_file_trainer_params_take_list_flags_and_give_one_lav_per_list():
    parser = PAIArgumentParser()
    parser.add_root_argument("gen", ListFileTrainerPipelineParams, flat=True)
    gen = parser.parse_args(["--train.lists", "a.txt", "--val.lists", "b.txt", "c.txt", "--val.batch_size", "3"]).gen
    assert gen.train_gen().lists == ["a.txt"] and gen.setup.val.batch_size == 3
    assert [g.lists for g in gen.lav_gen()] == [["b.txt"], ["c.txt"]]
    gen.lav.lists = ["d.txt"]
    assert [g.lists for g in gen.lav_gen()] == [["d.txt"]]


class ListScenario(ListFileScenario[TutorialScenarioParams]):
    pass


def test_list_file_scenario_uses_list_file_generators():
    assert ListScenario.trainer_pipeline_params_cls() is ListFileTrainerPipelineParams
    assert ListScenario.trainer_pipeline_params_cls().train_cls() is ListsFileGeneratorParams


def test_scenarios_are_found_by_module_class_and_file(tmp_path, monkeypatch):
    assert import_scenario("tfaip.model.testing.tutorial") is TutorialScenario
    assert import_scenario("tfaip.model.testing.tutorial:TutorialScenario") is TutorialScenario
    (tmp_path / "my_scenario.py").write_text(
        textwrap.dedent("""
        from tfaip.model.testing.tutorial import TutorialScenarioParams, TutorialTrainerGeneratorParams
        from tfaip.model import ScenarioBase

        class FileScenario(ScenarioBase[TutorialScenarioParams, TutorialTrainerGeneratorParams]):
            pass

        class OtherScenario(FileScenario):
            pass
    """)
    )
    assert import_scenario(f"{tmp_path}/my_scenario.py:FileScenario").__name__ == "FileScenario"
    with pytest.raises(ConfigError, match="exactly one scenario class, found my_scenario:FileScenario, my_scenario:"):
        import_scenario(f"{tmp_path}/my_scenario.py")
    monkeypatch.chdir(tmp_path)  # the current directory is importable
    assert import_scenario("my_scenario:OtherScenario").__name__ == "OtherScenario"


def test_unknown_scenarios_fail_with_the_tried_names():
    with pytest.raises(ConfigError, match="No scenario 'no_such.scenario_pkg'.*tfaip_scenarios.no_such"):
        import_scenario("no_such.scenario_pkg")
    with pytest.raises(ConfigError, match="has no scenario class 'Missing'; found TutorialScenario"):
        import_scenario("tfaip.model.testing.tutorial:Missing")
    with pytest.raises(ConfigError, match="missing.py does not exist"):
        import_scenario("missing.py")


def test_errors_inside_a_scenario_module_are_not_reported_as_missing(tmp_path, monkeypatch):
    (tmp_path / "broken_scenario.py").write_text("import not_installed_dependency\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModuleNotFoundError, match="not_installed_dependency"):
        import_scenario("broken_scenario")


@pai_dataclass
@dataclass
class FakeTrainerParams:
    scenario: TutorialScenarioParams = field(default_factory=TutorialScenarioParams)

    def create(self, scenario, restore):
        return ("trainer", scenario, restore)


@pai_dataclass
@dataclass
class FakePredictorParams:
    def create(self, scenario_cls, model):
        return ("predictor", scenario_cls, model)


def test_trainer_and_predictor_are_created_through_their_params():
    kind, scenario, restore = TutorialScenario.create_trainer(FakeTrainerParams(), restore=True)
    assert kind == "trainer" and isinstance(scenario, TutorialScenario) and restore
    assert TutorialScenario.create_predictor("export_dir", FakePredictorParams()) == (
        "predictor",
        TutorialScenario,
        "export_dir",
    )


@pai_dataclass
@dataclass
class CharsetDataParams(TutorialDataParams):
    charset: Optional[Resource] = resource_field(help="A charset file.")


@pai_dataclass
@dataclass
class CharsetScenarioParams(ScenarioBaseParams[CharsetDataParams, TutorialModelParams]):
    pass


class CharsetScenario(ScenarioBase[CharsetScenarioParams, TutorialTrainerGeneratorParams]):
    pass


def test_export_copies_resources_and_the_export_finds_them(tmp_path):
    (tmp_path / "charset.txt").write_text("abc")
    params = CharsetScenario.default_params()
    params.data.charset = Resource("charset.txt")
    params.data.resource_base_path = str(tmp_path)
    CharsetScenario(params).export(str(tmp_path / "export"))
    stored = json.loads((tmp_path / "export" / "scenario_params.json").read_text())
    assert stored["data"]["charset"] == "resources/charset.txt"
    restored = CharsetScenario.params_from_path(str(tmp_path / "export"))
    path = restored.data.create().resources.get("charset").abs_path
    assert path == str(tmp_path / "export" / "resources" / "charset.txt") and open(path).read() == "abc"


def test_a_missing_or_corrupt_export_says_so(tmp_path):
    with pytest.raises(ConfigError, match="neither scenario_params.json nor trainer_params.json"):
        ScenarioBase.from_path(str(tmp_path))
    (tmp_path / "scenario_params.json").write_text("{not json")
    with pytest.raises(ValueError, match="is not valid JSON"):
        ScenarioBase.from_path(str(tmp_path))


def test_scenario_params_without_id_say_how_to_create_them():
    with pytest.raises(ValueError, match="scenario_id is not set"):
        TutorialScenarioParams().cls()
    assert TutorialScenario.default_params().cls() is TutorialScenario


def test_device_config_applies_soft_placement_and_checks_gpu_indices(monkeypatch):
    import tensorflow as tf

    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    config = DeviceConfig(DeviceConfigParams(soft_device_placement=False))
    try:
        assert config.gpus == [] and not tf.config.get_soft_device_placement() and config.strategy is None
    finally:
        tf.config.set_soft_device_placement(True)
    n_gpus = len(tf.config.list_physical_devices("GPU"))
    expected = (
        rf"GPU\(s\) \[{n_gpus}\] requested, but TensorFlow sees {n_gpus} GPU"
        if n_gpus
        else r"--device.gpus 0: TensorFlow sees no GPU on this machine; leave --device.gpus out"
    )
    with pytest.raises(ValueError, match=expected):
        DeviceConfig(DeviceConfigParams(gpus=[n_gpus]))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    assert DeviceConfigParams().gpus is None and os.environ["CUDA_VISIBLE_DEVICES"] == "3,5"
    from tfaip.model.device import default_gpus

    assert default_gpus() == [0, 1]
