"""imageclassification through the console scripts' entry points, at tiny size: training on the offline digits
(written as PNG class folders on first use), export, tfaip-predict and tfaip-lav on image files, and the bad inputs."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from tfaip.data.testing import ScriptResult, run_script

SKLEARN_IMAGES = Path(__import__("sklearn").__file__).parent / "datasets" / "images"
TINY = ["--data.image_size", "16", "--model.conv_filters", "4", "8", "--model.dense", "16", "--trainer.epochs", "1",
        "--trainer.samples_per_epoch", "64", "--val.limit", "32", "--train.num_processes", "1",
        "--val.num_processes", "1", "--trainer.progress_bar", "False"]  # fmt: skip


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """The cache folder the digits are written to (XDG_CACHE_HOME of the scripts)."""
    return tmp_path_factory.mktemp("cache")


def run(cache: Path, script: str, *args) -> ScriptResult:
    return run_script(script, *args, env={"XDG_CACHE_HOME": str(cache)})


@pytest.fixture(scope="module")
def model(cache, tmp_path_factory):
    """The tutorial-style command on the default digits; returns the output dir and the log."""
    output_dir = tmp_path_factory.mktemp("ic") / "ic_model"
    result = run(cache, "tfaip-train", "imageclassification", *TINY, "--trainer.output_dir", output_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return output_dir, result.stdout + result.stderr


def test_trains_an_epoch_on_the_digits_with_a_finite_loss_and_exports_the_classes(model, cache):
    output_dir, log = model
    loss = float(log.split("Results of epoch 1: ")[1].split("loss: ")[1].split()[0])
    assert np.isfinite(loss), log
    digits = cache / "tfaip" / "digits_png"
    assert sorted(os.listdir(digits)) == [str(d) for d in range(10)] and len(list(digits.glob("*/*.png"))) == 1797
    params = json.loads((output_dir / "best" / "scenario_params.json").read_text())
    assert params["data"]["classes"] == [str(d) for d in range(10)] and params["model"]["n_classes"] == 10
    assert params["model"]["conv_filters"] == [4, 8] and params["data"]["image_size"] == 16


def test_predict_prints_the_sentence_per_image(model, cache, tmp_path):
    output_dir, _ = model
    images = [SKLEARN_IMAGES / "flower.jpg", SKLEARN_IMAGES / "china.jpg"]  # colour photos of any size
    out = tmp_path / "predictions.jsonl"
    result = run(cache, "tfaip-predict", "--export_dir", output_dir / "best", "--data.image_files", *images,
                 "--output", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "This image most likely belongs to" in line]
    assert len(lines) == 2 and lines[0].startswith(f'{images[0]}: {{"sentence":"This image most likely belongs to ')
    for record in map(json.loads, out.read_text().splitlines()):
        outputs = record["outputs"]
        assert outputs["class_name"] == str(outputs["class"])
        assert outputs["sentence"] == (
            f"This image most likely belongs to {outputs['class_name']} with a "
            f"{100 * outputs['pred'][outputs['class']]:.2f}% confidence."
        )


def test_lav_reads_the_class_from_the_folder_of_each_image(model, cache, tmp_path):
    output_dir, _ = model
    digits = cache / "tfaip" / "digits_png"
    paths = []
    for label in ("3", "7"):
        (tmp_path / label).mkdir()
        for source in sorted((digits / label).glob("*.png"))[:2]:
            paths.append(shutil.copy(source, tmp_path / label / source.name))
    result = run(
        cache,
        "tfaip-lav",
        "--export_dir",
        output_dir / "best",
        "--data.image_files",
        *paths[:2],
        tmp_path / "7" / "*.png",  # a glob pattern, as quoted on a command line
    )
    assert result.returncode == 0, result.stderr
    assert "acc = " in result.stdout and "4 samples" in result.stdout + result.stderr
    assert "(GT: 3)" in result.stdout and "(GT: 7)" in result.stdout


@pytest.fixture
def bad_folder(cache, model, tmp_path):
    """Two class folders of six digits each, plus a file that is no image."""
    digits = cache / "tfaip" / "digits_png"
    for name, digit in (("one", "1"), ("two", "2")):
        (tmp_path / name).mkdir()
        for source in sorted((digits / digit).glob("*.png"))[:6]:
            shutil.copy(source, tmp_path / name / source.name)
    (tmp_path / "one" / "broken.png").write_text("no image")
    return tmp_path


def test_an_image_that_cannot_be_decoded_is_one_error_naming_the_file(model, bad_folder, cache):
    output_dir, _ = model
    broken = bad_folder / "one" / "broken.png"
    result = run(cache, "tfaip-predict", "--export_dir", output_dir / "best", "--data.image_files", broken)
    assert result.returncode == 1
    assert f"error: LoadImage failed on sample '{broken}'" in result.stderr, result.stderr
    assert f"ValueError: {broken}: cannot decode the image (UnidentifiedImageError" in result.stderr


def test_skip_invalid_skips_the_image_and_counts_it(bad_folder, cache, tmp_path):
    result = run(cache, "tfaip-train", "imageclassification", "--train_val.image_dir", bad_folder,
                 "--train_val.split", "all", "--data.skip_invalid", "True", *TINY, "--trainer.samples_per_epoch", "26",
                 "--train.batch_size", "13", "--trainer.output_dir", tmp_path / "m")  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "skipped 1 sample(s) whose processors failed (--data.skip_invalid): 1x LoadImage: ValueError: " in log
    assert json.loads((tmp_path / "m" / "best" / "scenario_params.json").read_text())["data"]["classes"] == [
        "one",
        "two",
    ]


def test_a_folder_without_images_is_one_error_naming_it(cache, tmp_path):
    (tmp_path / "empty" / "cat").mkdir(parents=True)
    result = run(cache, "tfaip-train", "imageclassification", "--train_val.image_dir", tmp_path / "empty",
                 "--trainer.output_dir", tmp_path / "m")  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"tfaip-train: error: The image folder {tmp_path / 'empty'} holds no images" in result.stderr


def test_flowers_are_downloaded_only_when_asked_and_offline_is_one_error(monkeypatch, tmp_path):
    import keras

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    from tfaip_scenarios.imageclassification.data import ICGeneratorParams
    from tfaip_scenarios.imageclassification.scenario import ICScenario  # importing downloads nothing

    from tfaip.data import ConfigError

    assert ICScenario.default_trainer_pipeline_params().train_val.dataset == "digits"
    with pytest.raises(
        ConfigError,
        match=r"Downloading the flower photos .* failed \(OSError: no network\).*\(--train_val.image_dir in tfaip-",
    ):
        ICGeneratorParams(dataset="flowers").classes()
