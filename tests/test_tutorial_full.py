"""tutorial.full through the console scripts' entry points, at tiny size: the README's commands, the original's
names, image files for tfaip-predict and tfaip-lav, voting of two models, and the original's example sheet."""

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from PIL import Image
from tfaip_scenarios.tutorial.datasets import load_split

from tfaip.data.testing import run_script as run

TINY = ["--trainer.epochs", "1", "--trainer.samples_per_epoch", "64", "--train_val.limit_to", "96",
        "--val.limit", "32", "--train.num_processes", "1", "--val.num_processes", "1",
        "--trainer.progress_bar", "False"]  # fmt: skip


def train(output_dir: Path, *flags) -> str:
    """`tfaip-train tutorial.full FLAGS` at tiny size; returns what it printed."""
    result = run("tfaip-train", "tutorial.full", *flags, *TINY, "--trainer.output_dir", output_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def train_params(output_dir: Path) -> dict:
    return json.loads((output_dir / "trainer_params.json").read_text())


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Two models trained with different seeds: an MLP (the README's first command) with LAV on both splits, and a
    CNN with RMSprop and clipping; the MLP's log."""
    root = tmp_path_factory.mktemp("models")
    mlp = ["--model.graph", "MLP", "--model.graph.nodes", "200", "100", "50", "--model.graph.activation", "relu"]
    log = train(root / "a", *mlp, "--trainer.random_seed", "1", "--trainer.lav_every_n", "1")
    train(root / "b", "--trainer.random_seed", "2", "--model.graph", "CNN", "--model.graph.filters", "40", "20",
          "--model.graph.dense", "100", "--optimizer", "RMSprop", "--optimizer.clip_global_norm", "1")  # fmt: skip
    return root, log


def test_mlp_with_nodes_and_activation_and_lav_on_both_splits(models, tmp_path):
    root, log = models
    assert "lav_l0_eval_acc" in log and "lav_l1_eval_acc" in log  # LAV on the training, then the test split
    graph = train_params(root / "a")["scenario"]["model"]["graph"]
    assert graph["__cls__"].endswith(":MLPGraphParams") and graph["nodes"] == [200, 100, 50]
    train(tmp_path / "tanh", "--model.graph", "MLP", "--model.graph.nodes", "200", "100", "50",
          "--model.graph.activation", "tanh")  # fmt: skip
    graph = train_params(tmp_path / "tanh")["scenario"]["model"]["graph"]
    assert graph["nodes"] == [200, 100, 50] and graph["activation"] == "tanh"


def test_cnn_writes_its_feature_maps_to_tensorboard(models):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    root, _ = models
    graph = train_params(root / "b")["scenario"]["model"]["graph"]
    assert graph["__cls__"].endswith(":ConvGraphParams") and graph["filters"] == [40, 20] and graph["dense"] == [100]
    events = EventAccumulator(str(root / "b" / "validation"), size_guidance={"tensors": 0})
    events.Reload()
    assert "conv0_feature_maps" in events.Tags()["tensors"]


def test_rmsprop_with_clipping_and_the_original_names(models):
    root, _ = models
    optimizer = train_params(root / "b")["optimizer"]
    assert optimizer["__cls__"].endswith(":RMSpropOptimizer") and optimizer["clip_global_norm"] == 1
    shown = run("tfaip-train", "examples.tutorial.full", "--optimizer", "RMSpropOptimizer",
                "--optimizer.global_clip_norm", "2", "--model.graph", "ConvGraphParams", "--show")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "Note: examples.tutorial.full is the original tfaip's name of the bundled scenario" in shown.stderr
    params = json.loads(shown.stdout)
    assert params["optimizer"]["__cls__"].endswith(":RMSpropOptimizer") and params["optimizer"]["clip_global_norm"] == 2
    assert params["scenario"]["model"]["graph"]["__cls__"].endswith(":ConvGraphParams")


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--device.gpus", "0"], "--device.gpus 0: TensorFlow sees no GPU on this machine"),
        (["--model.graph", "RNN"], "--model.graph: 'RNN' is not a choice; did you mean CNN?"),
        (["--model.graph.activation", "sparkle"], "--model.graph.activation 'sparkle' is no keras activation"),
    ],
)
def test_bad_flags_exit_2_with_one_line(flags, message, tmp_path):
    if flags[0] == "--device.gpus":
        import tensorflow as tf

        if tf.config.list_physical_devices("GPU"):
            pytest.skip("this machine has a GPU")
    result = run("tfaip-train", "tutorial.full", *flags, *TINY, "--trainer.output_dir", tmp_path)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def image_files(tmp_path_factory):
    """Six test digits as 56x56 colour PNG/JPEG files; the first four labelled by a .txt beside them."""
    folder = tmp_path_factory.mktemp("images")
    images, labels = load_split("digits", False, 6)
    paths = []
    for i, (image, label) in enumerate(zip(images, labels)):
        path = folder / f"digit{i}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(np.stack([image] * 3, axis=-1)).resize((56, 56)).save(path)
        if i < 4:
            (folder / f"digit{i}.txt").write_text(f"{label}\n")
        paths.append(path)
    return paths, labels


def test_predict_and_lav_read_image_files(models, image_files, tmp_path):
    root, _ = models
    paths, _ = image_files
    out = tmp_path / "predictions.jsonl"
    result = run("tfaip-predict", "--export_dir", root / "a" / "export", "--data.image_files", *paths,
                 "--output", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    predictions = [json.loads(line)["outputs"] for line in out.read_text().splitlines()]
    assert len(predictions) == 6 and all(0 <= p["class"] < 10 and len(p["pred"]) == 10 for p in predictions)

    result = run("tfaip-lav", "--export_dir", root / "a" / "export", "--data.image_files", *paths[:4])
    assert result.returncode == 0, result.stderr
    assert "eval_acc" in result.stdout and "4 samples" in result.stdout + result.stderr


def test_voting_two_models_takes_the_majority_class(models, image_files, tmp_path):
    root, _ = models
    paths, _ = image_files
    exports = [root / "a" / "export", root / "b" / "export"]
    singles = []
    for export in exports:
        out = tmp_path / f"{export.parent.name}.jsonl"
        assert (
            run("tfaip-predict", "--export_dir", export, "--data.image_files", *paths, "--output", out).returncode == 0
        )
        singles.append([json.loads(line)["outputs"] for line in out.read_text().splitlines()])
    out = tmp_path / "voted.jsonl"
    result = run("tfaip-predict", "--export_dir", *exports, "--data.image_files", *paths, "--output", out)
    assert result.returncode == 0, result.stderr
    voted = [json.loads(line)["outputs"] for line in out.read_text().splitlines()]
    for vote, a, b in zip(voted, *singles):
        assert vote["votes"] == [a["class"], b["class"]]
        assert vote["class"] == a["class"]  # two models: agreement, or the tie goes to the first
        np.testing.assert_allclose(vote["pred"], np.mean([a["pred"], b["pred"]], axis=0), atol=1e-5)


def test_the_original_example_sheet_dry_runs_and_its_commands_parse(tmp_path):
    from tfaip.experimenter import XLSXExperimenter

    workbook = openpyxl.Workbook()
    for row in [
        ["USER", "RESULT", "SKIP", "COMMAND", "SCENARIO", "ID", "CLEANUP", "PARAMS", *[None] * 11],
        [None] * 7 + ["trainer", None, None, "train", None, "val", "train_val", "default", "optimizer",
                      "learning_rate", "model", None],
        [None] * 7 + ["epochs", "samples_per_epoch", "output_dir", "batch_size", "num_processes", "limit",
                      "dataset", "optimizer", "global_clip_norm", "lr", "n_classes", "graph"],
        [None, None, None, "tfaip-train", "examples.tutorial.full", 1, None, 1, 64, "out/mlp", 16, 1, 32,
         "mnist", "RMSpropOptimizer", 5, 0.001, 10, "MLPGraphParams"],
        [None, None, None, "tfaip-train", "examples.tutorial.full", 2, None, 1, 64, "out/cnn", 16, 1, 32,
         "fashion_mnist", "AdamaxOptimizer", 1, 0.002, 10, "ConvGraphParams"],
    ]:  # fmt: skip
        workbook.active.append(row)
    workbook.save(tmp_path / "tutorial.xlsx")
    dry = run("tfaip-experimenter", "--xlsx", tmp_path / "tutorial.xlsx", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    launches = XLSXExperimenter(str(tmp_path / "tutorial.xlsx"), dry_run=True).plan()
    assert [launch.action for launch in launches] == ["start", "start"]
    expected = [
        ("RMSpropOptimizer", "MLPGraphParams", 5, "mnist"),
        ("AdamaxOptimizer", "ConvGraphParams", 1, "fashion_mnist"),
    ]
    for launch, (optimizer, graph, clip, dataset) in zip(launches, expected):
        script, *arguments = launch.to_execute  # a dry run does not look the script up
        assert script == "tfaip-train" and arguments.count("--trainer.output_dir") == 1, launch.to_execute
        shown = run(script, *arguments, "--show")
        assert shown.returncode == 0, shown.stderr
        params = json.loads(shown.stdout)
        assert (
            params["optimizer"]["__cls__"].endswith(f":{optimizer}") and params["optimizer"]["clip_global_norm"] == clip
        )
        assert params["scenario"]["model"]["graph"]["__cls__"].endswith(f":{graph}")
        assert params["gen"]["train_val"]["dataset"] == dataset and params["gen"]["setup"]["val"]["limit"] == 32


def test_the_voter_takes_the_most_frequent_class():
    from tfaip_scenarios.tutorial.full.scenario import MajorityClassVoter

    from tfaip.data import Sample

    def sample(cls, p):
        return Sample(outputs={"class": cls, "pred": np.array([p, 1 - p])})

    voted = MajorityClassVoter().vote([sample(0, 0.9), sample(1, 0.4), sample(1, 0.2)])
    assert voted.outputs["class"] == 1 and list(voted.outputs["votes"]) == [0, 1, 1]
    np.testing.assert_allclose(voted.outputs["pred"], [0.5, 0.5])
