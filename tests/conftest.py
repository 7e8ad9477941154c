"""Shared fixtures: where the Torch7 golden files live, and helpers to read them.

The goldens are vendored in tests/fixtures/torch7/ (recorded from Lua Torch7; README.md there
gives the provenance) so that a fresh clone runs every test; test_fixtures_vendored.py checks
that the copy still matches ../shared/fixtures/torch7 where that folder exists.
"""

import fnmatch
import json
import math
from pathlib import Path

import ferrotorch as torch
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "torch7"
# The upstream folder the vendored copy comes from (present on the development machines only).
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "torch7"


def _number(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return v


@pytest.fixture(scope="session")
def fixtures_dir():
    """The vendored Torch7 fixtures folder (tests/fixtures/torch7)."""
    # A missing folder is a broken checkout, not a reason to skip: fail loudly.
    assert FIXTURES.is_dir(), f"Torch7 fixtures folder not found at {FIXTURES}"
    return FIXTURES


def declared(module, relpath):
    """Whether a test module's TORCH7_FIXTURES patterns name this fixture file."""
    return any(fnmatch.fnmatchcase(relpath, p) for p in getattr(module, "TORCH7_FIXTURES", ()))


@pytest.fixture
def load_fixture(fixtures_dir, request):
    """load_fixture('rng/seed_123.json') -> the parsed JSON (floats parse exactly).

    The requesting test module must list the file in its TORCH7_FIXTURES, so that
    test_fixture_coverage.py can tell from the declarations alone which files some test loads."""

    def load(relpath):
        assert declared(request.module, relpath), (
            f"{request.module.__name__} loads fixture {relpath!r} without declaring it: add it "
            f"to the module's TORCH7_FIXTURES list (see test_fixture_coverage.py)")
        path = fixtures_dir / relpath
        assert path.is_file(), f"fixture {path} not found"
        with open(path) as f:
            return json.load(f)

    return load


def build_from_json(spec):
    """A tensor or storage from fixture JSON: {type, size, stride?, data} (data row-major)."""
    cls = getattr(torch, spec["type"].split(".")[1])
    data = [_number(v) for v in spec["data"]]
    if spec["type"].endswith("Storage"):
        return cls(data)
    size = list(spec["size"])
    if not size:
        return cls()
    stride = spec.get("stride")
    contiguous = torch.DoubleTensor(data).view(*size)
    if stride is None:
        return cls(*size).copy(contiguous)
    extent = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if 0 not in size else 0
    storage = getattr(torch, spec["type"].split(".")[1].replace("Tensor", "Storage"))(extent)
    t = cls(storage, 0, tuple(size), tuple(stride))
    t.copy(contiguous)
    return t


@pytest.fixture(scope="session")
def from_json():
    return build_from_json
