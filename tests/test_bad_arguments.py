"""Bad arguments never crash the interpreter: a seeded walk over every public torch function and
Tensor method with random bad arguments (None, huge and negative ints, NaN, strings, lists, empty
/ transposed / expanded / Half tensors ...) sees only TypeError, ValueError, IndexError,
RuntimeError, ZeroDivisionError, MemoryError or BufferError.

The walk runs in a subprocess under an address-space limit (_bad_args_child.py), so an abort or
an unbounded allocation fails the test instead of killing pytest or the machine; it is bounded in
time for CI. Ints stay within 64 bits: a Python int past that is refused by the binding layer's
own conversion (OverflowError, Python's error for "int too large to convert") before any of our
code runs; test_ints_past_64_bits_are_refused checks that it is at least an error.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import ferrotorch as torch
import pytest

CHILD = Path(__file__).with_name("_bad_args_child.py")
PYTHON_PATH = str(Path(torch.__file__).resolve().parents[1])


def _run(args, tmp_path, timeout=240):
    env = dict(os.environ, RUST_BACKTRACE="0")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PYTHON_PATH, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *args], check=False, capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=tmp_path)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_bad_arguments_raise_only_documented_errors(seed, tmp_path):
    report = tmp_path / "report.json"
    proc = _run([str(CHILD), str(seed), "120", str(report)], tmp_path)
    progress = (tmp_path / "report.json.progress").read_text().splitlines()
    assert proc.returncode == 0, (
        f"the walk died (rc {proc.returncode}) at {progress[-1] if progress else '?'}:\n"
        f"{proc.stderr[-2000:]}"
    )
    result = json.loads(report.read_text())
    assert result["bad"] == [], "\n".join(result["bad"][:40])
    assert len(progress) > 20000, "the walk must reach every function and method"


ISSUE_CASES = textwrap.dedent("""
    import resource, ferrotorch as torch
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    x = torch.DoubleTensor(2, 2).fill(1)
    p = torch.DoubleTensor([0.2, 0.8])
    cases = {
        "cat": lambda: torch.cat(x, x, 2**62),
        "cat_method": lambda: torch.DoubleTensor().cat(x, x, 2**62),
        "randperm": lambda: torch.randperm(2**62),
        "multinomial": lambda: torch.multinomial(p, 2**62, True),
        "multinomial_norepl": lambda: torch.multinomial(p, 2**62),
        "numel": lambda: torch.numel(3),
        "zeros": lambda: torch.zeros(2**62),
        "zeros_product": lambda: torch.zeros(2**31, 2**31, 2**31),
        "rand": lambda: torch.rand(2**40),
        "range": lambda: torch.range(0, 2**62),
        "linspace": lambda: torch.linspace(0, 1, 2**62),
        "tril": lambda: torch.tril(x, 2**63 - 1),
        "triu": lambda: torch.triu(x, -(2**63)),
        "repeat": lambda: torch.repeatTensor(x, 2**31, 2**31),
        "resize": lambda: x.clone().resize(2**62),
        "storage": lambda: torch.DoubleStorage(2**62),
        "expand": lambda: torch.expand(torch.Tensor(1, 1), 2**62, 2**62),
        "view": lambda: x.view(2**62, -1),
        "unfold": lambda: x.unfold(0, 1, 2**62),
        "narrow": lambda: x.narrow(0, 2**62, 2**62),
    }
    for name, f in cases.items():
        try:
            f()
            print(name, "ok")
        except (TypeError, ValueError, IndexError, RuntimeError, MemoryError) as e:
            print(name, type(e).__name__, str(e)[:100].replace(chr(10), ' '))
""")


def test_issue_cases_raise_clean_errors(tmp_path):
    proc = _run(["-c", ISSUE_CASES], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    for name in ["cat", "cat_method", "randperm", "multinomial", "multinomial_norepl", "zeros",
                 "zeros_product", "rand", "range", "linspace", "repeat", "resize", "storage",
                 "view", "narrow"]:
        assert not lines[name].startswith("ok"), f"{name} accepted an impossible size"
    assert lines["numel"].startswith("TypeError")
    assert lines["randperm"].startswith("ValueError") and "randperm" in lines["randperm"]
    assert lines["multinomial"].startswith("ValueError") and "multinomial" in lines["multinomial"]
    assert lines["cat"].startswith("IndexError") and "cat" in lines["cat"]
    # tril/triu with an extreme diagonal keep everything / nothing, as numpy does.
    assert lines["tril"] == "ok" and lines["triu"] == "ok"
    # a stride-0 view allocates nothing, but its element count must still fit in 64 bits
    assert lines["expand"].startswith("ValueError") and "too many elements" in lines["expand"]


def test_tril_triu_extreme_diagonals_match_numpy():
    np = pytest.importorskip("numpy")
    x = torch.DoubleTensor(3, 4).uniform()
    # numpy's own k overflows past 2**62, and any |k| >= 4 already keeps all or nothing of a
    # 3x4 matrix, so the extreme k must agree with numpy at k = +-1000.
    for k, np_k in [(2**63 - 1, 1000), (-(2**63), -1000), (2**40, 2**40), (-(2**40), -(2**40))]:
        np.testing.assert_array_equal(torch.tril(x, k).numpy(), np.tril(x.numpy(), np_k))
        np.testing.assert_array_equal(torch.triu(x, k).numpy(), np.triu(x.numpy(), np_k))


def test_ints_past_64_bits_are_refused():
    x = torch.DoubleTensor(2, 2)
    for call in [lambda: torch.zeros(2**64), lambda: x.narrow(0, 2**70, 1),
                 lambda: torch.cat(x, x, 2**64), lambda: torch.randperm(-(2**70))]:
        with pytest.raises((OverflowError, ValueError, TypeError, IndexError)):
            call()
