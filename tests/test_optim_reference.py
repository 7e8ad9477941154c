"""Each first-order optim update against a numpy reference of its rule, written here from
Torch7's formulas (several steps, every config key), and against PyTorch's torch.optim where
the formulas agree. Float64 and float32, contiguous (fused kernels) and strided (tensor-op
path) parameters."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import optim

N = 7
STEPS = 6
A = np.diag(np.linspace(1.0, 3.0, N)) + 0.1


def gradient(xv, k):
    """A gradient that depends on x and on the step (a noisy quadratic)."""
    rng = np.random.default_rng(100 + k)
    return A @ xv - 1.0 + rng.standard_normal(N)


def value(xv):
    return float(0.5 * xv @ A @ xv - xv.sum())


class Problem:
    """The ferrotorch side: opfunc over a tensor x of the given type and layout."""

    def __init__(self, dtype, layout):
        self.np_dtype = np.float64 if dtype == "double" else np.float32
        self.tensor = torch.DoubleTensor if dtype == "double" else torch.FloatTensor
        x0 = np.random.default_rng(7).standard_normal(N)
        if layout == "contiguous":
            self.x = self.tensor(x0.tolist())
        else:  # every other element of a 2N buffer: not contiguous, so the tensor-op path
            self.x = self.tensor(N, 2).zero().select(1, 0)
            self.x.copy(self.tensor(x0.tolist()))
        self.k = 0
        self.xs = []

    def opfunc(self, x):
        xv = x.numpy().astype(np.float64)
        self.xs.append(xv.copy())
        g = gradient(xv, self.k)
        self.k += 1
        return value(xv), self.tensor(g.astype(self.np_dtype).tolist())


# ----------------------------------------------------------------- numpy references

def ref_sgd(x, c, st, k):
    lr, lrd = c.get("learningRate", 1e-3), c.get("learningRateDecay", 0)
    wd, mom = c.get("weightDecay", 0), c.get("momentum", 0)
    damp, nesterov = c.get("dampening", mom), c.get("nesterov", False)
    g = gradient(x, k)
    if wd != 0:
        g = g + wd * x
    elif "weightDecays" in c:
        g = g + c["weightDecays"] * x
    if mom != 0:
        st["buf"] = g.copy() if "buf" not in st else mom * st["buf"] + (1 - damp) * g
        g = g + mom * st["buf"] if nesterov else st["buf"]
    clr = lr / (1 + k * lrd)
    step = c["learningRates"] * g if "learningRates" in c else g
    return x - clr * step


def ref_nag(x, c, st, k):
    lr, lrd = c.get("learningRate", 1e-3), c.get("learningRateDecay", 0)
    wd, mom = c.get("weightDecay", 0), c.get("momentum", 0.9)
    if "buf" in st:
        x = x + mom * st["buf"]
    g = gradient(x, k)
    if wd != 0:
        g = g + wd * x
    clr = lr / (1 + k * lrd)
    step = clr * (c["learningRates"] * g if "learningRates" in c else g)
    st["buf"] = (mom * st["buf"] if "buf" in st else np.zeros(N)) - step
    return x - step


def ref_asgd(x, c, st, k):
    eta0, lam = c.get("eta0", 1e-4), c.get("lambda", 1e-4)
    alpha, t0 = c.get("alpha", 0.75), c.get("t0", 1e6)
    eta, mu = st.get("eta", eta0), st.get("mu", 1)
    g = gradient(x, k)
    x = (1 - lam * eta) * x - eta * g
    st["ax"] = x.copy() if mu == 1 else st["ax"] + mu * (x - st["ax"])
    t = k + 1
    st["eta"] = eta0 / (1 + lam * eta0 * t) ** alpha
    st["mu"] = 1 / max(1, t - t0)
    return x


def ref_adagrad(x, c, st, k):
    lr, lrd, wd = c.get("learningRate", 1e-3), c.get("learningRateDecay", 0), \
        c.get("weightDecay", 0)
    g = gradient(x, k) + wd * x
    st["v"] = st.get("v", 0) + g * g
    return x - lr / (1 + k * lrd) * g / (np.sqrt(st["v"]) + 1e-10)


def ref_adadelta(x, c, st, k):
    rho, eps, wd = c.get("rho", 0.9), c.get("eps", 1e-6), c.get("weightDecay", 0)
    g = gradient(x, k) + wd * x
    st["v"] = rho * st.get("v", 0) + (1 - rho) * g * g
    delta = np.sqrt(st.get("acc", 0) + eps) / np.sqrt(st["v"] + eps) * g
    st["acc"] = rho * st.get("acc", 0) + (1 - rho) * delta * delta
    return x - delta


def ref_adam(x, c, st, k):
    lr, lrd = c.get("learningRate", 1e-3), c.get("learningRateDecay", 0)
    b1, b2 = c.get("beta1", 0.9), c.get("beta2", 0.999)
    eps, wd = c.get("epsilon", 1e-8), c.get("weightDecay", 0)
    g = gradient(x, k) + wd * x
    t = k + 1
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
    clr = lr / (1 + k * lrd)
    return x - clr * math.sqrt(1 - b2**t) / (1 - b1**t) * st["m"] / (np.sqrt(st["v"]) + eps)


def ref_adamax(x, c, st, k):
    lr, b1, b2 = c.get("learningRate", 2e-3), c.get("beta1", 0.9), c.get("beta2", 0.999)
    eps, wd = c.get("epsilon", 1e-38), c.get("weightDecay", 0)
    g = gradient(x, k) + wd * x
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["u"] = np.maximum(b2 * st.get("u", 0), np.abs(g) + eps)
    return x - lr / (1 - b1 ** (k + 1)) * st["m"] / st["u"]


def ref_rmsprop(x, c, st, k):
    lr, alpha = c.get("learningRate", 1e-2), c.get("alpha", 0.99)
    eps, wd = c.get("epsilon", 1e-8), c.get("weightDecay", 0)
    g = gradient(x, k) + wd * x
    st["m"] = alpha * st.get("m", c.get("initialMean", 0)) + (1 - alpha) * g * g
    return x - lr * g / (np.sqrt(st["m"]) + eps)


def ref_rprop(x, c, st, k):
    etaplus, etaminus = c.get("etaplus", 1.2), c.get("etaminus", 0.5)
    smax, smin = c.get("stepsizemax", 50.0), c.get("stepsizemin", 1e-6)
    for i in range(c.get("niter", 1)):
        g = gradient(x, k * c.get("niter", 1) + i)
        s = np.sign(g * st.get("delta", np.zeros(N)))
        step = st.get("step", np.full(N, c.get("stepsize", 0.1)))
        step = np.clip(step * np.where(s > 0, etaplus, np.where(s < 0, etaminus, 1.0)), smin,
                       smax)
        g = np.where(s < 0, 0.0, g)
        x = x - np.sign(g) * step
        st["delta"], st["step"] = g, step
    return x


RNG = np.random.default_rng(3)
PER_ELEMENT = RNG.uniform(0.5, 1.5, N)
DECAYS = RNG.uniform(0.0, 0.2, N)

CASES = [
    ("sgd", ref_sgd, {"learningRate": 0.05}),
    ("sgd", ref_sgd, {"learningRate": 0.05, "learningRateDecay": 0.1, "weightDecay": 0.01,
                      "momentum": 0.9, "dampening": 0.3}),
    ("sgd", ref_sgd, {"learningRate": 0.05, "momentum": 0.8, "dampening": 0, "nesterov": True,
                      "weightDecay": 0.02}),
    ("sgd", ref_sgd, {"learningRate": 0.05, "momentum": 0.5, "learningRates": PER_ELEMENT,
                      "weightDecays": DECAYS}),
    ("sgd", ref_sgd, {"learningRate": 0.05, "weightDecays": DECAYS}),
    ("nag", ref_nag, {"learningRate": 0.05, "learningRateDecay": 0.1, "weightDecay": 0.01,
                      "momentum": 0.7}),
    ("nag", ref_nag, {"learningRate": 0.05, "learningRates": PER_ELEMENT}),
    ("asgd", ref_asgd, {"eta0": 0.1, "lambda": 0.05, "alpha": 0.6, "t0": 2}),
    ("asgd", ref_asgd, {}),
    ("adagrad", ref_adagrad, {"learningRate": 0.1, "learningRateDecay": 0.2,
                              "weightDecay": 0.03}),
    ("adagrad", ref_adagrad, {}),
    ("adadelta", ref_adadelta, {"rho": 0.8, "eps": 1e-4, "weightDecay": 0.02}),
    ("adadelta", ref_adadelta, {}),
    ("adam", ref_adam, {"learningRate": 0.05, "learningRateDecay": 0.1, "beta1": 0.8,
                        "beta2": 0.99, "epsilon": 1e-3, "weightDecay": 0.01}),
    ("adam", ref_adam, {}),
    ("adamax", ref_adamax, {"learningRate": 0.05, "beta1": 0.8, "beta2": 0.99,
                            "epsilon": 1e-3, "weightDecay": 0.01}),
    ("adamax", ref_adamax, {}),
    ("rmsprop", ref_rmsprop, {"learningRate": 0.05, "alpha": 0.9, "epsilon": 1e-3,
                              "weightDecay": 0.01, "initialMean": 0.5}),
    ("rmsprop", ref_rmsprop, {}),
    ("rprop", ref_rprop, {"stepsize": 0.05, "etaplus": 1.5, "etaminus": 0.3,
                          "stepsizemax": 0.2, "stepsizemin": 0.04, "niter": 2}),
    ("rprop", ref_rprop, {}),
]


def _config_for(case_config, problem):
    """The ferrotorch config: per-element numpy arrays become tensors of x's type."""
    return {k: problem.tensor(v.astype(problem.np_dtype).tolist()) if isinstance(v, np.ndarray)
            else v for k, v in case_config.items()}


@pytest.mark.parametrize("dtype", ["double", "float"])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
@pytest.mark.parametrize("case", range(len(CASES)), ids=lambda i: f"{CASES[i][0]}{i}")
def test_update_matches_numpy_reference(case, layout, dtype):
    name, ref, cfg = CASES[case]
    problem = Problem(dtype, layout)
    config = _config_for(cfg, problem)
    xr, st = problem.x.numpy().astype(np.float64), {}
    rtol = 1e-12 if dtype == "double" else 2e-5
    for k in range(STEPS):
        res = getattr(optim, name)(problem.opfunc, problem.x, config)
        assert res[0] is problem.x
        xr = ref(xr, cfg, st, k)
        np.testing.assert_allclose(problem.x.numpy(), xr, rtol=rtol, atol=rtol,
                                   err_msg=f"{name} step {k}")
        if name == "asgd":
            np.testing.assert_allclose(res[2].numpy(), st["ax"], rtol=rtol, atol=rtol)
        niter = cfg.get("niter", 1)
        assert len(res[1]) == niter


def test_fused_and_tensor_op_paths_agree_bitwise():
    """The one-pass kernels use Torch7's operation order: same bits as the op chain."""
    for name, _, cfg in CASES:
        a, b = Problem("double", "contiguous"), Problem("double", "strided")
        ca, cb = _config_for(cfg, a), _config_for(cfg, b)
        for _ in range(STEPS):
            getattr(optim, name)(a.opfunc, a.x, ca)
            getattr(optim, name)(b.opfunc, b.x, cb)
            assert a.x.numpy().tolist() == b.x.numpy().tolist(), name


def test_sgd_state_fields_and_side_effects():
    config = {"learningRate": 0.1, "momentum": 0.9, "weightDecay": 0.5}
    x = torch.DoubleTensor([1.0, 2.0])
    grads = []

    def feval(x):
        g = torch.DoubleTensor([1.0, 1.0])
        grads.append(g)
        return 0.0, g

    optim.sgd(feval, x, config)
    optim.sgd(feval, x, config)
    assert config["evalCounter"] == 2
    # Torch7 adds the weight decay into the caller's gradient tensor, in place
    assert grads[0].tolist() == [1.5, 2.0]
    assert torch.isTensor(config["dfdx"])


def test_state_separate_from_config():
    config, state = {"learningRate": 0.1, "momentum": 0.5}, {}
    x = torch.DoubleTensor([1.0])
    optim.sgd(lambda x: (0.0, torch.DoubleTensor([1.0])), x, config, state)
    assert "dfdx" in state and "dfdx" not in config and state["evalCounter"] == 1


def test_empty_config_dict_is_kept_as_state():
    config = {}
    optim.adam(lambda x: (0.0, torch.DoubleTensor([1.0])), torch.DoubleTensor([1.0]), config)
    assert config["t"] == 1


def test_errors():
    x = torch.DoubleTensor([1.0])
    f = lambda x: (0.0, torch.DoubleTensor([1.0]))
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.sgd(f, x, {"nesterov": True, "momentum": 0.9})
    with pytest.raises(ValueError, match="Momentum must be positive"):
        optim.nag(f, x, {"momentum": 0})
    with pytest.raises(ValueError, match="sigma"):
        optim.cmaes(f, x, {})
    with pytest.raises(TypeError, match="Float- or DoubleTensor"):
        optim.cmaes(f, torch.LongTensor([1]), {"sigma": 1})


# ----------------------------------------------------------------- PyTorch

PT_CASES = [
    ("sgd", {"learningRate": 0.05, "momentum": 0.9, "dampening": 0.3, "weightDecay": 0.01},
     "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("sgd", {"learningRate": 0.05, "momentum": 0.8, "dampening": 0, "nesterov": True,
             "weightDecay": 0.02},
     "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.02}),
    ("adagrad", {"learningRate": 0.1, "learningRateDecay": 0.2, "weightDecay": 0.03},
     "Adagrad", {"lr": 0.1, "lr_decay": 0.2, "weight_decay": 0.03, "eps": 1e-10}),
    ("adadelta", {"rho": 0.8, "eps": 1e-4, "weightDecay": 0.02},
     "Adadelta", {"lr": 1.0, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.02}),
    # Torch7 adds epsilon before the bias correction, PyTorch after: equal when epsilon is 0
    ("adam", {"learningRate": 0.05, "beta1": 0.8, "beta2": 0.99, "epsilon": 0,
              "weightDecay": 0.01},
     "Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 0, "weight_decay": 0.01}),
    ("adamax", {"learningRate": 0.05, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-3,
                "weightDecay": 0.01},
     "Adamax", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-3, "weight_decay": 0.01}),
    ("rmsprop", {"learningRate": 0.05, "alpha": 0.9, "epsilon": 1e-3, "weightDecay": 0.01},
     "RMSprop", {"lr": 0.05, "alpha": 0.9, "eps": 1e-3, "weight_decay": 0.01}),
    ("rprop", {"stepsize": 0.05, "etaplus": 1.5, "etaminus": 0.3, "stepsizemax": 0.2,
               "stepsizemin": 0.04},
     "Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (0.04, 0.2)}),
]


@pytest.mark.parametrize("case", range(len(PT_CASES)), ids=lambda i: PT_CASES[i][2])
def test_update_matches_pytorch(case):
    pt = pytest.importorskip("torch")
    name, config, pt_name, pt_kwargs = PT_CASES[case]
    problem = Problem("double", "contiguous")
    p = pt.tensor(problem.x.numpy().copy(), requires_grad=True)
    pt_opt = getattr(pt.optim, pt_name)([p], **pt_kwargs)
    for k in range(STEPS):
        getattr(optim, name)(problem.opfunc, problem.x, config)
        p.grad = pt.tensor(gradient(p.detach().numpy(), k))
        pt_opt.step()
        np.testing.assert_allclose(problem.x.numpy(), p.detach().numpy(), rtol=1e-12,
                                   atol=1e-14, err_msg=f"{name} step {k}")


def test_lbfgs_matches_pytorch_without_line_search():
    pt = pytest.importorskip("torch")
    a = A + np.diag(np.arange(N))
    b = np.linspace(-1, 1, N)

    def feval(x):
        xv = x.numpy()
        return float(0.5 * xv @ a @ xv - b @ xv), torch.DoubleTensor((a @ xv - b).tolist())

    x0 = np.random.default_rng(5).standard_normal(N)
    x = torch.DoubleTensor(x0.tolist())
    config = {"maxIter": 8, "nCorrection": 3, "learningRate": 0.5, "tolFun": 1e-300,
              "tolX": 1e-300}
    p = pt.tensor(x0.copy(), requires_grad=True)
    pt_opt = pt.optim.LBFGS([p], lr=0.5, max_iter=8, history_size=3, tolerance_grad=1e-300,
                            tolerance_change=1e-300)

    def closure():
        pt_opt.zero_grad()
        loss = 0.5 * p @ pt.tensor(a) @ p - pt.tensor(b) @ p
        loss.backward()
        return loss

    for _ in range(3):
        optim.lbfgs(feval, x, config)
        pt_opt.step(closure)
        np.testing.assert_allclose(x.numpy(), p.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_fused_kernels_are_compiled_in():
    from ferrotorch.optim import _fused

    assert _fused.usable(torch.FloatTensor(3), torch.FloatTensor(3))
    assert not _fused.usable(torch.FloatTensor(3), torch.DoubleTensor(3))
    assert not _fused.usable(torch.FloatTensor(4, 2).select(1, 0), torch.FloatTensor(4))


def test_gradient_sharing_memory_with_x_takes_torch7s_op_sequence():
    """opfunc returning x itself as its gradient: the kernel refuses the overlap and the
    tensor-op path computes Torch7's `x:add(-clr, x)`."""
    x = torch.DoubleTensor([1.0, -2.0])
    optim.sgd(lambda x: (0.0, x), x, {"learningRate": 0.25})
    assert x.tolist() == [0.75, -1.5]
    x = torch.DoubleTensor([1.0, -2.0])
    config = {"learningRate": 0.1}
    optim.adam(lambda x: (0.0, x), x, config)
    np.testing.assert_allclose(x.numpy(), [0.9, -1.9])
