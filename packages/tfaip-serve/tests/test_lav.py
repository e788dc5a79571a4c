import csv
import json
import os

import numpy as np
import pytest

from tfaip.serve import LAVParams, MultiLAV
from tfaip.serve.testing.scenario import DigitsGeneratorParams, DigitsScenario, edit_distance, load_split


def quiet(**kwargs) -> LAVParams:
    return LAVParams(progress_bar=False, silent=True, **kwargs)


def reference(scenario, n):
    images, labels = load_split("test")
    live = scenario.root_graph.predict({"img": images[:n].astype("float32") / 16}, verbose=0)
    logits = live["logits"].astype("float64")
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    ce = -log_probs[np.arange(n), labels[:n]]
    return ce, live["class"] == labels[:n]


def test_lav_reports_model_metrics_and_the_pure_python_evaluator_together(exports, tmp_path):
    path, scenario = exports["a"]
    params = quiet(report=str(tmp_path / "report.csv"), dump=str(tmp_path / "raw.npz"))
    params.batch_size = 32
    lav = DigitsScenario.create_lav(path, params)
    (result,) = lav.run(DigitsGeneratorParams(limit_to=100))
    ce, correct = reference(scenario, 100)
    assert set(result) == {"loss", "ce", "acc", "eval_edit_distance", "eval_acc"}
    assert result["ce"] == pytest.approx(ce.mean(), rel=1e-4)
    assert result["acc"] == pytest.approx(correct.mean()) == pytest.approx(result["eval_acc"])
    assert 0 < result["eval_edit_distance"] < 5 and result["eval_acc"] > 0.7

    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "report.csv").st_mode & 0o777 == 0o666 & ~umask
    with open(tmp_path / "report.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 100 and rows[0]["id"] == "d0"
    np.testing.assert_allclose([float(r["ce"]) for r in rows], ce, rtol=1e-4, atol=1e-6)
    distances = [float(r["edit_distance"]) for r in rows]
    assert distances == [edit_distance(r["output.word"], r["target.word"]) for r in rows]
    assert np.mean(distances) == pytest.approx(result["eval_edit_distance"])

    raw = np.load(tmp_path / "raw.npz", allow_pickle=False)
    assert list(raw["ids"][:2]) == ["d0", "d1"]
    assert raw["99/outputs/logits"].shape == (10,) and int(raw["5/targets/gt"][0]) == load_split("test")[1][5]


def test_the_report_is_json_lines_too_and_several_datasets_are_numbered(exports, tmp_path):
    lav = DigitsScenario.create_lav(exports["a"][0], quiet(report=str(tmp_path / "r.jsonl")))
    results = list(lav.run([DigitsGeneratorParams(limit_to=10), DigitsGeneratorParams(limit_to=20)]))
    assert len(results) == 2
    lines = [json.loads(line) for line in (tmp_path / "r_2.jsonl").read_text().splitlines()]
    assert len(lines) == 20 and (tmp_path / "r_1.jsonl").exists()
    assert set(lines[0]) == {"id", "targets", "outputs", "values"}
    assert set(lines[0]["values"]) == {"ce", "edit_distance"}


def test_a_failing_lav_leaves_an_earlier_report_untouched(exports, tmp_path, monkeypatch):
    report = tmp_path / "report.csv"
    report.write_text("earlier")
    lav = DigitsScenario.create_lav(exports["a"][0], quiet(report=str(report)))

    def broken(sample):
        raise RuntimeError("evaluator broke")

    monkeypatch.setattr(lav.evaluator, "update_state", broken)
    with pytest.raises(RuntimeError, match="evaluator broke"):
        list(lav.run(DigitsGeneratorParams(limit_to=10)))
    assert report.read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_lav_prints_the_first_samples_and_the_results(exports):
    lines = []
    lav = DigitsScenario.create_lav(exports["a"][0], LAVParams(progress_bar=False))
    list(lav.run(DigitsGeneratorParams(limit_to=30), print_fn=lines.append))
    assert len([line for line in lines if line.startswith("d")]) == 10  # print_eval_limit
    assert "eval_edit_distance" in lines[-1] and "samples/s" in lines[-1]


def test_multi_lav_reports_the_vote_and_each_model(exports):
    multi = LAVParams(progress_bar=False, silent=True).create_multi(None, [exports["a"][0], exports["b"][0]])
    assert isinstance(multi, MultiLAV)
    (result,) = multi.run(DigitsGeneratorParams())
    assert set(result) == {f"{p}eval_{k}" for p in ("", "model0_", "model1_") for k in ("acc", "edit_distance")}
    assert result["eval_acc"] >= min(result["model0_eval_acc"], result["model1_eval_acc"])
