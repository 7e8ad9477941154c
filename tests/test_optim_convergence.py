"""Every optim algorithm converges on the Rosenbrock function and on a quadratic (as Torch7's
optim tests checked), lbfgs and cg with and without a line search; the helpers
(checkgrad, polyinterp, lswolfe, FistaLS) on problems with known answers."""

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import optim


def rosenbrock(x):
    xv = x.numpy()
    f = float(np.sum(100 * (xv[1:] - xv[:-1] ** 2) ** 2 + (1 - xv[:-1]) ** 2))
    g = np.zeros_like(xv)
    g[:-1] = -400 * xv[:-1] * (xv[1:] - xv[:-1] ** 2) - 2 * (1 - xv[:-1])
    g[1:] += 200 * (xv[1:] - xv[:-1] ** 2)
    return f, torch.DoubleTensor(g.tolist())


QA = np.diag(np.linspace(1.0, 4.0, 10))
QA[0, 1] = QA[1, 0] = 0.5
QB = np.linspace(-1.0, 1.0, 10)
QSTAR = np.linalg.solve(QA, QB)


def quadratic(x):
    xv = x.numpy()
    return float(0.5 * xv @ QA @ xv - QB @ xv), torch.DoubleTensor((QA @ xv - QB).tolist())


def run(method, opfunc, x, config, calls):
    for _ in range(calls):
        res = method(opfunc, x, config)
    return res


# (algorithm, config, number of calls) for Rosenbrock from (-1.2, 1)
ROSENBROCK = [
    ("sgd", {"learningRate": 1e-3, "momentum": 0.9}, 20000),
    ("sgd", {"learningRate": 1e-3, "momentum": 0.9, "dampening": 0, "nesterov": True}, 20000),
    ("nag", {"learningRate": 1e-3, "momentum": 0.9}, 20000),
    ("asgd", {"eta0": 1e-3, "t0": 1e9, "lambda": 0}, 40000),
    ("adagrad", {"learningRate": 0.5}, 20000),
    ("adadelta", {"eps": 1e-10}, 10001),  # Torch7's test_adadelta.lua settings
    ("adam", {"learningRate": 0.02}, 20000),
    ("adamax", {"learningRate": 0.02}, 20000),
    ("rmsprop", {"learningRate": 1e-3}, 40000),
    ("rprop", {"stepsize": 0.01, "niter": 10}, 500),
    ("lbfgs", {"maxIter": 100, "learningRate": 0.3}, 10),
    ("lbfgs", {"maxIter": 100, "lineSearch": optim.lswolfe}, 1),
    ("cg", {"maxEval": 200}, 3),
]


@pytest.mark.parametrize("case", range(len(ROSENBROCK)), ids=lambda i: ROSENBROCK[i][0])
def test_converges_on_rosenbrock(case):
    name, config, calls = ROSENBROCK[case]
    # adadelta from Torch7's test start, (0, 0): from (-1.2, 1) its steps grow without bound
    x = torch.DoubleTensor([0.0, 0.0] if name == "adadelta" else [-1.2, 1.0])
    run(getattr(optim, name), rosenbrock, x, dict(config), calls)
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=2e-2)


QUADRATIC = [
    ("sgd", {"learningRate": 0.1}, 300),
    ("sgd", {"learningRate": 0.05, "momentum": 0.9, "weightDecay": 0}, 300),
    ("nag", {"learningRate": 0.05, "momentum": 0.9}, 300),
    ("asgd", {"eta0": 0.1, "lambda": 0, "t0": 1e9}, 500),
    ("adagrad", {"learningRate": 0.5}, 2000),
    ("adadelta", {"eps": 1e-10}, 10000),  # slow to start: steps grow from sqrt(eps)
    ("adam", {"learningRate": 0.05}, 2000),
    ("adamax", {"learningRate": 0.05}, 2000),
    ("rmsprop", {"learningRate": 0.001}, 4000),
    ("rprop", {"niter": 50}, 20),
    ("lbfgs", {"maxIter": 50}, 1),
    ("lbfgs", {"maxIter": 50, "lineSearch": optim.lswolfe}, 1),
    ("cg", {"maxEval": 100}, 1),
]


@pytest.mark.parametrize("case", range(len(QUADRATIC)), ids=lambda i: QUADRATIC[i][0])
def test_converges_on_quadratic(case):
    name, config, calls = QUADRATIC[case]
    x = torch.DoubleTensor(10).zero()
    run(getattr(optim, name), quadratic, x, dict(config), calls)
    np.testing.assert_allclose(x.numpy(), QSTAR, atol=2e-3)


def test_cmaes_converges_on_rosenbrock_and_quadratic():
    torch.manualSeed(2)
    best, fs, n = optim.cmaes(rosenbrock, torch.DoubleTensor([-1.2, 1.0]),
                              {"sigma": 0.5, "maxEval": 4000, "ftarget": 1e-12})
    np.testing.assert_allclose(best.numpy(), [1, 1], atol=1e-4)
    assert fs[0] == pytest.approx(24.2) and fs[-1] == min(fs[1:-1]) and n <= 4000
    best, fs, n = optim.cmaes(quadratic, torch.DoubleTensor(10).zero(),
                              {"sigma": 0.5, "maxEval": 20000})
    np.testing.assert_allclose(best.numpy(), QSTAR, atol=1e-4)


def test_cmaes_is_reproducible_from_the_seed_and_keeps_x():
    x = torch.DoubleTensor([0.5, -0.5, 1.0])
    runs = []
    for _ in range(2):
        torch.manualSeed(9)
        runs.append(optim.cmaes(quadratic_3, x, {"sigma": 0.3, "maxEval": 300}))
    assert runs[0][1] == runs[1][1] and runs[0][0].tolist() == runs[1][0].tolist()
    assert x.tolist() == [0.5, -0.5, 1.0]


def quadratic_3(x):
    xv = x.numpy()
    return float(xv @ xv), None


def test_lbfgs_without_line_search_skips_the_last_evaluation():
    x = torch.DoubleTensor(10).zero()
    calls = []

    def feval(x):
        calls.append(1)
        return quadratic(x)

    x, fs, n = optim.lbfgs(feval, x, {"maxIter": 3, "learningRate": 0.1, "tolFun": 0})
    assert len(calls) == n == 3 and len(fs) == 3  # f0, after steps 1 and 2; step 3 not rerun


def test_lbfgs_history_is_bounded_by_ncorrection():
    config = {"maxIter": 30, "nCorrection": 4, "learningRate": 0.2}
    optim.lbfgs(quadratic, torch.DoubleTensor(10).zero(), config)
    assert len(config["old_dirs"]) == 4
    assert len(config["dir_bufs"]) <= 2


def test_cg_stops_at_max_eval():
    _x, fs, n = optim.cg(rosenbrock, torch.DoubleTensor([-1.2, 1.0]), {"maxEval": 15})
    assert n <= 16 and fs[-1] < fs[0]


def test_checkgrad():
    x = torch.DoubleTensor([0.3, -0.2, 0.5])
    diff, _dc, _dc_est = optim.checkgrad(rosenbrock, x, 1e-6)
    assert diff < 1e-8
    assert x.tolist() == [0.3, -0.2, 0.5]

    def wrong(x):
        f, g = rosenbrock(x)
        return f, g.mul(1.1)

    assert optim.checkgrad(wrong, x)[0] > 1e-3


def test_polyinterp_cubic_and_bounded():
    # f(t) = (t - 0.3)^2 sampled at 0 and 1: the minimum is at 0.3
    pts = [[0.0, 0.09, -0.6], [1.0, 0.49, 1.4]]
    assert optim.polyinterp(pts) == pytest.approx(0.3)
    pos, fmin = optim.polyinterp(pts, -1, 2)
    assert pos == pytest.approx(0.3) and fmin == pytest.approx(0.0, abs=1e-12)
    # a minimum outside the bounds: the best bound wins
    pos, _ = optim.polyinterp(pts, 0.5, 2)
    assert pos == pytest.approx(0.5)
    # a cubic with a local minimum at t=1 (f = t^3 - 3t): derivative data at -2 and 2
    pos, fmin = optim.polyinterp([[-2.0, -2.0, 9.0], [2.0, 2.0, 9.0]], -1.5, 1.5)
    assert pos == pytest.approx(1.0) and fmin == pytest.approx(-2.0)


def test_lswolfe_satisfies_wolfe_conditions():
    x = torch.DoubleTensor([-1.2, 1.0])
    f, g = rosenbrock(x)
    d = g.clone().mul(-1)
    gtd = g.dot(d)
    x0 = x.clone()
    f_new, g_new, x, t, _n = optim.lswolfe(rosenbrock, x, 1e-3, d, f, g, gtd)
    assert f_new <= f + 1e-4 * t * gtd
    assert abs(g_new.dot(d)) <= 0.9 * abs(gtd)
    np.testing.assert_allclose(x.numpy(), x0.numpy() + t * d.numpy())
    assert rosenbrock(x)[0] == pytest.approx(f_new)


def _lasso():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((20, 8))
    y = a @ np.array([2.0, 0, 0, -1.5, 0, 0, 0, 1.0]) + 0.01 * rng.standard_normal(20)
    lam = 1.0

    def f(x, mode=None):
        r = a @ x.numpy() - y
        val = float(0.5 * r @ r)
        return (val, torch.DoubleTensor((a.T @ r).tolist())) if mode == "dx" else val

    def g(x):
        return lam * float(np.abs(x.numpy()).sum())

    def pl(x, L):
        xv = x.numpy()
        x.copy(torch.DoubleTensor((np.sign(xv) * np.maximum(np.abs(xv) - lam / L, 0)).tolist()))

    return a, y, lam, f, g, pl


@pytest.mark.parametrize("fista", [True, None])
def test_fista_solves_lasso(fista):
    scipy_optimize = pytest.importorskip("scipy.optimize")
    a, y, lam, f, g, pl = _lasso()
    params = {"maxiter": 2000, "errthres": 1e-12, "L": 1.0, "doFistaUpdate": fista}
    xinit = torch.DoubleTensor(8).zero()
    x, history = optim.FistaLS(f, g, pl, xinit, params)
    assert xinit.tolist() == x.tolist()
    assert params["L"] == history[-1]["L"] and set(history[0]) >= {"nline", "L", "F", "Q"}

    # the same objective split into positive and negative parts, solved by L-BFGS-B
    def split(z):
        w = z[:8] - z[8:]
        r = a @ w - y
        return 0.5 * r @ r + lam * z.sum(), np.concatenate([a.T @ r + lam, -(a.T @ r) + lam])

    best = scipy_optimize.minimize(split, np.zeros(16), jac=True, method="L-BFGS-B",
                                   bounds=[(0, None)] * 16, options={"ftol": 1e-15,
                                                                      "gtol": 1e-12})
    np.testing.assert_allclose(x.numpy(), best.x[:8] - best.x[8:], atol=1e-4)
    assert history[-1]["F"] == pytest.approx(best.fun, rel=1e-8)
