"""Element-wise math against Lua Torch7's recorded results (tests/fixtures/torch7/math/<fn>.json).

Each recorded Lua call is translated to Python (`x:f(a)` -> `x.f(a)`, `torch.f(r, x)` with a
result tensor r -> `torch.f(x, out=r)`, 1-based narrow arguments -> 0-based) and run on fresh
copies of the recorded inputs. Calls whose operands have different shapes with the same element
count relied on Torch7's row-major walk; ferrotorch broadcasts instead (shared/DESIGN.md), so
those must raise ValueError (or, where the shapes broadcast, are skipped).
"""

import math
import re

import ferrotorch as torch
import pytest

GROUP_C = ["abs", "sign", "neg", "cinv", "exp", "log", "log1p", "cos", "acos", "cosh", "sin",
           "asin", "sinh", "tan", "atan", "tanh", "sqrt", "rsqrt", "sigmoid", "round", "ceil",
           "floor", "trunc", "frac"]
GROUP_D = ["add", "csub", "mul", "div", "cmul", "cdiv", "pow", "cpow", "fmod", "mod",
           "remainder", "cfmod", "cmod", "cremainder", "clamp", "addcmul", "addcdiv", "lerp",
           "atan2", "lshift", "rshift", "clshift", "crshift", "bitand", "bitor", "bitxor",
           "cbitand", "cbitor", "cbitxor", "cmax", "cmin"]
GROUP_I = ["lt", "le", "gt", "ge", "eq", "ne", "all", "any", "equal"]
RESULT_NAMES = re.compile(r"^r[a-z]?$")


def translate(call):
    code = call.split("--")[0].strip()
    code = re.sub(r":narrow\((\d+), (\d+), (\d+)\)",
                  lambda m: f".narrow({int(m[1]) - 1}, {int(m[2]) - 1}, {m[3]})", code)
    code = re.sub(r"(torch\.\w+Tensor)\{([^}]*)\}", r"\1([\2])", code)  # Lua table constructor
    code = code.replace(":", ".")
    m = re.match(r"^torch\.(\w+)\((\w+), (.*)\)$", code)
    if m and (RESULT_NAMES.match(m[2]) or (m[1] in GROUP_C and "," not in m[3])):
        code = f"torch.{m[1]}({m[3]}, out={m[2]})"  # Torch7's leading [res] argument
    return code


def number(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return v


def same_number(got, want, rel):
    want = number(want)
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(want, float) and math.isinf(want):
        return got == want
    return got == pytest.approx(want, rel=rel, abs=1e-300)


def check_tensor(got, spec, where):
    assert isinstance(got, torch.Tensor), where
    assert got.type() == spec["type"], where
    assert list(got.size()) == list(spec["size"]), where
    rel = 1e-6 if "Float" in spec["type"] else 1e-13
    flat = got.contiguous().view(-1).tolist() if got.dim() else []
    for i, (g, w) in enumerate(zip(flat, spec["data"])):
        if "Long" in spec["type"] and abs(number(w)) > 2 ** 53:
            assert float(g) == pytest.approx(number(w), rel=1e-15), (where, i)  # 2^63 shown as a double
            continue
        assert same_number(g, w, rel), (where, i, g, w)


@pytest.mark.parametrize("fn", GROUP_C + GROUP_D + GROUP_I)
def test_torch7_fixture(fn, load_fixture, from_json):
    data = load_fixture(f"math/{fn}.json")
    ran = 0
    for call in data["calls"]:
        env = {name: from_json(spec) for name, spec in data["inputs"].items()}
        env["torch"] = torch
        code = translate(call["call"])
        try:
            got = eval(code, env)
        except ValueError as e:
            # Same element count, shapes that do not broadcast: Torch7 walked both row-major.
            assert "broadcast" in str(e) or "destination" in str(e), (code, e)
            continue
        want = call["output"]
        if isinstance(want, dict) and "type" in want:
            if not (isinstance(got, torch.Tensor) and list(got.size()) == list(want["size"])):
                # A broadcast result where Torch7 kept the first operand's shape.
                assert "same nElement" in call["call"] or "yt" in code, (code, got)
                continue
            check_tensor(got, want, code)
        elif isinstance(want, bool):
            assert got is want, code
        else:
            assert same_number(got, want, 1e-12), (code, got, want)
        ran += 1
    assert ran >= 1


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"math/{n}.json" for n in GROUP_C + GROUP_D + GROUP_I]
