import json
import shutil

import pytest

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


def test_lav_cli_rejects_a_dump_that_is_not_npz(exports, capsys):
    assert lav.main(["--export_dir", exports["a"][0], "--dump", "raw.pkl"]) == 2
    assert "must name a .npz file" in capsys.readouterr().err


def test_a_bad_value_exits_2_naming_the_field(exports, capsys):
    with pytest.raises(SystemExit) as exit_info:
        predict.main(["--export_dir", exports["a"][0], "--pipeline.batch_size", "0"])
    assert exit_info.value.code == 2
    assert "batch_size must be >= 1" in capsys.readouterr().err


def test_a_corrupt_recorded_trainer_params_and_a_bad_lav_value_exit_2(exports, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copytree(exports["a"][0], broken)
    (broken / "trainer_params.json").write_text("{ nope")
    with pytest.raises(SystemExit) as exit_info:
        lav.main(["--export_dir", str(broken)])
    assert exit_info.value.code == 2
    assert "trainer_params.json cannot be read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        lav.main(["--export_dir", exports["a"][0], "--lav.model_queue_size", "0"])
    assert exit_info.value.code == 2
    assert "LAVParams.model_queue_size must be >= 1" in capsys.readouterr().err
