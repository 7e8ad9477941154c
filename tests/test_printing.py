"""Golden printing tests: every case of Torch7's print/print_cases.json, labels made 0-based."""

import json
import re

import ferrotorch as torch
import pytest
from conftest import FIXTURES, build_from_json

CASES_FILE = FIXTURES / "print" / "print_cases.json"
CASES = json.loads(CASES_FILE.read_text())["cases"] if CASES_FILE.is_file() else []


def zero_based_labels(text):
    def columns(m):
        return f"Columns {int(m.group(1)) - 1} to {int(m.group(2)) - 1}"

    def slice_header(m):
        parts = [p if p == "." else str(int(p) - 1) for p in m.group(1).split(",")]
        return "(" + ",".join(parts) + ") = "

    text = re.sub(r"Columns (\d+) to (\d+)", columns, text)
    return re.sub(r"^\(([\d,.]+)\) = ", slice_header, text, flags=re.MULTILINE)


def expected_text(case):
    text = case["text"]
    assert text.endswith("\n")
    return zero_based_labels(text[:-1])


def test_all_26_cases_present(fixtures_dir):
    assert len(CASES) == 26


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_print_case(fixtures_dir, case):
    x = build_from_json(case["construct"])
    assert x.type() == case["construct"]["type"]
    assert str(x) == expected_text(case)
    assert repr(x) == expected_text(case)


def test_transposed_case_is_a_real_transposed_view(fixtures_dir):
    (case,) = [c for c in CASES if c["name"] == "transposed"]
    x = build_from_json(case["construct"])
    assert x.stride() == (1, 3)
    assert not x.isContiguous()
    base = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    assert str(base.t()) == expected_text(case)


def test_labels_are_zero_based():
    x = torch.DoubleTensor(2, 1, 2, 2).zero()
    text = str(x)
    assert "(0,0,.,.) = " in text and "(1,0,.,.) = " in text
    assert "(2," not in text and "(1,1," not in text
    wide = torch.DoubleTensor(1, 30).zero()
    w = str(wide)
    # zeros print as %2d: floor(80 / 3) = 26 columns per block
    assert w.startswith("Columns 0 to 25\n")
    assert "\n\nColumns 26 to 29\n" in w
    wide = torch.DoubleTensor(1, 30).fill(0.5)
    w = str(wide)
    assert w.startswith("Columns 0 to 9\n")
    assert "\nColumns 20 to 29\n" in w


def test_no_trailing_newline_anywhere():
    for x in (torch.DoubleTensor(), torch.DoubleTensor([1]), torch.ByteStorage(2).fill(1),
              torch.DoubleTensor(2, 2, 2).fill(1)):
        assert not str(x).endswith("\n")


def test_zero_size_dims_print_footer():
    assert str(torch.DoubleTensor(3, 0)) == "[torch.DoubleTensor of size 3x0]"


@pytest.mark.parametrize("name", ["Byte", "Char", "Short", "Int", "Long", "Float", "Double", "Half"])
def test_every_type_prints_its_name(name):
    t = getattr(torch, name + "Tensor")(2).fill(1)
    assert str(t) == f" 1\n 1\n[torch.{name}Tensor of size 2]"
    s = getattr(torch, name + "Storage")(2).fill(1)
    assert str(s) == f" 1\n 1\n[torch.{name}Storage of size 2]"


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["print/print_cases.json"]
