import numpy as np

from tfaip.data import Sample
from tfaip.serve import AveragingVoter, MultiModelPredictor, PredictorParams
from tfaip.serve.testing.scenario import WORDS, DigitsGeneratorParams, DigitsScenario, ProbabilityVoter, load_split


def accuracy(samples, labels):
    return float(np.mean([int(s.outputs["class"]) == label for s, label in zip(samples, labels)]))


def test_voting_two_exports_is_at_least_as_good_as_the_worse_and_deterministic(exports):
    paths = [exports["a"][0], exports["b"][0]]
    predictor = DigitsScenario.create_multi_predictor(paths, PredictorParams(progress_bar=False))
    assert isinstance(predictor.voter, ProbabilityVoter)
    assert predictor.groups() == [[0, 1]]  # same pre-processing: one pipeline
    _, labels = load_split("test")
    first = list(predictor.predict(DigitsGeneratorParams()))
    second = list(predictor.predict(DigitsGeneratorParams()))
    voted = [v for v, _ in first]
    singles = [[individual[i] for _, individual in first] for i in range(2)]
    accuracies = [accuracy(s, labels) for s in singles]
    assert accuracy(voted, labels) >= min(accuracies)
    assert [v.outputs["word"] for v in voted] == [v.outputs["word"] for v, _ in second]
    np.testing.assert_array_equal(
        np.stack([v.outputs["probs"] for v in voted]), np.stack([v.outputs["probs"] for v, _ in second])
    )
    # the individual samples are exactly what each model predicts alone
    alone = list(
        DigitsScenario.create_predictor(paths[1], PredictorParams(progress_bar=False)).predict(DigitsGeneratorParams())
    )
    np.testing.assert_allclose(
        np.stack([s.outputs["probs"] for s in singles[1]]), np.stack([s.outputs["probs"] for s in alone])
    )
    assert voted[0].meta == {"id": "d0"}


def test_models_with_different_pre_processing_each_get_theirs(exports):
    paths = [exports["a"][0], exports["c"][0]]  # c scales pixels by 1/32
    predictor = MultiModelPredictor(PredictorParams(progress_bar=False), DigitsScenario, paths)
    assert predictor.groups() == [[0], [1]]
    images, _ = load_split("test")
    results = list(predictor.predict_raw(iter([Sample(inputs={"img": img}) for img in images[:30]])))
    live_c = exports["c"][1].root_graph.predict({"img": images[:30].astype("float32") / 32}, verbose=0)
    np.testing.assert_allclose(np.stack([ind[1].outputs["probs"] for _, ind in results]), live_c["probs"], atol=1e-5)


def test_the_default_voter_averages_floats_and_takes_the_majority_of_the_rest():
    samples = [
        Sample(outputs={"p": np.array([0.2, 0.8], "float32"), "word": "one"}),
        Sample(outputs={"p": np.array([0.6, 0.4], "float32"), "word": "two"}),
        Sample(outputs={"p": np.array([0.4, 0.6], "float32"), "word": "two"}),
    ]
    voted = AveragingVoter().vote(samples)
    np.testing.assert_allclose(voted.outputs["p"], [0.4, 0.6])
    assert voted.outputs["word"] == "two"
    assert AveragingVoter().vote(samples[:2]).outputs["word"] == "one"  # a tie goes to the first model
    assert WORDS[2] == "two"


def test_samples_of_different_pipelines_stay_matched_even_when_shuffling_is_asked_for(exports):
    params = PredictorParams(progress_bar=False)
    params.pipeline.shuffle_buffer_size = 50  # would give each pre-processing its own order
    predictor = DigitsScenario.create_multi_predictor([exports["a"][0], exports["c"][0]], params)
    results = list(predictor.predict(DigitsGeneratorParams(limit_to=60)))
    assert [v.meta["id"] for v, _ in results] == [f"d{i}" for i in range(60)]
    assert all(v.meta["id"] == ind[0].meta["id"] == ind[1].meta["id"] for v, ind in results)
    assert results[0][1][0].meta is not results[0][1][1].meta  # each model's post_proc has its own meta
