import json
import shutil

import pytest

from tfaip.data import ConfigError
from tfaip.serve.cli import lav, predict


def test_predict_with_several_exports_writes_the_vote_and_each_model(exports, tmp_path, capsys):
    output = tmp_path / "voted.jsonl"
    argv = ["--export_dir", exports["a"][0], exports["b"][0], "--data.limit_to", "12", "--output", str(output)]
    assert predict.main([*argv, "--predict.progress_bar", "False", "--predict.silent", "True"]) == 0
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(records) == 12 and records[0]["id"] == "d0"
    assert len(records[0]["individual"]) == 2 and "word" in records[0]["outputs"]
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("Prediction: 12 samples in ")


def test_lav_help_lists_the_flags_of_the_exports_scenario(exports, capsys):
    with pytest.raises(SystemExit) as exit_info:
        lav.main(["--export_dir", exports["a"][0], "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for flag in ("--lav.batch_size", "--lav.num_processes", "--lav.device.gpus", "--lav.report", "--data.limit_to"):
        assert flag in help_text


def test_lav_cli_rejects_a_dump_that_is_not_npz(exports):
    with pytest.raises(ConfigError, match=r"--dump must name a .npz file, got 'raw.pkl'"):
        lav.main(["--export_dir", exports["a"][0], "--dump", "raw.pkl"])


def test_a_bad_value_is_a_config_error_naming_the_field(exports):
    with pytest.raises(ConfigError, match="batch_size must be >= 1"):
        predict.main(["--export_dir", exports["a"][0], "--pipeline.batch_size", "0"])
    with pytest.raises(ConfigError, match=r"^--predict.silent expects true or false, got 'maybe'\.$"):
        predict.main(["--export_dir", exports["a"][0], "--predict.silent", "maybe"])
    with pytest.raises(ConfigError, match=r"^unknown flag --data.limit; did you mean --data.limit_to\?"):
        predict.main(["--export_dir", exports["a"][0], "--data.limit", "3"])


def test_a_corrupt_recorded_trainer_params_and_a_bad_lav_value_are_config_errors(exports, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(exports["a"][0], broken)
    (broken / "trainer_params.json").write_text("{ nope")
    with pytest.raises(ConfigError, match="trainer_params.json cannot be read"):
        lav.main(["--export_dir", str(broken)])
    with pytest.raises(ConfigError, match="LAVParams.model_queue_size must be >= 1"):
        lav.main(["--export_dir", exports["a"][0], "--lav.model_queue_size", "0"])
