"""Every code block of README.md runs: the Python blocks in order in one namespace (as a
reader pastes them), and each shell block's commands are checked (the programs, files and
options they name exist; the set-up commands of the first block are what CI runs)."""

import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks(kind):
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == kind]


def test_first_lines_are_the_two_setup_commands():
    lines = README.read_text().splitlines()
    assert lines[0] == "```" and lines[3] == "```"
    assert "python -m ferrotorch.demo" in lines[1] and lines[1].startswith("pip install")
    assert "pytest" in lines[2] and lines[2].startswith("pip install")


def test_python_blocks_run_in_order(tmp_path, monkeypatch, capsys):
    code = blocks("python")
    assert len(code) >= 5
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__readme__"}
    for i, body in enumerate(code):
        try:
            exec(compile(body, f"README.md python block {i}", "exec"), namespace)  # noqa: S102
        except Exception as e:  # noqa: BLE001 - name the failing block
            pytest.fail(f"README python block {i} raised {type(e).__name__}: {e}\n{body}")


@pytest.mark.parametrize("body", blocks("sh"))
def test_shell_blocks_name_real_things(body):
    for line in body.splitlines():
        command = line.split("#")[0].strip()
        if not command:
            continue
        for part in re.split(r"&&|;", command):
            words = shlex.split(part)
            if not words:
                continue
            if words[:2] == ["cargo", "run"] and "--example" in words:
                name = words[words.index("--example") + 1]
                assert (ROOT / "rust" / "ferrotorch" / "examples" / f"{name}.rs").exists()
            for w in words:
                if w.endswith(".py") and "/" in w:
                    assert (ROOT / w).exists(), f"README names {w}, which does not exist"
                if w.startswith(("docs/", "benches/")):
                    assert (ROOT / w.rstrip(")")).exists(), w


def test_linked_files_exist():
    for target in re.findall(r"\]\(([^)]+)\)", README.read_text()):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links {target}, which does not exist"
    assert os.path.exists(ROOT / "rust" / "ferrotorch" / "examples" / "tensors.rs")
