"""The vendored Torch7 goldens (tests/fixtures/torch7) must equal the shared upstream copy.

Where ../shared/fixtures/torch7 exists (the development machines), any file added, removed or
changed there without re-vendoring fails here, so a fixture update is never silently missed.
"""

import filecmp

import pytest
from conftest import FIXTURES, SHARED_FIXTURES


def _files(root):
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_vendored_fixtures_present():
    assert (FIXTURES / "README.md").is_file()
    for area in ("math", "rng", "print", "nn", "nn_zoo", "optim", "init", "train", "t7", "image"):
        assert (FIXTURES / area).is_dir(), f"vendored fixtures lack {area}/"


def test_vendored_fixtures_match_shared_copy():
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"no upstream fixtures folder at {SHARED_FIXTURES} to compare against")
    ours, theirs = _files(FIXTURES), _files(SHARED_FIXTURES)
    assert ours == theirs, (
        f"vendored fixtures differ from {SHARED_FIXTURES}: only upstream {sorted(theirs - ours)}, "
        f"only vendored {sorted(ours - theirs)}; re-copy the folder into tests/fixtures/torch7"
    )
    changed = [f for f in sorted(ours) if not filecmp.cmp(FIXTURES / f, SHARED_FIXTURES / f,
                                                          shallow=False)]
    assert not changed, f"vendored fixtures differ from {SHARED_FIXTURES} in {changed}"
