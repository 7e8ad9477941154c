"""Group F reductions against Torch7's recorded results (tests/fixtures/torch7/math/<fn>.json).

Each Lua call string is translated to Python: 1-based dims and narrow starts become 0-based,
`x:f(...)` becomes `x.f(...)`, leading result tensors become `out=`. Indices are compared
exactly, or (where Torch7's unstable sort picked another one among equal values) through the
values they select.
"""

import math
import re

import ferrotorch as torch
import numpy as np
import pytest
from conftest import build_from_json

# function -> (tensor inputs, results, positions of dim arguments among the remaining ones)
SPEC = {
    "sum": (1, 1, [0]),
    "prod": (1, 1, [0]),
    "cumsum": (1, 1, [0]),
    "cumprod": (1, 1, [0]),
    "max": (1, 2, [0]),
    "min": (1, 2, [0]),
    "mean": (1, 1, [0]),
    "std": (1, 1, [0]),
    "var": (1, 1, [0]),
    "norm": (1, 1, [1]),
    "renorm": (1, 1, [1]),
    "dist": (2, 1, []),
    "median": (1, 2, [0]),
    "mode": (1, 2, [0]),
    "kthvalue": (1, 2, [1]),
    "sort": (1, 2, [0]),
    "topk": (1, 2, [1]),
    "trace": (1, 1, []),
    "cross": (2, 1, [0]),
    "histc": (1, 1, []),
    "bhistc": (1, 1, []),
}


def split_args(s):
    """Top-level comma split."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def tr_expr(e):
    """A Lua argument expression in Python (tensor views with 0-based arguments)."""
    e = e.strip()
    if e in ("true", "false"):
        return e.capitalize()
    m = re.fullmatch(r"(\w+):narrow\((\d+),\s*(\d+),\s*(\d+)\)", e)
    if m:
        return f"{m[1]}.narrow({int(m[2]) - 1}, {int(m[3]) - 1}, {m[4]})"
    e = re.sub(r":(t|float)\(\)", r".\1()", e)
    if e == "torch.Tensor()":
        return e
    return e


def is_tensor_expr(e, names):
    return re.match(r"\w+", e) is not None and re.match(r"\w+", e)[0] in names


def translate(call, names):
    """(python expression, output names or None, dim used or None, function)."""
    call = call.split("--")[0].strip()
    outs = None
    if "=" in call.split("(")[0]:
        lhs, call = call.split("=", 1)
        outs = [o.strip() for o in lhs.split(",")]
        call = call.strip()
    m = re.fullmatch(r"torch\.(\w+)\((.*)\)", call)
    if m:
        fn, args, obj = m[1], split_args(m[2]), None
    else:
        m = re.fullmatch(r"(\w+):(\w+)\((.*)\)", call)
        obj, fn, args = m[1], m[2], split_args(m[3])
    nin, _nout, dimpos = SPEC[fn]
    lead = 0
    while lead < len(args) and is_tensor_expr(args[lead], names):
        lead += 1
    results = []
    if obj is None:
        if lead > nin:
            results = args[: lead - nin]
            args = args[lead - nin :]
        inputs, rest = args[:nin], args[nin:]
    else:
        have = lead + 1  # the receiver counts
        if have > nin:
            results = [obj] + args[: have - nin - 1]
            inputs = args[have - nin - 1 : lead]
            rest = args[lead:]
            obj = None
        else:
            inputs, rest = args[: nin - 1], args[nin - 1 :]
    rest = [tr_expr(a) for a in rest]
    dim = None
    for p in dimpos:
        if p < len(rest) and rest[p] not in ("True", "False"):
            rest[p] = str(int(rest[p]) - 1)
            dim = int(rest[p])
    parts = [tr_expr(a) for a in inputs] + rest
    if results:
        r = [tr_expr(a) for a in results]
        parts.append("out=" + (f"({', '.join(r)})" if len(r) > 1 else r[0]))
    if obj is None:
        expr = f"torch.{fn}({', '.join(parts)})"
        src = tr_expr(inputs[0]) if inputs else None
    else:
        expr = f"{obj}.{fn}({', '.join(parts)})"
        src = obj
    return expr, outs, dim, fn, src


def num(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return v


def expected_array(spec):
    return np.array([num(v) for v in spec["data"]], dtype=float).reshape(spec["size"])


def close(a, b, tol):
    return np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


FUNCS = sorted(SPEC)

# Calls whose values match Torch7 but whose index among tied values does not: Torch7's kthvalue
# and median select with its in-place quickselect (THTensor_(quickselect), median-of-three
# partitioning), so which of several equal values it reports depends on that partition order;
# ours reports another tied position. The values are checked above; the indices are the strict
# xfail below until kthvalue/median reproduce Torch7's partition order (ops/reduce.rs).
TIE_DIVERGENCES = {
    "values, indices = torch.kthvalue(tm, 3, 2)  -- ties": ("kthvalue", "math/kthvalue.json"),
    "values, indices = torch.kthvalue(vt, 4)": ("kthvalue", "math/kthvalue.json"),
    "values, indices = torch.median(tm, 2)  -- ties": ("median", "math/median.json"),
    "values, indices = torch.median(tm, 1)": ("median", "math/median.json"),
    "values, indices = torch.median(vt)": ("median", "math/median.json"),
}


@pytest.mark.parametrize("fn", FUNCS)
def test_torch7_fixture(fn, load_fixture):
    data = load_fixture(f"math/{fn}.json")
    checked = 0
    for call in data["calls"]:
        env = {k: build_from_json(v) for k, v in data["inputs"].items()}
        env["torch"] = torch
        expr, _outs, dim, f, src = translate(call["call"], set(data["inputs"]))
        got = eval(expr, env)
        want = call["output"]
        float_call = "float" in call["call"] or "xf" in call["call"] or "Float" in str(want)
        tol = 1e-5 if float_call else 1e-10
        ctx = f"{call['call']} -> {expr}"
        if not isinstance(want, dict) or "data" in want:
            if isinstance(got, tuple):
                got = got[0]  # Lua kept only the first result
            if isinstance(want, dict):
                assert got.type() == want["type"], ctx
                assert tuple(got.size()) == tuple(want["size"]), ctx
                assert close(np.array(got.tolist(), dtype=float), expected_array(want), tol), ctx
            else:
                assert isinstance(got, (int, float)), ctx
                if fn == "dist" and "0)" in call["call"]:
                    # DESIGN choice: p = 0 counts the differing elements (Torch7 gave inf).
                    continue
                assert close(got, num(want), tol), (ctx, got, want)
            checked += 1
            continue
        vals, idx = got
        wv, wi = want["values"], want["indices"]
        assert vals.type() == wv["type"] and idx.type() == "torch.LongTensor", ctx
        assert tuple(vals.size()) == tuple(wv["size"]), ctx
        gv = np.array(vals.tolist(), dtype=float)
        ev = expected_array(wv)
        gi = np.array(idx.tolist())
        ei = expected_array(wi).astype(int)
        x = np.array(eval(src, env).tolist(), dtype=float)
        unordered = (
            f == "topk" and "true, true" not in call["call"] and "false, true" not in call["call"]
        )
        if unordered or (f == "sort" and np.isnan(x).any()):
            # topk with sort=false: Torch7's order is unspecified (ours is sorted). sort with NaN:
            # Torch7's quicksort put NaN wherever its comparisons left it; ours is always last.
            gv, ev = np.sort(gv, axis=-1), np.sort(ev, axis=-1)
            gi, ei = np.sort(gi, axis=-1), np.sort(ei, axis=-1)
        assert close(gv, ev, tol), (ctx, gv, ev)
        if call["call"] in TIE_DIVERGENCES:
            # Values agree; the index among tied values differs (test_tie_indices_match_torch7).
            axis = dim if dim is not None else x.ndim - 1
            picked = np.take_along_axis(x, gi, axis=axis)
            assert close(picked, ev, tol), (ctx, gi, ei)
        else:
            # Torch7's recorded indices, ties included.
            np.testing.assert_array_equal(gi, ei, err_msg=ctx)
        checked += 1
    assert checked > 3


@pytest.mark.xfail(strict=True, reason="bug: kthvalue/median report another index than Torch7's "
                   "among tied values (Torch7's quickselect partition order is not reproduced)")
@pytest.mark.parametrize("call", sorted(TIE_DIVERGENCES))
def test_tie_indices_match_torch7(call, load_fixture):
    path = TIE_DIVERGENCES[call][1]
    data = load_fixture(path)
    (rec,) = [c for c in data["calls"] if c["call"] == call]
    env = {k: build_from_json(v) for k, v in data["inputs"].items()}
    env["torch"] = torch
    expr = translate(call, set(data["inputs"]))[0]
    _, idx = eval(expr, env)
    np.testing.assert_array_equal(np.array(idx.tolist()),
                                  expected_array(rec["output"]["indices"]).astype(int))


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"math/{n}.json" for n in SPEC]
