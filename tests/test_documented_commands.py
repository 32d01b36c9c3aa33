"""Every command the docs give works in a fresh shell, where `uv` (in ~/.local/bin) is not on the PATH."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "operations.md", ROOT / "bench" / "README.md"]
INLINE_MAKE = re.compile(r"`(make [^`]+)`")
FENCED_MAKE = re.compile(r"^(make [^#\n]+)", re.MULTILINE)
BARE_UV = re.compile(r"(?<![/\w])uv run")


def _documented_make_commands() -> list[tuple[str, str]]:
    commands = []
    for doc in DOCS:
        text = doc.read_text()
        for found in INLINE_MAKE.findall(text) + FENCED_MAKE.findall(text):
            commands.append((doc.relative_to(ROOT).as_posix(), found.strip()))
    return sorted(set(commands))


def test_docs_never_call_uv_by_a_bare_name() -> None:
    bare = [doc.relative_to(ROOT).as_posix() for doc in DOCS if BARE_UV.search(doc.read_text())]
    assert not bare, f"`uv run …` fails in a fresh shell; use a make target or ~/.local/bin/uv: {bare}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("doc", "command"), _documented_make_commands())
def test_documented_make_command_resolves_in_a_fresh_shell(doc: str, command: str) -> None:
    fresh = {"HOME": os.environ["HOME"], "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["make", "-n", *shlex.split(command)[1:]],
        cwd=ROOT,
        env=fresh,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{doc}: `{command}` → {result.stderr}"
    for line in result.stdout.splitlines():
        assert not re.match(r"(\S+=\S+ )*uv ", line), f"{doc}: `{command}` calls uv by a bare name: {line}"
