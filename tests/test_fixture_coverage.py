"""Every recorded Torch7 fixture file is loaded by some test.

Each test module that reads fixtures declares the files it loads in a module-level list
`TORCH7_FIXTURES` (fnmatch patterns relative to tests/fixtures/torch7), computed where possible
from the very list that drives its loads (e.g. `[f"math/{n}.json" for n in CALLS]`), and
conftest's `load_fixture` refuses a file its module does not declare. This test reads the
declarations of every test module (a static check: it gives the same answer whether the suite
runs whole, in part or in parallel) and fails on

* a fixture file that no module declares (a recording nobody tests, e.g. a new file),
* a declared pattern that matches no file (a stale declaration),
* an AWAITING entry that a module now declares (the entry should be removed).

AWAITING lists the folders whose tests are being written on other branches, each with who owns
it; when such a branch is merged its test module must declare the files and the entry goes.
"""

import fnmatch
import importlib
import re
from pathlib import Path

from conftest import FIXTURES

TESTS = Path(__file__).resolve().parent
DECLARATION = re.compile(r"^TORCH7_FIXTURES\s*=", re.MULTILINE)

# pattern -> why no test on this branch loads it yet (owner and what it needs).
AWAITING: dict[str, str] = {}
# Documentation, not recordings.
NOT_RECORDINGS = ["*.md"]


def _files():
    return sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.is_file())


def _declarations():
    """{module name: TORCH7_FIXTURES} for every test module that declares the list."""
    out = {}
    for path in sorted(TESTS.glob("test_*.py")):
        if not DECLARATION.search(path.read_text()):
            continue
        module = importlib.import_module(path.stem)
        patterns = getattr(module, "TORCH7_FIXTURES", None)
        assert patterns, f"{path.name}: TORCH7_FIXTURES is empty"
        out[path.stem] = list(patterns)
    return out


def _matches(name, patterns):
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def test_every_fixture_file_is_loaded_by_some_test():
    declared = [p for ps in _declarations().values() for p in ps]
    missing = [f for f in _files()
               if not _matches(f, declared + NOT_RECORDINGS + list(AWAITING))]
    assert not missing, (
        f"{len(missing)} Torch7 fixture files are loaded by no test (add a test that loads each "
        f"and declare it in the module's TORCH7_FIXTURES): {missing}")


def test_declarations_name_existing_files():
    files = _files()
    stale = {m: [p for p in ps if not any(fnmatch.fnmatchcase(f, p) for f in files)]
             for m, ps in _declarations().items()}
    stale = {m: ps for m, ps in stale.items() if ps}
    assert not stale, f"TORCH7_FIXTURES patterns that match no fixture file: {stale}"


def test_awaiting_entries_are_still_awaited():
    declared = [p for ps in _declarations().values() for p in ps]
    files = _files()
    done = [pattern for pattern in AWAITING
            if (hit := [f for f in files if fnmatch.fnmatchcase(f, pattern)])
            and all(_matches(f, declared) for f in hit)]
    assert not done, f"AWAITING entries now declared by test modules, remove them: {done}"
    empty = [p for p in AWAITING if not any(fnmatch.fnmatchcase(f, p) for f in files)]
    assert not empty, f"AWAITING entries that match no fixture file: {empty}"


def test_the_check_sees_an_undeclared_file(tmp_path):
    """The matching itself: a file outside every pattern is reported, one inside is not."""
    declared = [p for ps in _declarations().values() for p in ps]
    assert _matches("math/mv.json", declared)
    assert not _matches("math/not_a_recording.json", declared + NOT_RECORDINGS + list(AWAITING))
    assert _matches("nn_zoo/README.md", NOT_RECORDINGS)


def test_every_module_that_loads_fixtures_declares_them():
    """A module that reads fixture files (through load_fixture, the nn_testing loaders or the
    FIXTURES path) must declare TORCH7_FIXTURES, or the coverage above would not count it."""
    loaders = ("load_fixture(", "zoo(", "nn_record(", "init_record(", "FIXTURES /",
               "check_init_record(")
    undeclared = []
    for path in sorted(TESTS.glob("test_*.py")):
        if path.name in ("test_fixture_coverage.py", "test_fixtures_vendored.py"):
            continue
        text = path.read_text()
        if any(s in text for s in loaders) and not DECLARATION.search(text):
            undeclared.append(path.name)
    assert not undeclared, f"test modules that load fixtures without TORCH7_FIXTURES: {undeclared}"
