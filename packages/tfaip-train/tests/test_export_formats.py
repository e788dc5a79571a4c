"""--scenario.export_formats in training: best/ and export/ carry the converted models; a graph that cannot be
converted stops the run before its first step."""

import contextlib
import json
import os

import keras
import pytest

from tfaip.model import ExportFormatError
from tfaip.train import Trainer
from tfaip.train.testing import tiny_params


class CountSteps(keras.callbacks.Callback):
    steps = 0

    def on_train_batch_begin(self, batch, logs=None):
        CountSteps.steps += 1


def test_best_and_export_hold_the_onnx_model(tmp_path):
    params = tiny_params(tmp_path)
    params.scenario.export_formats = ["saved_model", "onnx"]
    Trainer(params).train()
    for name in ("best", "export"):
        assert {"model.onnx", "deploy.json", "serve"} <= set(os.listdir(tmp_path / name)), name
        assert json.loads((tmp_path / name / "deploy.json").read_text())["formats"] == ["saved_model", "onnx"]


def test_a_graph_that_litert_cannot_take_stops_the_run_before_its_first_step(tmp_path, monkeypatch):
    monkeypatch.setattr("tfaip.model.scenario.scenariobase.convertible_ops", contextlib.nullcontext)
    params = tiny_params(tmp_path)
    params.scenario.export_formats = ["saved_model", "litert"]
    CountSteps.steps = 0
    with pytest.raises(ExportFormatError, match=r"Converting the model to litert failed: the op\(s\) tf\.Bitwise"):
        Trainer(params).train([CountSteps()])
    assert CountSteps.steps == 0 and not (tmp_path / "best").exists()
