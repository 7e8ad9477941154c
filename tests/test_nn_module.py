"""nn.Module's API (Torch7's Module.lua): gradients accumulate, getParameters flattens and keeps
sharing, share / clone / type keep tensors that shared memory sharing it, traversal, clearState,
user-written modules, and nn.Linear against Torch7's records, PyTorch and the Jacobian."""

import copy
import pickle

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import (
    assert_close,
    check_batch_matches_single,
    check_jacobian,
    check_zoo_module,
    nn_record,
    zoo,
)


def mlp():
    return nn.Sequential().add(nn.Linear(3, 4)).add(nn.Linear(4, 2))


def same_storage(a, b):
    return a.storage().cdata() == b.storage().cdata()


# ---- nn.Linear ------------------------------------------------------------------------------
def test_linear_reproduces_torch7_zoo_record():
    check_zoo_module(nn.Linear(4, 3))


def test_linear_reproduces_torch7_nn_record():
    check_zoo_module(nn.Linear(5, 3), nn_record("Linear"), check_repr=False)


@pytest.mark.parametrize("shape", [(5,), (3, 5)])
def test_linear_jacobian(shape):
    check_jacobian(nn.Linear(5, 3), torch.randn(*shape))


def test_linear_without_bias_prints_and_computes():
    m = nn.Linear(3, 2, False)
    assert str(m) == "nn.Linear(3 -> 2) without bias"
    assert len(m.parameters()[0]) == 1
    x = torch.randn(3)
    assert_close(m.forward(x), torch.mv(m.weight, x))
    check_jacobian(m, torch.randn(2, 3))
    assert str(nn.Linear(3, 2).noBias()) == "nn.Linear(3 -> 2) without bias"


def test_linear_batch_equals_samples():
    check_batch_matches_single(nn.Linear(4, 3), torch.randn(5, 4))


def test_linear_float_matches_double():
    m = nn.Linear(6, 4)
    x = torch.randn(3, 6)
    expected = m.forward(x).clone()
    m.float()
    out = m.forward(x.float())
    assert out.type() == "torch.FloatTensor"
    assert_close(out.double(), expected, 1e-6)


def test_linear_reset_bound():
    m = nn.Linear(400, 300)
    bound = 1 / 400 ** 0.5
    assert m.weight.abs().max() <= bound and m.weight.abs().max() > 0.9 * bound
    m.reset(0.01)
    assert m.weight.abs().max() <= 0.01 * 3 ** 0.5


def test_linear_bad_sizes_name_module_and_sizes():
    m = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"nn.Linear\(3 -> 2\).*size 3 or Bx3, got 4"):
        m.forward(torch.randn(4))
    with pytest.raises(ValueError, match="got 2x2x3"):
        m.forward(torch.randn(2, 2, 3))
    m.forward(torch.randn(3))
    with pytest.raises(ValueError, match="gradOutput of size 3"):
        m.backward(torch.randn(3), torch.randn(3))
    with pytest.raises(TypeError):
        m.forward(torch.randn(3).float())


def test_linear_matches_pytorch():
    pt = pytest.importorskip("torch")
    m = nn.Linear(7, 5)
    x = torch.randn(4, 7)
    g = torch.randn(4, 5)
    out = m.forward(x)
    m.zeroGradParameters()
    gi = m.backward(x, g)
    w = pt.tensor(m.weight.numpy(), requires_grad=True)
    b = pt.tensor(m.bias.numpy(), requires_grad=True)
    xp = pt.tensor(x.numpy(), requires_grad=True)
    yp = pt.nn.functional.linear(xp, w, b)
    yp.backward(pt.tensor(g.numpy()))
    assert_close(out, torch.fromNumpy(yp.detach().numpy()), 1e-12)
    assert_close(gi, torch.fromNumpy(xp.grad.numpy()), 1e-12)
    assert_close(m.gradWeight, torch.fromNumpy(w.grad.numpy()), 1e-12)
    assert_close(m.gradBias, torch.fromNumpy(b.grad.numpy()), 1e-12)


def test_output_tensor_kept_between_calls():
    m = nn.Linear(3, 2)
    out = m.forward(torch.randn(3))
    assert m.forward(torch.randn(3)) is out
    gi = m.backward(torch.randn(3), torch.randn(2))
    assert m.backward(torch.randn(3), torch.randn(2)) is gi


# ---- gradients, updates ---------------------------------------------------------------------
def test_gradients_accumulate_until_zeroed():
    m = nn.Linear(3, 2)
    x, g = torch.randn(3), torch.randn(2)
    m.zeroGradParameters()
    m.forward(x)
    m.backward(x, g)
    once = m.gradWeight.clone()
    m.backward(x, g, 0.5)
    assert_close(m.gradWeight, once * 1.5)
    m.zeroGradParameters()
    assert m.gradWeight.abs().sum() == 0 and m.gradBias.abs().sum() == 0


def test_update_parameters_and_acc_update_agree():
    m = nn.Linear(4, 3)
    x = torch.randn(2, 4)
    errors = nn.Jacobian.testAllUpdate(m, x, "weight", "gradWeight")
    for name, err in errors.items():
        assert err < 1e-10, name


def test_acc_update_grad_parameters_jacobian():
    m = nn.Linear(4, 3)
    err = nn.Jacobian.testJacobianUpdateParameters(m, torch.randn(4), m.weight)
    assert err < 1e-5
    err = nn.Jacobian.testJacobianUpdateParameters(m, torch.randn(2, 4), m.bias)
    assert err < 1e-5


# ---- getParameters ---------------------------------------------------------------------------
def test_get_parameters_views_one_flat_tensor():
    net = mlp()
    weights = [p.clone() for p in net.parameters()[0]]
    flat, grads = net.getParameters()
    assert flat.nElement() == 3 * 4 + 4 + 4 * 2 + 2 == grads.nElement()
    assert flat.dim() == 1 and flat.isContiguous()
    for p, before in zip(net.parameters()[0], weights):
        assert same_storage(p, flat)
        assert_close(p, before)
    for g in net.parameters()[1]:
        assert same_storage(g, grads)
    flat.fill(2)
    assert net.get(1).bias.tolist() == [2.0, 2.0]
    x = torch.randn(3)
    net.forward(x)
    net.zeroGradParameters()
    net.backward(x, torch.randn(2))
    assert grads.abs().sum() > 0
    # grads is the gradient vector itself
    total = sum(g.abs().sum() for g in net.parameters()[1])
    assert abs(grads.abs().sum() - total) < 1e-12


def test_get_parameters_keeps_shared_parameters_shared():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.share(a, "weight", "bias", "gradWeight", "gradBias")
    net = nn.Sequential().add(a).add(b)
    flat, grads = net.getParameters()
    assert flat.nElement() == 12  # shared tensors counted once
    assert same_storage(a.weight, b.weight)
    a.weight.fill(5)
    assert b.weight.sum() == 45
    assert grads.nElement() == 12


def test_get_parameters_twice_stays_correct():
    net = mlp()
    net.getParameters()
    values = [p.clone() for p in net.parameters()[0]]
    flat, _ = net.getParameters()
    for p, v in zip(net.parameters()[0], values):
        assert_close(p, v)
        assert same_storage(p, flat)


def test_get_parameters_after_clone_and_type():
    net = mlp()
    copy_ = net.clone()
    flat, _ = copy_.getParameters()
    assert all(same_storage(p, flat) for p in copy_.parameters()[0])
    assert not any(same_storage(p, flat) for p in net.parameters()[0])
    fl = mlp().float()
    flat, _ = fl.getParameters()
    assert flat.type() == "torch.FloatTensor" and flat.nElement() == 26


def test_get_parameters_squeezes_out_holes():
    m = nn.Module()
    big = torch.Tensor(10).copy(torch.range(0, 9))
    big_grad = torch.Tensor(10).zero()
    m.weight, m.gradWeight = big.narrow(0, 2, 3), big_grad.narrow(0, 2, 3)
    flat, grads = m.getParameters()
    assert flat.tolist() == [2.0, 3.0, 4.0] and grads.nElement() == 3
    assert m.weight.tolist() == [2.0, 3.0, 4.0] and same_storage(m.weight, flat)


def test_get_parameters_rejects_unmatched_sharing():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.share(a, "weight")  # weights shared but not their gradients
    with pytest.raises(ValueError, match="sharing parameters and gradParameters"):
        nn.Sequential().add(a).add(b).getParameters()


def test_get_parameters_of_parameterless_network():
    flat, grads = nn.Sequential().getParameters()
    assert flat.nElement() == 0 and grads.nElement() == 0


# ---- share, clone, type ----------------------------------------------------------------------
def test_clone_is_deep_and_keeps_internal_sharing():
    net = mlp()
    net.getParameters()
    c = net.clone()
    c.get(0).weight.fill(0)
    assert net.get(0).weight.abs().sum() > 0
    # inside the clone, parameters still share one storage (as before cloning)
    assert same_storage(c.get(0).weight, c.get(1).bias)
    assert not same_storage(c.get(0).weight, net.get(0).weight)


def test_clone_with_names_shares_them():
    a = nn.Linear(3, 2)
    b = a.clone("weight", "bias")
    a.weight.fill(1)
    assert b.weight.sum() == 6
    assert not same_storage(a.gradWeight, b.gradWeight)


def test_type_conversion_keeps_shared_storages_shared():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.share(a, "weight")
    net = nn.Sequential().add(a).add(b).float()
    assert a.weight.type() == "torch.FloatTensor" and net.type() == "torch.FloatTensor"
    assert same_storage(a.weight, b.weight)
    net.double()
    assert same_storage(a.weight, b.weight) and a.weight.type() == "torch.DoubleTensor"


def test_deepcopy_and_pickle_round_trip():
    net = mlp()
    x = torch.randn(3)
    expected = net.forward(x).clone()
    for other in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert str(other) == str(net)
        assert_close(other.forward(x), expected)


# ---- traversal, modes, state ------------------------------------------------------------------
def test_list_find_apply_replace():
    inner = nn.Sequential().add(nn.Linear(2, 2))
    net = nn.Sequential().add(nn.Linear(3, 2)).add(inner)
    assert net.listModules() == [net, net.get(0), inner, inner.get(0)]
    found, holders = net.findModules("nn.Linear")
    assert found == [net.get(0), inner.get(0)] and holders == [net, inner]
    seen = []
    net.apply(lambda m: seen.append(m.__typename__))
    assert seen == ["nn.Sequential", "nn.Linear", "nn.Sequential", "nn.Linear"]
    replaced = net.replace(lambda m: nn.Linear(2, 2, False) if m is inner.get(0) else m)
    assert replaced is net and str(inner.get(0)) == "nn.Linear(2 -> 2) without bias"


def test_training_and_evaluate_recurse():
    net = nn.Sequential().add(nn.Sequential().add(nn.Linear(2, 2)))
    net.evaluate()
    assert [m.train for m in net.listModules()] == [False, False, False]
    net.training()
    assert all(m.train for m in net.listModules())


def test_clear_state_empties_buffers_but_not_references():
    m = nn.Linear(3, 2)
    out = m.forward(torch.randn(3))
    view = out.narrow(0, 0, 1)
    assert m.clearState() is m
    assert out.nElement() == 0 and m.output is out
    assert view.nElement() == 1  # a view taken before keeps its memory
    net = mlp()
    net.forward(torch.randn(3))
    assert net.clearState() is net and net.output.nElement() == 0


def test_calling_a_module_on_a_tensor_says_use_forward():
    with pytest.raises(TypeError, match="use module.forward"):
        nn.Linear(2, 2)(torch.randn(2))


# ---- user modules ------------------------------------------------------------------------------
class Scale(nn.Module):
    """y = w * x with one learnable scalar, written as a Torch7 user would."""

    def __init__(self):
        super().__init__()
        self.weight = torch.Tensor(1).fill(2)
        self.gradWeight = torch.Tensor(1).zero()

    def updateOutput(self, input):
        self.output.resizeAs(input).copy(input).mul(self.weight[0])
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.resizeAs(gradOutput).copy(gradOutput).mul(self.weight[0])
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self.gradWeight[0] += scale * input.dot(gradOutput)


def test_user_module_works_in_containers_get_parameters_and_jacobian():
    net = nn.Sequential().add(nn.Linear(3, 3)).add(Scale())
    assert str(net.get(1)) == "nn.Scale"
    flat, _ = net.getParameters()
    assert flat.nElement() == 13
    check_jacobian(net, torch.randn(3))
    assert net.listModules()[2].__typename__ == "nn.Scale"


def test_user_class_does_not_replace_builtin_name():
    class Linear(nn.Module):
        pass

    assert nn.REGISTRY["nn.Linear"] is nn.Linear


# ---- the talk's MLP ----------------------------------------------------------------------------
def test_talk_mlp_trains_by_hand_sgd_on_get_parameters():
    torch.manualSeed(5)
    model = nn.Sequential()
    model.add(nn.Linear(100, 1000))
    model.add(nn.Tanh())
    model.add(nn.Linear(1000, 10))
    model.add(nn.LogSoftMax())
    criterion = nn.ClassNLLCriterion()
    params, grads = model.getParameters()
    inputs = torch.randn(16, 100)
    targets = torch.LongTensor([i % 10 for i in range(16)])
    losses = []
    for _ in range(60):
        grads.zero()
        loss = criterion.forward(model.forward(inputs), targets)
        model.backward(inputs, criterion.backward(model.output, targets))
        params.add(-0.5, grads)
        losses.append(loss)
    assert losses[0] > 1.5
    assert losses[-1] < 0.01, losses[-5:]


def test_zoo_sequential():
    check_zoo_module(nn.Sequential().add(nn.Linear(4, 3)).add(nn.Tanh()).add(nn.Linear(3, 2)),
                     zoo("Sequential"))


# ---- StochasticGradient -------------------------------------------------------------------------
class SquaredError(nn.Criterion):
    """0.5 * ||input - target||^2, written as a Torch7 user would."""

    def updateOutput(self, input, target):
        self.output = 0.5 * (input - target).pow(2).sum()
        return self.output

    def updateGradInput(self, input, target):
        self.gradInput.resizeAs(input).copy(input - target)
        return self.gradInput


def test_stochastic_gradient_fits_a_line_with_hooks(capsys):
    torch.manualSeed(3)
    data = [(torch.Tensor([x]), torch.Tensor([3 * x - 1])) for x in (-1, -0.5, 0, 0.5, 1)]
    trainer = nn.StochasticGradient(nn.Linear(1, 1), SquaredError())
    trainer.learningRate, trainer.learningRateDecay, trainer.maxIteration = 0.2, 0.01, 150
    seen = {"examples": 0, "errors": []}
    trainer.hookExample = lambda t, ex: seen.__setitem__("examples", seen["examples"] + 1)
    trainer.hookIteration = lambda t, it, err: seen["errors"].append(err)
    error = trainer.train(data)
    assert seen["examples"] == 5 * 150 and len(seen["errors"]) == 150
    assert error < 1e-8 and seen["errors"][0] > 0.1
    assert abs(trainer.module.weight[0, 0] - 3) < 1e-4 and abs(trainer.module.bias[0] + 1) < 1e-4
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "# StochasticGradient: training"
    assert out[-2] == "# StochasticGradient: you have reached the maximum number of iterations"


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["nn_zoo/Linear.json", "nn/Linear.json", "nn_zoo/Sequential.json"]
