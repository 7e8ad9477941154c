"""optim with nn: the talk's purely functional training loop, written as TALK.md shows it, and
the training trajectories Torch7 recorded (fixtures/torch7/train)."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import nn, optim


def need(*names):
    missing = [n for n in names if not hasattr(nn, n)]
    if missing:
        pytest.skip(f"nn.{', nn.'.join(missing)} not available yet")


def test_talk_training_loop():
    need("Linear", "Sequential", "Tanh", "LogSoftMax", "ClassNLLCriterion")
    torch.manualSeed(1)
    model = nn.Sequential()
    model.add(nn.Linear(4, 16))
    model.add(nn.Tanh())
    model.add(nn.Linear(16, 3))
    model.add(nn.LogSoftMax())
    # three separable classes, one sample per pair as in the talk's data list
    centres = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]]
    data = []
    for i in range(30):
        c = i % 3
        data.append((torch.randn(4).mul(0.3).add(torch.DoubleTensor(centres[c])), c))

    # ---- the talk's program, as written in TALK.md ----
    params, grads = model.getParameters()  # every weight and bias becomes a view of one flat tensor
    criterion = nn.ClassNLLCriterion()
    state = {'i': 0}

    def feval(x):
        state['i'] = state['i'] % len(data) + 1
        inputs, target = data[state['i'] - 1]
        grads.zero()                        # gradients accumulate, so reset them
        loss = criterion.forward(model.forward(inputs), target)
        model.backward(inputs, criterion.backward(model.output, target))
        return loss, grads

    sgd_params = {'learningRate': 1e-3, 'learningRateDecay': 1e-4, 'weightDecay': 0,
                  'momentum': 0}
    losses = []
    for epoch in range(100):
        current_loss = 0
        for _ in range(len(data)):
            _, fs = optim.sgd(feval, params, sgd_params)
            current_loss += fs[0]
        print('current loss = %g' % (current_loss / len(data)))
        losses.append(current_loss / len(data))
    # ---- end of the talk's program ----

    assert sgd_params['evalCounter'] == 100 * len(data)
    assert losses[-1] < 0.5 * losses[0]
    assert all(math.isfinite(v) for v in losses)
    correct = sum(int(model.forward(x).max(0)[1][0]) == c for x, c in data)
    assert correct >= 27


def test_torch7_mlp_sgd_trajectory(load_fixture):
    """fixtures/torch7/train/mlp.json: the talk's MLP under optim.sgd with momentum, 10 steps."""
    need("Linear", "Sequential", "Tanh", "LogSoftMax", "ClassNLLCriterion")
    d = load_fixture("train/mlp.json")
    torch.manualSeed(3)
    model = nn.Sequential().add(nn.Linear(100, 1000)).add(nn.Tanh()) \
        .add(nn.Linear(1000, 10)).add(nn.LogSoftMax())
    criterion = nn.ClassNLLCriterion()
    x = torch.DoubleTensor(d["input"]["data"]).view(16, 100)
    y = torch.LongTensor(d["target"]["data"])
    params, grad_params = model.getParameters()
    if abs(params.sum() - d["initial_params"]["sum"]) > 1e-9:
        pytest.skip("nn.Linear's initialisation does not follow Torch7's random stream here")

    def feval(p):
        grad_params.zero()
        output = model.forward(x)
        loss = criterion.forward(output, y)
        model.backward(x, criterion.backward(output, y))
        return loss, grad_params

    config = {"learningRate": 0.1, "momentum": 0.9}
    losses = [optim.sgd(feval, params, config)[1][0] for _ in range(10)]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-9)
    assert params.sum() == pytest.approx(d["final_params"]["sum"], rel=1e-9)


def test_torch7_adam_linear_trajectory(load_fixture):
    """fixtures/torch7/train/adam_linear.json: nn.Linear + MSECriterion under optim.adam."""
    need("Linear", "MSECriterion")
    d = load_fixture("train/adam_linear.json")
    model = nn.Linear(5, 1)
    criterion = nn.MSECriterion()
    params, grad_params = model.getParameters()
    params.copy(torch.DoubleTensor(d["initial_params_full"]["data"]))
    x = torch.DoubleTensor(d["input"]["data"]).view(32, 5)
    y = torch.DoubleTensor(d["target"]["data"]).view(32, 1)

    def feval(p):
        grad_params.zero()
        output = model.forward(x)
        loss = criterion.forward(output, y)
        model.backward(x, criterion.backward(output, y))
        return loss, grad_params

    config = dict(d["optim_config"])
    losses = [optim.adam(feval, params, config)[1][0] for _ in range(d["steps"])]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-12)
    np.testing.assert_allclose(params.numpy(), d["final_params_full"]["data"], rtol=1e-12)


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["train/mlp.json", "train/adam_linear.json"]
