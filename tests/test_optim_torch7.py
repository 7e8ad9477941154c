"""optim against Torch7: the Rosenbrock trajectories recorded from Lua, ConfusionMatrix's
printed text and Logger's files (fixtures/torch7/optim and formats)."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import optim


def tensor_data(t):
    return np.array([math.nan if v == "nan" else v for v in t["data"]], dtype=np.float64)


# Torch7 summed its dot products with OpenBLAS's ddot (fused multiply-adds); ours round each
# product, so values that go through dots (lbfgs's direction) agree to a few ulps rather than
# exactly. Over lbfgs_default's 68 evaluations on the ill-conditioned Rosenbrock valley those
# ulps grow to ~1e-10 (x stays within 1e-8 of Torch7 on every evaluation).
RTOL = 1e-13
RTOL_LONG = {"lbfgs_default": 1e-8}


class Replay:
    """An opfunc that checks each x against Torch7's recorded evaluation and returns Torch7's
    recorded f and gradient there, so only the optimiser's own arithmetic is compared."""

    def __init__(self, evaluations, rtol=RTOL):
        self.evaluations = evaluations
        self.rtol = rtol
        self.n = 0

    def __call__(self, x):
        assert self.n < len(self.evaluations), "more evaluations than Torch7 made"
        e = self.evaluations[self.n]
        np.testing.assert_allclose(x.numpy(), e["x"], rtol=self.rtol, atol=0,
                                   err_msg=f"evaluation {self.n}")
        self.n += 1
        # a fresh gradient tensor each time, as rosenbrock.lua returns
        return e["f"], torch.DoubleTensor(e["grad"])


ALGORITHMS = ["sgd", "adam", "adagrad", "rmsprop", "lbfgs", "lbfgs_default"]


@pytest.mark.parametrize("name", ALGORITHMS)
def test_rosenbrock_trajectory_matches_torch7(load_fixture, name):
    d = load_fixture(f"optim/{name}.json")
    method = getattr(optim, d["algorithm"].split(".")[1])
    config = dict(d["config"])
    x = torch.DoubleTensor(d["x0"])
    rtol = RTOL_LONG.get(name, RTOL)
    feval = Replay(d["evaluations"], rtol)
    for call in d["calls"]:
        before = feval.n
        res = method(feval, x, config)
        assert res[0] is x
        np.testing.assert_allclose(x.numpy(), call["x_after"], rtol=rtol, atol=0)
        np.testing.assert_allclose(res[1], call["f_returned"], rtol=rtol, atol=0)
        assert feval.n - before == call["n_evals"]
        if "third_return" in call:
            assert res[2] == call["third_return"]
    assert feval.n == len(d["evaluations"])
    # tmp1 ends as a difference of nearly equal gradients (~1e-22): compare it absolutely
    atol = 1e-18 if name in RTOL_LONG else 0
    for key, want in d["final_state"].items():
        got = config[key]
        if isinstance(want, dict) and "data" in want:
            np.testing.assert_allclose(got.numpy(), tensor_data(want), rtol=rtol, atol=atol,
                                       err_msg=key)
        elif isinstance(want, dict):  # lbfgs's history: Lua lists {"1": tensor, ...}
            assert len(got) == len(want)
            for i, t in enumerate(got):
                np.testing.assert_allclose(t.numpy(), tensor_data(want[str(i + 1)]),
                                           rtol=rtol, atol=0, err_msg=f"{key}[{i}]")
        else:
            assert got == pytest.approx(want, rel=rtol, abs=1e-300), key


def rosenbrock(x):
    """optim/test/rosenbrock.lua with ferrotorch tensor ops."""
    d = x.size(0)
    head, tail = x.narrow(0, 0, d - 1), x.narrow(0, 1, d - 1)
    x1 = head.clone().cmul(head).mul(-1).add(tail)
    x0 = head.clone().mul(-1).add(1)
    f = x1.clone().cmul(x1).mul(100).add(x0.clone().cmul(x0)).sum()
    g = torch.zeros(d).typeAs(x)
    g.narrow(0, 0, d - 1).copy(x1.clone().cmul(head).mul(-400).add(x0.clone().mul(-2)))
    g.narrow(0, 1, d - 1).add(x1.clone().mul(200))
    return f, g


def test_rosenbrock_function_matches_recorded_evaluations(load_fixture):
    d = load_fixture("optim/sgd.json")
    for e in d["evaluations"]:
        f, g = rosenbrock(torch.DoubleTensor(e["x"]))
        assert f == pytest.approx(e["f"], rel=1e-14)
        np.testing.assert_allclose(g.numpy(), e["grad"], rtol=1e-13)


@pytest.mark.parametrize("name", ALGORITHMS)
def test_rosenbrock_with_real_function(load_fixture, name):
    """The same ten calls with the objective computed by us: the same path to rounding."""
    d = load_fixture(f"optim/{name}.json")
    method = getattr(optim, d["algorithm"].split(".")[1])
    config = dict(d["config"])
    x = torch.DoubleTensor(d["x0"])
    for call in d["calls"]:
        method(rosenbrock, x, config)
        np.testing.assert_allclose(x.numpy(), call["x_after"], rtol=1e-7 if "lbfgs" in name
                                   else 1e-12)


# ------------------------------------------------------------------ ConfusionMatrix

@pytest.fixture
def matrices(load_fixture):
    return load_fixture("formats/optim_formats.json")["confusion_matrices"]


@pytest.mark.parametrize("index", range(4))
def test_confusion_matrix_matches_torch7(matrices, index):
    c = matrices[index]
    preds = torch.DoubleTensor(tensor_data(c["predictions"]).tolist()).view(
        *c["predictions"]["size"])
    targets = [int(t) for t in c["targets"]["data"]]
    cm = optim.ConfusionMatrix(c["classes"]) if c["classes"] else \
        optim.ConfusionMatrix(c["nclasses"])
    if c["add_form"] == "add":
        for n, t in enumerate(targets):
            cm.add(preds[n], t)
    else:
        cm.batchAdd(preds, torch.LongTensor(targets))
    text = str(cm)
    assert text == c["tostring"]
    assert cm.mat.numpy().ravel().tolist() == c["mat"]["data"]
    np.testing.assert_array_equal(cm.valids.numpy(), tensor_data(c["valids"]).astype(np.float32))
    np.testing.assert_array_equal(cm.unionvalids.numpy(),
                                  tensor_data(c["unionvalids"]).astype(np.float32))
    assert cm.totalValid == c["totalValid"]
    assert cm.averageValid == c["averageValid"]
    assert cm.averageUnionValid == c["averageUnionValid"]


def test_confusion_matrix_add_and_batch_add_agree(matrices):
    c = matrices[2]  # 10 classes with ignored (negative) targets
    preds = torch.DoubleTensor(tensor_data(c["predictions"]).tolist()).view(
        *c["predictions"]["size"])
    targets = [int(t) for t in c["targets"]["data"]]
    one = optim.ConfusionMatrix(c["nclasses"])
    for n, t in enumerate(targets):
        one.add(preds[n], t)
    batch = optim.ConfusionMatrix(c["nclasses"])
    batch.batchAdd(preds, torch.LongTensor(targets))
    onehot = torch.zeros(len(targets), c["nclasses"])
    for n, t in enumerate(targets):
        if t >= 0:
            onehot[n, t] = 1
    masked = optim.ConfusionMatrix(c["nclasses"])
    valid = [n for n, t in enumerate(targets) if t >= 0]
    masked.batchAdd(preds.index(0, torch.LongTensor(valid)),
                    onehot.index(0, torch.LongTensor(valid)))
    assert one.mat.tolist() == batch.mat.tolist() == masked.mat.tolist()
    assert one.mat.numpy().ravel().tolist() == c["mat"]["data"]


# ------------------------------------------------------------------ Logger

@pytest.mark.parametrize("index", range(2))
def test_logger_file_matches_torch7(load_fixture, tmp_path, index):
    lg = load_fixture("formats/optim_formats.json")["loggers"][index]
    path = tmp_path / "sub" / f"{lg['name']}.log"
    logger = optim.Logger(str(path))
    logger.setNames(lg["names"])
    for row in lg["rows"]:
        logger.add(row)
    logger.file.close()
    assert path.read_text() == lg["file_text"]


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"optim/{a}.json" for a in ALGORITHMS] + ["formats/optim_formats.json"]
