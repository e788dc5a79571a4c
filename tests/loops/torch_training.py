"""A tiny torch model trained on the tutorial's pipeline through tfaip.data.torch, and resumed exactly mid-pass.

Run by tests/test_framework_loops.py in a process of its own; exits non-zero when a check fails.
"""

import io
import random

import numpy as np
import torch
from tfaip_scenarios.tutorial.min.scenario import TutorialData, TutorialDataGeneratorParams
from torch.utils.data import DataLoader

import tfaip.data.torch as tfaip_torch
from tfaip.data import ConfigError, DataPipelineParams, PipelineMode


def _pipeline(mode=PipelineMode.TRAINING):
    data = TutorialData(TutorialData.default_params())
    params = DataPipelineParams(mode=mode, batch_size=16, num_processes=2, shuffle_buffer_size=50)
    return data.create_pipeline(params, TutorialDataGeneratorParams(limit_to=200))


def _model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 10))


def _train(model, optimizer, batches, steps):
    for _, (inputs, targets) in zip(range(steps), batches):
        optimizer.zero_grad()
        logits = model(inputs["img"].float() / 255)
        torch.nn.functional.cross_entropy(logits, targets["gt"][:, 0].long()).backward()
        optimizer.step()


def check_a_torch_model_trains_and_resumes_exactly():
    random.seed(0)
    straight = _model()
    dataset = tfaip_torch.create_dataset(_pipeline(), auto_repeat=True)
    _train(straight, torch.optim.SGD(straight.parameters(), lr=0.5), DataLoader(dataset, batch_size=None), 30)

    random.seed(0)
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.0)
    dataset = tfaip_torch.create_dataset(_pipeline(), auto_repeat=True)
    _train(model, optimizer, iter(dataset), 17)
    checkpoint = io.BytesIO()
    torch.save({"model": model.state_dict(), "data": dataset.state_dict()}, checkpoint)

    checkpoint.seek(0)
    saved = torch.load(checkpoint, weights_only=False)
    model = _model()
    model.load_state_dict(saved["model"])
    dataset = tfaip_torch.create_dataset(_pipeline(), auto_repeat=True)
    dataset.load_state_dict(saved["data"])
    _train(model, torch.optim.SGD(model.parameters(), lr=0.5), DataLoader(dataset, batch_size=None), 13)
    for a, b in zip(model.parameters(), straight.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)

    correct = 0
    for inputs, targets in tfaip_torch.create_dataset(_pipeline(PipelineMode.EVALUATION)):
        correct += int((model(inputs["img"].float() / 255).argmax(-1) == targets["gt"][:, 0].long()).sum())
    assert correct / 200 > 0.6  # it learned (chance: 0.1)


def check_tensors_share_the_batches_memory_and_torch_workers_are_refused():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    tensors = tfaip_torch.to_tensors(({"x": array}, {"y": array[:, :1]}))
    assert tensors[0]["x"].data_ptr() == array.ctypes.data  # no copy
    array[0, 0] = 7
    assert tensors[0]["x"][0, 0] == 7
    dataset = tfaip_torch.create_dataset(_pipeline())
    try:
        next(iter(DataLoader(dataset, batch_size=None, num_workers=1)))
        raise AssertionError("a DataLoader with torch workers was not refused")
    except ConfigError as e:
        assert "num_workers=0" in str(e), e


if __name__ == "__main__":
    check_a_torch_model_trains_and_resumes_exactly()
    check_tensors_share_the_batches_memory_and_torch_workers_are_refused()
    print("ok")
