"""atr through the console scripts' entry points, at tiny size: training on rendered line files, the codec, export,
tfaip-predict and tfaip-lav on image files, and the bad inputs (missing .gt.txt, unknown character, broken image)."""

import json
import math
import re
import shutil

import pytest
from tfaip_scenarios.atr.synthetic import sentences, write_lines

from tfaip.data.testing import run_script as run

pytestmark = pytest.mark.slow  # a CTC model and its ONNX conversion: 50 s here

TINY = ["--trainer.epochs", "1", "--trainer.samples_per_epoch", "16", "--train.batch_size", "4",
        "--val.batch_size", "4", "--train.num_processes", "1", "--val.num_processes", "1",
        "--model.conv_filters", "4", "8", "--model.lstm_units", "8", "--data.height", "24",
        "--trainer.progress_bar", "False"]  # fmt: skip


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    """12 rendered lines, PNG + .gt.txt, as the generator writes them."""
    root = tmp_path_factory.mktemp("lines")
    write_lines(str(root), 12, seed=0, text="train")
    return root


@pytest.fixture(scope="module")
def model(lines, tmp_path_factory):
    """One tiny epoch on the 12 lines (validation: the first 10); the codec comes from their ground truth."""
    output = tmp_path_factory.mktemp("model")
    result = run("tfaip-train", "atr", *TINY, "--train.image_files", f"{lines}/*.png",
                 "--val.image_files", f"{lines}/line_0000*.png", "--trainer.output_dir", output,
                 "--scenario.export_formats", "saved_model", "onnx")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return output, result.stdout + result.stderr


def test_an_epoch_trains_with_finite_loss_and_exports_the_codec_of_the_ground_truth(model, lines):
    output, log = model
    losses = [float(v) for v in re.findall(r"(?<![_a-z])loss: ([0-9.e+-]+|nan|inf)", log)]
    assert losses and all(math.isfinite(v) for v in losses), log
    assert "val_CER" in log
    expected = sorted(set("".join(p.read_text().rstrip("\n") for p in lines.glob("*.gt.txt"))))
    codec = (output / "codec.txt").read_text()
    assert [c for c in codec.split("\n") if c] == expected
    params = json.loads((output / "best" / "scenario_params.json").read_text())
    assert params["data"]["codec"] == "resources/codec.txt"
    assert (output / "best" / "resources" / "codec.txt").read_text() == codec
    assert params["model"]["classes"] == len(expected) + 1  # and the blank


def test_predict_and_lav_read_image_files(model, lines, tmp_path):
    output, _ = model
    out = tmp_path / "predictions.jsonl"
    result = run("tfaip-predict", "--export_dir", output / "best", "--data.image_files", f"{lines}/*.png",
                 "--output", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 12 and all(isinstance(r["outputs"]["sentence"], str) for r in records)
    assert all(min(r["outputs"]["decoded"]) >= -1 for r in records)  # padded with -1
    assert f'{lines}/line_00000.png: {{"sentence":' in result.stdout  # the recognised text first

    # the ONNX export (greedy CTC decoding included) gives the same lines
    onnx = tmp_path / "onnx.jsonl"
    result = run("tfaip-predict", "--export_dir", output / "best", "--data.image_files", f"{lines}/*.png",
                 "--predict.backend", "onnx", "--predict.silent", "True", "--output", onnx)  # fmt: skip
    assert result.returncode == 0, result.stderr
    by_onnx = [json.loads(line)["outputs"]["sentence"] for line in onnx.read_text().splitlines()]
    assert by_onnx == [r["outputs"]["sentence"] for r in records]

    result = run("tfaip-lav", "--export_dir", output / "best", "--data.image_files", f"{lines}/*.png")
    assert result.returncode == 0, result.stderr
    assert "eval_CER" in result.stdout and "eval_WER" in result.stdout and "CER" in result.stdout
    assert "PRED: '" in result.stdout and f"GT:   '{sentences(12, 0, 'train')[0]}'" in result.stdout


@pytest.fixture
def bad_lines(lines, tmp_path):
    """Four good lines, then: one without .gt.txt, one with a character outside the codec, one broken PNG."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for p in sorted(lines.glob("line_0000[0-3]*")):
        shutil.copy(p, folder)
    (folder / "line_00010.png").write_bytes((folder / "line_00000.png").read_bytes())  # no .gt.txt
    (folder / "line_00011.png").write_bytes((folder / "line_00000.png").read_bytes())
    (folder / "line_00011.gt.txt").write_text("€uro\n")
    (folder / "line_00012.png").write_bytes(b"not a png")
    (folder / "line_00012.gt.txt").write_text("broken\n")
    return folder


@pytest.mark.parametrize(
    "name, reason",
    [
        ("line_00010", "no ground truth"),
        ("line_00011", "the ground truth holds ['€'], which the codec lacks"),
        ("line_00012", "cannot decode the image"),
    ],
)
def test_bad_input_is_one_error_naming_the_file(model, bad_lines, name, reason):
    output, _ = model
    files = [*sorted(map(str, bad_lines.glob("line_0000*.png"))), str(bad_lines / f"{name}.png")]
    result = run("tfaip-lav", "--export_dir", output / "best", "--data.image_files", *files)
    assert result.returncode == 1
    # one DataProcessorError: the processor, the sample, the reason
    first = next(line for line in result.stderr.splitlines() if line.startswith("tfaip-lav: error: "))
    assert "failed on sample" in first, result.stderr
    assert f"{name}.png" in first and reason in first, first


def test_bad_input_is_skipped_and_counted_with_skip_invalid(model, bad_lines, tmp_path):
    codec = model[0] / "codec.txt"
    result = run("tfaip-train", "atr", *TINY, "--train.image_files", f"{bad_lines}/*.png",
                 "--val.image_files", f"{bad_lines}/*.png", "--data.codec", codec,
                 "--data.skip_invalid", "True", "--trainer.output_dir", tmp_path)  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    warning = next(line for line in log.splitlines() if "evaluation pipeline skipped" in line)
    assert "skipped 3 sample(s)" in warning, warning
    for name in ("line_00010", "line_00011", "line_00012"):
        assert f"{name}.png" in warning, warning


def test_lav_skips_bad_lines_with_lav_skip_invalid(model, bad_lines, tmp_path):
    output, _ = model
    result = run("tfaip-lav", "--export_dir", output / "best", "--data.image_files", f"{bad_lines}/*.png",
                 "--lav.skip_invalid", "True", "--json", tmp_path / "lav.json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    warning = next(line for line in (result.stdout + result.stderr).splitlines() if "skipped 3 sample(s)" in line)
    assert all(f"line_0001{i}.png" in warning for i in range(3)), warning
    assert json.loads((tmp_path / "lav.json").read_text())[0]["eval_CER"] >= 0  # the four good lines


def test_litert_cannot_take_the_bilstm_and_says_so_before_training(lines, tmp_path):
    result = run("tfaip-train", "atr", *TINY, "--train.image_files", f"{lines}/*.png", "--val.image_files",
                 f"{lines}/line_0000*.png", "--trainer.output_dir", tmp_path / "model",
                 "--scenario.export_formats", "saved_model", "litert")  # fmt: skip
    assert result.returncode == 2, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("tfaip-train: error: ")]
    assert len(error) == 1 and "Converting the model to litert failed: the op(s) tf.TensorList" in error[0], error
    assert "atr/bilstm" in error[0] and "Results of epoch" not in result.stdout + result.stderr
