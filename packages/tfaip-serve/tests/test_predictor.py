import multiprocessing
import os
import shutil

import numpy as np
import pytest

from tfaip.data import DataPipelineParams, PipelineMode, Sample
from tfaip.data.tf import create_dataset
from tfaip.serve import ExportError, Predictor, PredictorParams
from tfaip.serve.testing.scenario import WORDS, DigitsGeneratorParams, DigitsScenario, load_split


def quiet(**kwargs) -> PredictorParams:
    return PredictorParams(progress_bar=False, **kwargs)


def live_outputs(scenario, images):
    return scenario.root_graph.predict({"img": images.astype("float32") / 16}, verbose=0)


def test_predict_raw_matches_the_live_model_and_runs_post_proc(exports):
    path, scenario = exports["a"]
    images, _ = load_split("test")
    params = quiet()
    params.pipeline.num_processes = 2
    params.pipeline.batch_size = 7  # a last, partial batch
    predictor = DigitsScenario.create_predictor(path, params)
    samples = [Sample(inputs={"img": img}, meta={"id": f"s{i}"}) for i, img in enumerate(images[:50])]
    predicted = list(predictor.predict_raw(samples))
    assert [s.meta["id"] for s in predicted] == [f"s{i}" for i in range(50)]
    live = live_outputs(scenario, images[:50])
    np.testing.assert_allclose(np.stack([s.outputs["probs"] for s in predicted]), live["probs"], atol=1e-5)
    assert [s.outputs["word"] for s in predicted] == [WORDS[c] for c in live["class"]]
    assert all(s.targets is None for s in predicted)
    # plain inputs dicts and a generator without a length work as well
    again = list(predictor.predict_raw({"img": img} for img in images[:5]))
    np.testing.assert_allclose(np.stack([s.outputs["logits"] for s in again]), live["logits"][:5], atol=1e-5)
    assert predictor.throughput.samples == 5


def test_predict_generator_pipeline_and_dataset_agree(exports):
    path, _ = exports["a"]
    predictor = DigitsScenario.create_predictor(path, quiet(include_targets=True))
    generator = DigitsGeneratorParams(limit_to=64)
    by_generator = list(predictor.predict(generator))
    by_pipeline = list(predictor.predict_pipeline(predictor.create_pipeline(generator)))
    assert len(by_generator) == len(by_pipeline) == 64
    assert by_generator[3].targets["word"] == WORDS[int(by_generator[3].targets["gt"][0])]
    pipeline = predictor.data.create_pipeline(DataPipelineParams(mode=PipelineMode.EVALUATION), generator)
    by_dataset = list(predictor.predict_dataset(create_dataset(pipeline)))
    for a, b, c in zip(by_generator, by_pipeline, by_dataset):
        assert a.outputs["word"] == b.outputs["word"] == c.outputs["word"]
        np.testing.assert_allclose(a.outputs["probs"], c.outputs["probs"], atol=1e-6)
        assert a.meta == b.meta


def test_a_live_keras_model_predicts_like_its_export(exports):
    path, scenario = exports["a"]
    exported = DigitsScenario.create_predictor(path, quiet())
    live = Predictor(quiet(), DigitsScenario, scenario.root_graph, scenario.params)
    generator = DigitsGeneratorParams(limit_to=20)
    for a, b in zip(exported.predict(generator), live.predict(generator)):
        np.testing.assert_allclose(a.outputs["probs"], b.outputs["probs"], atol=1e-5)


def test_stopping_early_leaves_no_worker_processes(exports):
    path, _ = exports["a"]
    params = quiet()
    params.pipeline.num_processes = 2
    predictor = DigitsScenario.create_predictor(path, params)
    predictions = predictor.predict(DigitsGeneratorParams())
    first = next(predictions)
    assert first.outputs["word"] in WORDS
    assert multiprocessing.active_children()
    predictions.close()
    assert not multiprocessing.active_children()


def test_missing_and_corrupt_exports_fail_with_a_clear_message(exports, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        DigitsScenario.create_predictor(str(tmp_path / "nowhere"), quiet())
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match="no scenario_params.json"):
        DigitsScenario.create_predictor(str(tmp_path / "empty"), quiet())
    broken = tmp_path / "broken"
    shutil.copytree(exports["a"][0], broken)
    with open(broken / "serve" / "saved_model.pb", "wb") as f:
        f.write(b"not a protobuf")
    with pytest.raises(ExportError, match="corrupt"):
        DigitsScenario.create_predictor(str(broken), quiet())
    os.remove(broken / "serve" / "saved_model.pb")
    with pytest.raises(ExportError, match="no SavedModel"):
        DigitsScenario.create_predictor(str(broken), quiet())
    (broken / "scenario_params.json").write_text("{ nope")
    with pytest.raises(ValueError, match="not valid JSON"):
        DigitsScenario.create_predictor(str(broken), quiet())


def test_a_batch_without_the_model_inputs_names_them(exports):
    predictor = DigitsScenario.create_predictor(exports["a"][0], quiet())
    with pytest.raises(KeyError, match="lacks the model inputs"):
        list(predictor.predict_dataset([{"image": np.zeros([2, 8, 8], "float32")}]))


def test_an_error_of_the_model_reaches_the_caller_and_stops_the_workers(exports):
    _, scenario = exports["a"]
    calls = []

    def broken_model(inputs):
        calls.append(len(inputs["img"]))
        if len(calls) == 3:
            raise RuntimeError("the model broke")
        return {"logits": np.zeros((len(inputs["img"]), 10), "float32"), "class": np.zeros(len(inputs["img"]), "int64")}

    params = quiet()
    params.pipeline.num_processes = 2
    params.pipeline.batch_size = 8
    predictor = Predictor(params, DigitsScenario, broken_model, scenario.params)
    received = []
    with pytest.raises(RuntimeError, match="the model broke"):
        for sample in predictor.predict(DigitsGeneratorParams()):
            received.append(sample.outputs["word"])
    assert received == ["zero"] * 16  # the two batches before the failing one
    assert not multiprocessing.active_children()


def test_any_pipeline_is_post_processed_in_the_predictors_mode(exports):
    predictor = DigitsScenario.create_predictor(exports["a"][0], quiet())
    training_pipeline = predictor.data.create_pipeline(DataPipelineParams(), DigitsGeneratorParams(limit_to=20))
    assert len(list(predictor.predict_pipeline(training_pipeline))) == 20
    with_targets = DigitsScenario.create_predictor(exports["a"][0], quiet(include_targets=True))
    with pytest.raises(ValueError, match="Raw sample 0 has no targets, but include_targets is set"):
        list(with_targets.predict_raw([{"img": np.zeros([8, 8], "uint8")}]))
    with pytest.raises(ValueError, match="include_targets is set, but the batches have no targets"):
        list(with_targets.predict_dataset([{"img": np.zeros([2, 8, 8], "float32")}]))
