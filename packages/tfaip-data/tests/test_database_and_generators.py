import pytest

from tfaip.data import (
    ConfigError,
    DataPipelineParams,
    ListsFileDataGenerator,
    ListsFileGeneratorParams,
    PipelineMode,
    Sample,
)
from tfaip.data.testing import CountGeneratorParams, Spec, ToyData, ToyDataParams


class ScalarData(ToyData):
    def _target_layer_specs(self):
        return {"gt": Spec([], "int32")}


def test_params_class_from_generic_and_default_params():
    assert ToyData.params_cls() is ToyDataParams
    assert isinstance(ToyData.default_params(), ToyDataParams)
    assert isinstance(ToyDataParams().create(), ToyData)


def test_scalar_specs_are_rejected_with_the_fix():
    with pytest.raises(
        ValueError, match=r"ScalarData._target_layer_specs: 'gt' has a scalar shape \(\).*use shape \[1\]"
    ):
        ScalarData(ToyDataParams()).target_layer_specs()


def test_create_pipeline_from_mode_or_params():
    data = ToyDataParams().create()
    assert data.create_pipeline(PipelineMode.PREDICTION, CountGeneratorParams()).mode == PipelineMode.PREDICTION
    pipeline = data.create_pipeline(DataPipelineParams(limit=7), CountGeneratorParams(n=10))
    assert len(pipeline) == 7
    with pytest.raises(ValueError, match="has no DataGeneratorParams"):
        data.create_pipeline(PipelineMode.TRAINING, None).create_data_generator()


def test_element_length_needs_an_override():
    class NoLength(ToyData):
        element_length = ToyData.__mro__[1].element_length

    with pytest.raises(NotImplementedError, match="override it"):
        NoLength(ToyDataParams()).element_length(Sample())


def test_list_files(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("# a comment\nimg1.png\n\n img2.png \n")
    b = tmp_path / "b.txt"
    b.write_text("img3.png\n")
    params = ListsFileGeneratorParams(lists=[str(a), str(b)], list_ratios=[1, 3])
    ordered = [s.inputs for s in params.create(PipelineMode.EVALUATION).generate()]
    assert ordered == ["img1.png", "img2.png", "img3.png"]
    training = params.create(PipelineMode.TRAINING)
    assert isinstance(training, ListsFileDataGenerator) and len(training) == 3
    drawn = [s.meta["id"] for _ in range(200) for s in training.generate()]
    assert drawn.count("img3.png") > drawn.count("img1.png") + drawn.count("img2.png")
    with pytest.raises(ConfigError, match="missing.txt"):
        ListsFileGeneratorParams(lists=[str(tmp_path / "missing.txt")]).create(PipelineMode.TRAINING)
    with pytest.raises(ValueError, match="one ratio per list"):
        ListsFileGeneratorParams(lists=[str(a)], list_ratios=[1, 2])
