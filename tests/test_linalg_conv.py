"""Convolutions (group G): conv2/xcorr2/conv3/xcorr3 against scipy.signal and numpy, Torch7
fixtures, batched forms, method forms, out= and errors."""

import itertools

import ferrotorch as torch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def T(a):
    return torch.fromNumpy(np.ascontiguousarray(a).copy())


def correlate_nd(x, k, full):
    """Reference n-D cross-correlation with numpy only ('V' valid or 'F' full)."""
    if full:
        x = np.pad(x, [(s - 1, s - 1) for s in k.shape])
    out_shape = tuple(a - b + 1 for a, b in zip(x.shape, k.shape))
    out = np.zeros(out_shape, dtype=np.result_type(x, k))
    for off in itertools.product(*(range(s) for s in k.shape)):
        sl = tuple(slice(o, o + n) for o, n in zip(off, out_shape))
        out += x[sl] * k[off]
    return out


def reference(x, k, full, flip):
    if flip:
        k = k[(slice(None, None, -1),) * k.ndim]
    return correlate_nd(x, k, full)


@settings(deadline=None, max_examples=50)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), st.integers(1, 4),
       st.sampled_from(["V", "F"]), st.booleans(), st.booleans(), st.integers(0, 10**6))
def test_conv2_xcorr2_against_scipy(h, w, kh, kw, mode, transposed, flip, seed):
    signal = pytest.importorskip("scipy.signal", reason="scipy.signal is the reference")
    if mode == "V" and (kh > h or kw > w):
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w))
    k = rng.standard_normal((kh, kw))
    tx = T(x.T).t() if transposed else T(x)
    got = (torch.conv2 if flip else torch.xcorr2)(tx, T(k), mode).numpy()
    sp = "full" if mode == "F" else "valid"
    want = signal.convolve2d(x, k, sp) if flip else signal.correlate2d(x, k, sp)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@settings(deadline=None, max_examples=30)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 5), st.integers(1, 3),
       st.sampled_from(["V", "F"]), st.booleans(), st.sampled_from([2, 3]),
       st.sampled_from([np.float32, np.float64]), st.integers(0, 10**6))
def test_batched_forms(p, q, size, ksize, mode, flip, nd, dtype, seed):
    if mode == "V" and ksize > size:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((p,) + (size,) * nd).astype(dtype)
    k3 = rng.standard_normal((p,) + (ksize,) * nd).astype(dtype)
    k4 = rng.standard_normal((q, p) + (ksize,) * nd).astype(dtype)
    fn = {(2, True): torch.conv2, (2, False): torch.xcorr2,
          (3, True): torch.conv3, (3, False): torch.xcorr3}[nd, flip]
    full = mode == "F"
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}
    got = fn(T(x), T(k3), mode).numpy()
    want = np.stack([reference(x[i], k3[i], full, flip) for i in range(p)])
    np.testing.assert_allclose(got, want, **tol)
    got = fn(T(x), T(k4), mode).numpy()
    want = np.stack([sum(reference(x[i], k4[j, i], full, flip) for i in range(p))
                     for j in range(q)])
    np.testing.assert_allclose(got, want, **tol)


@pytest.mark.parametrize("name", ["IntTensor", "LongTensor", "ShortTensor"])
def test_integer_types(name):
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, (5, 6))
    k = rng.integers(-3, 3, (2, 3))
    cls = getattr(torch, name)
    got = torch.conv2(T(x).type("torch." + name), T(k).type("torch." + name), "F")
    assert got.type() == "torch." + name
    np.testing.assert_array_equal(np.array(got.tolist()), reference(x, k, True, True))
    assert cls is not None


def test_large_input_blocks_and_threads():
    signal = pytest.importorskip("scipy.signal", reason="scipy.signal is the reference")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 280)).astype(np.float32)
    k = rng.standard_normal((7, 5)).astype(np.float32)
    got = torch.conv2(T(x), T(k), "F").numpy()
    np.testing.assert_allclose(got, signal.convolve2d(x, k, "full"), rtol=1e-3, atol=1e-3)
    xs = rng.standard_normal((4, 60, 60))
    ks = rng.standard_normal((4, 5, 5))
    got = torch.xcorr2(T(xs), T(ks)).numpy()
    want = np.stack([signal.correlate2d(xs[i], ks[i], "valid") for i in range(4)])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_methods_and_out():
    x = torch.Tensor([[1, 2, 3], [4, 5, 6]])
    k = torch.Tensor([[1, 1]])
    assert x.xcorr2(k).tolist() == [[3.0, 5.0], [9.0, 11.0]]
    assert x.conv2(k, "F").size() == (2, 4)
    r = torch.Tensor()
    assert r.xcorr2(x, k) is r and r.tolist() == [[3.0, 5.0], [9.0, 11.0]]
    r2 = torch.Tensor(9)
    assert torch.conv2(x, k, out=r2) is r2 and r2.tolist() == [[3.0, 5.0], [9.0, 11.0]]
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_errors():
    x = torch.Tensor(3, 3)
    with pytest.raises(ValueError, match="larger"):
        torch.conv2(x, torch.Tensor(4, 1))
    assert torch.conv2(x, torch.Tensor(4, 1), "F").size() == (6, 3)
    with pytest.raises(ValueError, match="'F' or 'V'"):
        torch.conv2(x, torch.Tensor(1, 1), "X")
    with pytest.raises(ValueError, match="do not fit"):
        torch.conv2(torch.Tensor(2, 3, 3), torch.Tensor(3, 1, 1))
    with pytest.raises(ValueError, match="do not fit"):
        torch.conv3(x, torch.Tensor(1, 1))
    with pytest.raises(TypeError):
        torch.conv2(x, torch.FloatTensor(1, 1))
    with pytest.raises(TypeError, match="HalfTensor"):
        torch.conv2(torch.HalfTensor(2, 2), torch.HalfTensor(1, 1))
    with pytest.raises(ValueError):
        torch.conv2(x, torch.Tensor(0, 1))


def _fixture_calls(name):
    fn = getattr(torch, name)

    def parse_args(text, env):
        args = []
        for a in [s.strip() for s in text.split(",")]:
            if a.startswith("'"):
                args.append(a.strip("'"))
            elif ":t()" in a:
                args.append(env[a.split(":")[0]].t())
            elif ":transpose(1, 3)" in a:
                args.append(env[a.split(":")[0]].transpose(0, 2))
            else:
                args.append(env[a])
        return args

    def run(call, env):
        text = call.split("--")[0].strip()
        if text.startswith("x:"):
            inner = text[len(f"x:{name}("):-1]
            args = [a.strip() for a in inner.split(",")]
            return env["x"].__getattribute__(name)(*parse_args(", ".join(args), env))
        inner = text[len(f"torch.{name}("):-1]
        args = [a.strip() for a in inner.split(",")]
        if args[0] == "r":
            return fn(*parse_args(", ".join(args[1:]), env), out=env["r"])
        # "x:transpose(1, 3)" contains a comma: rejoin it
        joined = ", ".join(args).replace("transpose(1, 3)", "transpose(1@3)")
        parts = [p.replace("transpose(1@3)", "transpose(1, 3)") for p in joined.split(", ")]
        return fn(*[parse_args(p, env)[0] if ":transpose" not in p else
                    env[p.split(":")[0]].transpose(0, 2) for p in parts])

    return run


@pytest.mark.parametrize("name", ["conv2", "xcorr2", "conv3", "xcorr3"])
def test_torch7_fixtures(name, load_fixture, from_json):
    fx = load_fixture(f"math/{name}.json")
    run = _fixture_calls(name)
    for call in fx["calls"]:
        env = {k: from_json(v) for k, v in fx["inputs"].items()}
        got = run(call["call"], env)
        want = from_json(call["output"])
        assert got.type() == want.type(), call["call"]
        assert got.size() == want.size(), call["call"]
        np.testing.assert_allclose(np.array(got.tolist()), np.array(want.tolist()),
                                   rtol=1e-5, atol=1e-5, err_msg=call["call"])


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_many_planes_split_over_threads(threads):
    # Large enough that each thread unrolls and multiplies its own blocks of output lines
    # (cpu/conv.rs), with line counts that do not divide evenly; 2-D and 3-D, both modes.
    rng = np.random.default_rng(threads)
    cases = [(torch.xcorr2, (6, 40, 37), (5, 6, 4, 3), "V", False),
             (torch.conv2, (6, 40, 37), (5, 6, 4, 3), "F", True),
             (torch.xcorr3, (3, 12, 14, 10), (4, 3, 3, 4, 2), "V", False),
             (torch.conv3, (3, 12, 14, 10), (4, 3, 3, 4, 2), "F", True)]
    before = torch.getnumthreads()
    torch.setnumthreads(threads)
    try:
        for fn, xs, ks, mode, flip in cases:
            x, k = rng.standard_normal(xs), rng.standard_normal(ks)
            got = fn(T(x), T(k), mode).numpy()
            want = np.stack([sum(reference(x[i], k[j, i], mode == "F", flip)
                                 for i in range(xs[0])) for j in range(ks[0])])
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    finally:
        torch.setnumthreads(before)


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"math/{n}.json" for n in ("conv2", "xcorr2", "conv3", "xcorr3")]
