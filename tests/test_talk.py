"""The Torch7 talk's tensor walk-through (TALK.md, "Tensors and storages")."""

import re

import ferrotorch as torch


def zero_based_labels(text):
    """Torch7's 1-based slice / column labels rewritten 0-based, as ferrotorch prints them."""

    def columns(m):
        return f"Columns {int(m.group(1)) - 1} to {int(m.group(2)) - 1}"

    def slice_header(m):
        parts = [p if p == "." else str(int(p) - 1) for p in m.group(1).split(",")]
        return "(" + ",".join(parts) + ") = "

    text = re.sub(r"Columns (\d+) to (\d+)", columns, text)
    return re.sub(r"^\(([\d,.]+)\) = ", slice_header, text, flags=re.MULTILINE)


def print_case(load_fixture, name):
    cases = load_fixture("print/print_cases.json")["cases"]
    (case,) = [c for c in cases if c["name"] == name]
    return case


def test_walkthrough_first_value_matches_seed_123(load_fixture):
    seq = load_fixture("rng/seed_123.json")["sequence"]
    first_uniform = next(e for e in seq if e["name"] == "uniform_x20")["value"][0]
    torch.manualSeed(123)
    a = torch.DoubleTensor(4, 6)
    assert a.uniform() is a
    assert a[0, 0] == first_uniform
    assert a.storage()[0] == first_uniform


def test_walkthrough_values_are_torch7s(load_fixture):
    case = print_case(load_fixture, "2d_4x6_uniform")
    torch.manualSeed(123)
    a = torch.DoubleTensor(4, 6).uniform()
    assert [v for row in a.tolist() for v in row] == case["construct"]["data"]


def test_walkthrough_print_matches_torch7(load_fixture):
    case = print_case(load_fixture, "2d_4x6_uniform")
    torch.manualSeed(123)
    a = torch.DoubleTensor(4, 6)
    a.uniform()
    expected = zero_based_labels(case["text"]).removesuffix("\n")
    assert str(a) == expected
    assert repr(a) == expected
    assert str(a).endswith("[torch.DoubleTensor of size 4x6]")


def test_walkthrough_select_is_a_view_and_fill_shows_in_parent():
    torch.manualSeed(123)
    a = torch.DoubleTensor(4, 6).uniform()
    before = a.tolist()
    b = a.select(0, 2)
    assert b.dim() == 1
    assert b.size() == (6,)
    assert b.tolist() == before[2]
    assert b.storage().size() == a.storage().size()
    assert b.storageOffset() == 12
    assert str(b).endswith("[torch.DoubleTensor of size 6]")
    assert b.fill(3) is b
    after = a.tolist()
    assert after[2] == [3.0] * 6
    assert after[:2] == before[:2] and after[3:] == before[3:]
    lines = str(a).split("\n")
    assert lines[2] == " 3.0000  3.0000  3.0000  3.0000  3.0000  3.0000"
    assert lines[-1] == "[torch.DoubleTensor of size 4x6]"


def test_print_of_row_after_fill():
    a = torch.DoubleTensor(4, 6).zero()
    b = a.select(0, 2).fill(3)
    assert str(b) == "\n".join([" 3"] * 6 + ["[torch.DoubleTensor of size 6]"])


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["print/print_cases.json", "rng/seed_123.json"]
