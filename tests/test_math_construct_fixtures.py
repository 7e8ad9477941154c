"""Torch7 goldens for construction (group A), index/shape helpers (group B), the Tensor.lua index
methods and the random functions (group J): each recorded Lua call, translated to ferrotorch's
0-based Python API, must give Torch7's result."""

import math

import ferrotorch as torch
import pytest
from conftest import _number, build_from_json

# Lua call (as recorded) -> Python expression over the fixture's inputs.
CALLS = {
    "zeros": {
        "torch.zeros(2, 3)": "torch.zeros(2, 3)",
        "torch.zeros(4)": "torch.zeros(4)",
        "torch.zeros(2, 1, 3)": "torch.zeros(2, 1, 3)",
        "torch.zeros(r, 3, 2)  -- [res] resized": "torch.zeros(3, 2, out=r)",
        "r:zeros(2, 2)  -- fill-self": "r.zeros(2, 2)",
        "ri:zeros(2, 3)": "ri.zeros(2, 3)",
        "rf:zeros(3)": "rf.zeros(3)",
        "torch.zeros(torch.LongStorage{2, 3})": "torch.zeros(torch.LongStorage([2, 3]))",
        "torch.zeros(ri, 2, 2)": "torch.zeros(2, 2, out=ri)",
    },
    "range": {
        "torch.range(1, 10, 3)  -- inclusive end": "torch.range(1, 10, 3)",
        "torch.range(5, 1, -2)": "torch.range(5, 1, -2)",
        "torch.range(0, 1, 0.3)": "torch.range(0, 1, 0.3)",
        "torch.range(-2, 3)": "torch.range(-2, 3)",
        "torch.range(2, 2)": "torch.range(2, 2)",
        "torch.range(r, 1, 6)  -- res with 6 elements keeps its 2x3 shape": "torch.range(1, 6, out=r)",
        "r:range(0, 5)": "r.range(0, 5)",
        "torch.range(rs, 1, 4)  -- res resized to 4": "torch.range(1, 4, out=rs)",
        "ri:range(-2, 3)": "ri.range(-2, 3)",
        "torch.range(ri, 10, 0, -2)": "torch.range(10, 0, -2, out=ri)",
        "torch.range(-1.5, 1.5, 0.5)": "torch.range(-1.5, 1.5, 0.5)",
    },
    "linspace": {
        "torch.linspace(0, 1, 5)": "torch.linspace(0, 1, 5)",
        "torch.linspace(-2.8767737809102982, 2, 7)": "torch.linspace(-2.8767737809102982, 2, 7)",
        "torch.linspace(3, -3, 4)": "torch.linspace(3, -3, 4)",
        "torch.linspace(2, 2, 1)": "torch.linspace(2, 2, 1)",
        "torch.linspace(r, -1, 1, 6)  -- keeps 2x3 shape": "torch.linspace(-1, 1, 6, out=r)",
        "r:linspace(0, 2, 3)": "r.linspace(0, 2, 3)",
        "rf:linspace(0, 1, 4)": "rf.linspace(0, 1, 4)",
        "torch.linspace(rf, -1, 1, 7)": "torch.linspace(-1, 1, 7, out=rf)",
        "torch.linspace(1, 2)  -- default n = 100": "torch.linspace(1, 2)",
    },
    "logspace": {
        "torch.logspace(0, 2, 5)": "torch.logspace(0, 2, 5)",
        "torch.logspace(-0.0072314757853746414, 1, 4)": "torch.logspace(-0.0072314757853746414, 1, 4)",
        "torch.logspace(1, -1, 3)": "torch.logspace(1, -1, 3)",
        "torch.logspace(r, 0, 3, 4)  -- keeps 2x2 shape": "torch.logspace(0, 3, 4, out=r)",
        "r:logspace(-1, 1, 5)": "r.logspace(-1, 1, 5)",
        "rf:logspace(0, 1, 3)": "rf.logspace(0, 1, 3)",
        "torch.logspace(0, 1)  -- default n = 100": "torch.logspace(0, 1)",
    },
    "eye": {
        "torch.eye(3)": "torch.eye(3)",
        "torch.eye(2, 4)": "torch.eye(2, 4)",
        "torch.eye(4, 2)": "torch.eye(4, 2)",
        "torch.eye(3, 0)  -- m <= 0 -> n": "torch.eye(3, 0)",
        "torch.eye(r, 3)": "torch.eye(3, out=r)",
        "r:eye(2, 3)": "r.eye(2, 3)",
        "ri:eye(3)": "ri.eye(3)",
        "rf:eye(2)": "rf.eye(2)",
        "torch.eye(1)": "torch.eye(1)",
    },
    "diag": {
        "torch.diag(v)": "torch.diag(v)",
        "torch.diag(v, 1)": "torch.diag(v, 1)",
        "torch.diag(v, -2)": "torch.diag(v, -2)",
        "torch.diag(x)": "torch.diag(x)",
        "torch.diag(x, 1)": "torch.diag(x, 1)",
        "torch.diag(x, -1)": "torch.diag(x, -1)",
        "torch.diag(x, 3)": "torch.diag(x, 3)",
        "torch.diag(x:t())": "torch.diag(x.t())",
        "torch.diag(x:t(), 1)": "torch.diag(x.t(), 1)",
        "x:diag(-2)": "x.diag(-2)",
        "v:diag()": "v.diag()",
        "torch.diag(r, v)": "r.diag(v)",
        "torch.diag(vi, -1)": "torch.diag(vi, -1)",
        "torch.diag(xi)": "torch.diag(xi)",
        "torch.diag(xf, 1)": "torch.diag(xf, 1)",
    },
    "reshape": {
        "torch.reshape(x, 2, 6)": "torch.reshape(x, 2, 6)",
        "torch.reshape(x, 12)": "torch.reshape(x, 12)",
        "torch.reshape(x, 2, 3, 2)": "torch.reshape(x, 2, 3, 2)",
        "torch.reshape(x:t(), 3, 4)  -- row-major order of the transposed view":
            "torch.reshape(x.t(), 3, 4)",
        "x:reshape(6, 2)": "x.reshape(6, 2)",
        "torch.reshape(r, x, 4, 3)": "torch.reshape(x, 4, 3, out=r)",
        "torch.reshape(xi, 3, 4)": "torch.reshape(xi, 3, 4)",
        "torch.reshape(xf, 2, 6)": "torch.reshape(xf, 2, 6)",
        "torch.reshape(x, torch.LongStorage{4, 3})": "torch.reshape(x, torch.LongStorage([4, 3]))",
    },
    "cat": {
        "torch.cat(x, y, 1)": "torch.cat(x, y, 0)",
        "torch.cat(x, z, 2)": "torch.cat(x, z, 1)",
        "torch.cat(x, z)  -- default: last dim": "torch.cat(x, z)",
        "torch.cat({x, y, x}, 1)": "torch.cat([x, y, x], 0)",
        "torch.cat({z, x}, 2)": "torch.cat([z, x], 1)",
        "torch.cat(v, w)": "torch.cat(v, w)",
        "torch.cat(v, w, 1)": "torch.cat(v, w, 0)",
        "torch.cat({v, w, v})": "torch.cat([v, w, v])",
        "x:cat(y, 1)": "x.cat(y, 0)",
        "torch.cat(r, x, y, 1)": "torch.cat(x, y, 0, out=r)",
        "torch.cat(x:t(), z:t(), 1)": "torch.cat(x.t(), z.t(), 0)",
        "torch.cat(x:narrow(2, 2, 2), z, 2)": "torch.cat(x.narrow(1, 1, 2), z, 1)",
        "torch.cat(xi, yi, 2)": "torch.cat(xi, yi, 1)",
        "torch.cat({xf, yf}, 1)": "torch.cat([xf, yf], 0)",
        "torch.cat(x, e, 1)  -- empty inputs are skipped": "torch.cat(x, e, 0)",
        "torch.cat(e, e)": "torch.cat(e, e)",
        "torch.cat(v, x:select(2, 1), 1)": "torch.cat(v, x.select(1, 0), 0)",
    },
    "gather": {
        "torch.gather(x, 1, idx1)": "torch.gather(x, 0, idx1)",
        "torch.gather(x, 2, idx2)": "torch.gather(x, 1, idx2)",
        "x:gather(2, idx2)": "x.gather(1, idx2)",
        "x:gather(1, idx1)": "x.gather(0, idx1)",
        "torch.gather(x:t(), 1, idx3)  -- non-contiguous source": "torch.gather(x.t(), 0, idx3)",
        "torch.gather(xi, 2, idx2)": "torch.gather(xi, 1, idx2)",
        "torch.gather(xf, 1, idx1)": "torch.gather(xf, 0, idx1)",
        "torch.gather(x:select(1, 2), 1, idxv)": "torch.gather(x.select(0, 1), 0, idxv)",
    },
    "scatter": {
        "x:scatter(1, idx1, src)": "x.scatter(0, idx1, src)",
        "x:scatter(2, idx2, src2)": "x.scatter(1, idx2, src2)",
        "x:scatter(1, idx1, 9.5)  -- scalar value": "x.scatter(0, idx1, 9.5)",
        "torch.scatter(x, 2, idx2, src2)": "torch.scatter(x, 1, idx2, src2)",
        "xi:scatter(1, idx1, srci)": "xi.scatter(0, idx1, srci)",
        "xi:scatter(2, idx2, -7)": "xi.scatter(1, idx2, -7)",
        "xf:scatter(1, idx1, srcf)": "xf.scatter(0, idx1, srcf)",
        "x:t():scatter(2, idx3, src3)  -- non-contiguous destination":
            "x.t().scatter(1, idx3, src3)",
    },
    "nonzero": {
        "torch.nonzero(x)  -- N x 2 subscripts (0-based in the JSON)": "torch.nonzero(x)",
        "x:nonzero()": "x.nonzero()",
        "torch.nonzero(x:t())": "torch.nonzero(x.t())",
        "torch.nonzero(v)  -- N x 1": "torch.nonzero(v)",
        "torch.nonzero(xi)": "torch.nonzero(xi)",
        "torch.nonzero(xb)  -- N x 3": "torch.nonzero(xb)",
        "torch.nonzero(z)  -- no non-zero element": "torch.nonzero(z)",
        "torch.nonzero(rl, xl)  -- [res] LongTensor": "torch.nonzero(xl, out=rl)",
        "rl:nonzero(xl)": "rl.nonzero(xl)",
        "torch.nonzero(xl)": "torch.nonzero(xl)",
    },
    "squeeze": {
        "torch.squeeze(a)": "torch.squeeze(a)",
        "torch.squeeze(a, 1)": "torch.squeeze(a, 0)",
        "torch.squeeze(a, 3)": "torch.squeeze(a, 2)",
        "torch.squeeze(a, 2)  -- dim of size 3: unchanged": "torch.squeeze(a, 1)",
        "a:squeeze()": "a.squeeze()",
        "a:squeeze(1)": "a.squeeze(0)",
        "torch.squeeze(b)": "torch.squeeze(b)",
        "torch.squeeze(b:t())": "torch.squeeze(b.t())",
        "torch.squeeze(ai)": "torch.squeeze(ai)",
        "torch.squeeze(af)": "torch.squeeze(af)",
        "torch.squeeze(one)  -- every dim 1: Torch7 returns a number": "torch.squeeze(one)",
    },
    "match": {
        "torch.match(m1, m2)": "torch.match(m1, m2)",
        "torch.match(m1, m2, 2)": "torch.match(m1, m2, 2)",
        "torch.match(m2, m1, 0.5)": "torch.match(m2, m1, 0.5)",
        "torch.match(m1f, m2f)": "torch.match(m1f, m2f)",
    },
    "index": {
        "x:index(1, idxr)": "x.index(0, idxr)",
        "x:index(2, idxc)": "x.index(1, idxc)",
        "x:t():index(1, idxc)": "x.t().index(0, idxc)",
        "x3:index(3, idxc)": "x3.index(2, idxc)",
        "xi:index(2, idxc)": "xi.index(1, idxc)",
        "xf:index(1, idxr)": "xf.index(0, idxr)",
        "v:index(1, idxc)": "v.index(0, idxc)",
    },
    "maskedSelect": {
        "x:maskedSelect(m)": "x.maskedSelect(m)",
        "x:maskedSelect(z)  -- empty result": "x.maskedSelect(z)",
        "x:maskedSelect(mv)  -- mask of another shape, same nElement": "x.maskedSelect(mv)",
        "x:t():maskedSelect(m:t())": "x.t().maskedSelect(m.t())",
        "xi:maskedSelect(m)": "xi.maskedSelect(m)",
        "xf:maskedSelect(m)": "xf.maskedSelect(m)",
        "x:maskedSelect(x:gt(0))":
            "x.maskedSelect(torch.fromNumpy((x.numpy() > 0).astype('uint8')))",
    },
    "multinomialAliasSetup": {
        "torch.multinomialAliasSetup(p)  -- {J, q}; J 0-based": "torch.multinomialAliasSetup(p)",
        "torch.multinomialAliasSetup(p5)": "torch.multinomialAliasSetup(p5)",
    },
}
# ones and tril/triu share their call lists' shapes with zeros / each other.
CALLS["ones"] = {k.replace("zeros", "ones"): v.replace("zeros", "ones")
                 for k, v in CALLS["zeros"].items()}


def _tri(name):
    calls = {}
    for k in ("x", "x, 1", "x, -1", "x, 5", "x, -4", "s, 2", "xi", "xi, -1", "xf, 1",
              "x:t()", "x:t(), 1"):
        calls[f"torch.{name}({k})"] = f"torch.{name}({k.replace(':t()', '.t()')})"
    calls[f"x:{name}()"] = f"x.{name}()"
    calls[f"x:{name}(-1)"] = f"x.{name}(-1)"
    calls[f"torch.{name}(r, x)"] = f"r.{name}(x)"
    return calls


CALLS["tril"] = _tri("tril")
CALLS["triu"] = _tri("triu")


def close(a, b, rel):
    a, b = _number(a), _number(b)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b or abs(a - b) <= rel * max(1.0, abs(b))


def check(got, want, where, rel):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for g, w in zip(got, want):
            check(g, w, where, rel)
        return
    if isinstance(want, dict):
        assert isinstance(got, torch.Tensor), f"{where}: got {got!r}"
        assert got.type() == want["type"], where
        assert list(got.size()) == want["size"], f"{where}: size {list(got.size())}"
        flat = got.contiguous().view(-1).tolist() if got.dim() else []
        assert len(flat) == len(want["data"]), where
        for g, w in zip(flat, want["data"]):
            assert close(g, w, rel), f"{where}: {flat} != {want['data']}"
        return
    assert close(got, want, rel), f"{where}: {got} != {want}"


@pytest.mark.parametrize("fn", sorted(CALLS))
def test_torch7_goldens(fn, load_fixture):
    data = load_fixture(f"math/{fn}.json")
    seen = 0
    for call in data["calls"]:
        expr = CALLS[fn].get(call["call"])
        assert expr is not None, f"untranslated call {call['call']!r}"
        env = {"torch": torch}
        env.update({k: build_from_json(v) for k, v in data["inputs"].items()})
        got = eval(expr, env)
        rel = 1e-6 if ("f" in expr and "xf" in expr or "rf" in expr or "m1f" in expr) else 1e-12
        want = call["output"]
        if isinstance(want, list) and isinstance(got, list):
            check(got, want, call["call"], rel)
        else:
            check(got, want, call["call"], rel)
        seen += 1
    assert seen == len(data["calls"])


# ------------------------------------------------------------------ random-number goldens

def _draws(expr, n):
    return [eval(expr, {"torch": torch}) for _ in range(n)]


RNG_CALLS = {
    "10 x torch.random()": ("torch.random()", 10),
    "10 x torch.random(6)": ("torch.random(6)", 10),
    "10 x torch.random(-3, 3)": ("torch.random(-3, 3)", 10),
    "torch.IntTensor(6):random(1, 10)": "torch.IntTensor(6).random(1, 10)",
    "torch.LongTensor(4):random(100)": "torch.LongTensor(4).random(100)",
    "torch.ByteTensor(6):random()": "torch.ByteTensor(6).random()",
    "torch.Tensor(4):random(5, 9)": "torch.Tensor(4).random(5, 9)",
    "torch.FloatTensor(3):random()": "torch.FloatTensor(3).random()",
    "torch.Tensor(3):random()": "torch.Tensor(3).random()",
    "torch.rand(5)": "torch.rand(5)",
    "torch.rand(2, 3)": "torch.rand(2, 3)",
    "torch.rand(torch.LongStorage{2, 2})": "torch.rand(torch.LongStorage([2, 2]))",
    "torch.rand(torch.FloatTensor(), 4)": "torch.rand(4, 'torch.FloatTensor')",
    "torch.FloatTensor(2, 2):rand(3)  -- fill-self: resized to 3": "torch.FloatTensor(2, 2).rand(3)",
    "torch.rand(1)": "torch.rand(1)",
    "torch.randn(5)": "torch.randn(5)",
    "torch.randn(2, 3)": "torch.randn(2, 3)",
    "torch.randn(torch.FloatTensor(), 4)": "torch.randn(4, out=torch.FloatTensor())",
    "torch.Tensor():randn(3)": "torch.Tensor().randn(3)",
    "torch.randn(1)": "torch.randn(1)",
    "torch.randn(3)": "torch.randn(3)",
    "torch.randperm(10)": "torch.randperm(10)",
    "torch.randperm(1)": "torch.randperm(1)",
    "torch.randperm(5)": "torch.randperm(5)",
    "torch.randperm(torch.LongTensor(), 6)": "torch.randperm(6, 'torch.LongTensor')",
    "torch.Tensor():randperm(4)": "torch.Tensor().randperm(4)",
    "10 x torch.normal()": ("torch.normal()", 10),
    "5 x torch.normal(10, 2)": ("torch.normal(10, 2)", 5),
    "torch.Tensor(5):normal()": "torch.Tensor(5).normal()",
    "torch.Tensor(2, 2):normal(-1, 0.5)": "torch.Tensor(2, 2).normal(-1, 0.5)",
    "torch.FloatTensor(3):normal(2, 3)": "torch.FloatTensor(3).normal(2, 3)",
    "3 x torch.normal()": ("torch.normal()", 3),
    "5 x torch.exponential(1)": ("torch.exponential(1)", 5),
    "5 x torch.exponential(2.5)": ("torch.exponential(2.5)", 5),
    "torch.Tensor(6):exponential(1)": "torch.Tensor(6).exponential(1)",
    "torch.FloatTensor(4):exponential(0.5)": "torch.FloatTensor(4).exponential(0.5)",
    "5 x torch.cauchy()": ("torch.cauchy()", 5),
    "5 x torch.cauchy(1, 2)": ("torch.cauchy(1, 2)", 5),
    "torch.Tensor(6):cauchy()": "torch.Tensor(6).cauchy()",
    "torch.FloatTensor(4):cauchy(-1, 0.5)": "torch.FloatTensor(4).cauchy(-1, 0.5)",
    "5 x torch.logNormal()": ("torch.logNormal()", 5),
    "5 x torch.logNormal(0, 0.5)": ("torch.logNormal(0, 0.5)", 5),
    "torch.Tensor(6):logNormal()": "torch.Tensor(6).logNormal()",
    "torch.Tensor(4):logNormal(1, 0.25)": "torch.Tensor(4).logNormal(1, 0.25)",
    "5 x torch.geometric(0.5)": ("torch.geometric(0.5)", 5),
    "5 x torch.geometric(0.1)": ("torch.geometric(0.1)", 5),
    "torch.Tensor(6):geometric(0.3)": "torch.Tensor(6).geometric(0.3)",
    "torch.IntTensor(4):geometric(0.7)": "torch.IntTensor(4).geometric(0.7)",
    "8 x torch.bernoulli()": ("torch.bernoulli()", 8),
    "8 x torch.bernoulli(0.2)": ("torch.bernoulli(0.2)", 8),
    "torch.Tensor(8):bernoulli(0.3)": "torch.Tensor(8).bernoulli(0.3)",
    "torch.ByteTensor(6):bernoulli()": "torch.ByteTensor(6).bernoulli()",
    "torch.Tensor(4):bernoulli(torch.Tensor{0.1, 0.5, 0.9, 0.3})  -- per-element p":
        "torch.Tensor(4).bernoulli(torch.Tensor([0.1, 0.5, 0.9, 0.3]))",
    "torch.Tensor(2, 2):bernoulli(torch.FloatTensor{0.9, 0.8, 0.1, 0.2})":
        "torch.Tensor(2, 2).bernoulli(torch.FloatTensor([0.9, 0.8, 0.1, 0.2]))",
    "torch.multinomial(torch.Tensor{0.1, 0.2, 0.7}, 10, true)":
        "torch.multinomial(torch.Tensor([0.1, 0.2, 0.7]), 10, True)",
    "torch.multinomial(torch.Tensor{1, 2, 3, 4}, 4)  -- without replacement: a permutation":
        "torch.multinomial(torch.Tensor([1, 2, 3, 4]), 4)",
    "torch.multinomial(torch.Tensor{0.5, 0.5, 0, 1}, 2)":
        "torch.multinomial(torch.Tensor([0.5, 0.5, 0, 1]), 2)",
    "torch.multinomial(torch.Tensor{{0.3, 0.7}, {0.9, 0.1}}, 5, true)  -- rows":
        "torch.multinomial(torch.Tensor([[0.3, 0.7], [0.9, 0.1]]), 5, True)",
    "torch.multinomial(torch.FloatTensor{0.2, 0.8}, 6, true)":
        "torch.multinomial(torch.FloatTensor([0.2, 0.8]), 6, True)",
    "torch.multinomialAlias(torch.LongTensor(10), torch.multinomialAliasSetup("
    "torch.Tensor{0.1, 0.2, 0.3, 0.4}))":
        "torch.multinomialAlias(torch.LongTensor(10), "
        "torch.multinomialAliasSetup(torch.Tensor([0.1, 0.2, 0.3, 0.4])))",
    # seed_123.json
    "20 x torch.uniform()": ("torch.uniform()", 20),
    "20 x torch.normal()": ("torch.normal()", 20),
    "20 x torch.random()": ("torch.random()", 20),
    "torch.randperm(10)  (values converted to 0-based: Lua value - 1)": "torch.randperm(10)",
    "torch.Tensor(8):exponential(1)": "torch.Tensor(8).exponential(1)",
    "torch.Tensor(8):cauchy()": "torch.Tensor(8).cauchy()",
    "torch.Tensor(8):logNormal()": "torch.Tensor(8).logNormal()",
    "torch.Tensor(8):geometric(0.5)": "torch.Tensor(8).geometric(0.5)",
    "torch.multinomial(torch.Tensor{0.1,0.2,0.7}, 10, true)  (0-based category indices)":
        "torch.multinomial(torch.Tensor([0.1, 0.2, 0.7]), 10, True)",
    "torch.uniform(-2, 3)": "torch.uniform(-2, 3)",
    "torch.normal(10, 2)": "torch.normal(10, 2)",
    "torch.random(1, 6)  (a die roll; this is a VALUE, not an index, so NOT shifted)":
        "torch.random(1, 6)",
    "torch.FloatTensor(4):uniform()": "torch.FloatTensor(4).uniform()",
    "torch.FloatTensor(4):normal()": "torch.FloatTensor(4).normal()",
    "torch.randperm(10) (0-based)": "torch.randperm(10)",
}
RNG_FILES = ["rand", "randn", "randperm", "random", "normal", "exponential", "cauchy",
             "logNormal", "geometric", "bernoulli", "multinomial", "multinomialAlias", "uniform"]


@pytest.mark.parametrize("name", [f"math_{f}" for f in RNG_FILES] + ["seed_123"])
def test_torch7_random_streams(name, load_fixture):
    data = load_fixture(f"rng/{name}.json")
    state = torch.getRNGState()
    try:
        torch.manualSeed(data["seed"])
        for step in data["sequence"]:
            call = step["call"]
            if call not in RNG_CALLS:
                assert call.startswith(("20 x torch.uniform", "10 x torch.uniform",
                                        "5 x torch.uniform", "torch.Tensor(",
                                        "torch.FloatTensor(")), call
                expr = call.replace(":", ".").replace("{", "([").replace("}", "])")
                if " x " in call:
                    n, e = call.split(" x ", 1)
                    got = _draws(e, int(n))
                else:
                    got = eval(expr, {"torch": torch})
            else:
                spec = RNG_CALLS[call]
                got = _draws(*spec) if isinstance(spec, tuple) else eval(spec, {"torch": torch})
            want = step["value"]
            rel = 1e-6 if "Float" in call else 1e-13
            check(got, want, call, rel)
    finally:
        torch.setRNGState(state)


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"math/{n}.json" for n in CALLS] + [
    f"rng/math_{f}.json" for f in RNG_FILES] + ["rng/seed_123.json"]
