"""A workspace that is a git work tree: where git apply would convert what it writes,
Vetline refuses instead of writing other bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.gitrepo import GitRepo
from helpers.parity import compare_apply

NEW_FILE = b"diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n"


@pytest.mark.parametrize(
    ("attributes", "config", "body", "git_converts"),
    [
        ("*.txt eol=crlf\n", {}, b"@@ -0,0 +1,2 @@\n+x\n+y\n", True),
        ("*.txt eol=crlf\n", {}, b"@@ -0,0 +1,2 @@\n+x\r\n+y\r\n", False),
        ("*.txt text\n", {"core.eol": "crlf"}, b"@@ -0,0 +1 @@\n+x\n", True),
        ("", {"core.autocrlf": "true"}, b"@@ -0,0 +1 @@\n+x\n", True),
        ("", {"core.autocrlf": "input"}, b"@@ -0,0 +1 @@\n+x\n", False),
        ("*.txt -text\n", {"core.autocrlf": "true"}, b"@@ -0,0 +1 @@\n+x\n", False),
        ("*.txt ident\n", {}, b"@@ -0,0 +1 @@\n+$Id$\n", True),
        ("", {}, b"@@ -0,0 +1 @@\n+x\n", False),
    ],
    ids=[
        "eol-crlf",
        "already-crlf",
        "text-core-eol",
        "autocrlf",
        "input",
        "minus-text",
        "ident",
        "none",
    ],
)
def test_git_conversions_are_refused_never_skipped(
    tmp_path: Path, attributes: str, config: dict[str, str], body: bytes, git_converts: bool
) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write(".gitattributes", attributes)
    for key, value in config.items():
        repo.git("config", key, value)
    repo.commit("base")

    outcome = compare_apply(repo.root, NEW_FILE + body, tmp_path / "work")

    outcome.assert_same_or_refused()
    if git_converts:
        written_by_git = outcome.git_tree["new.txt"][2]
        assert isinstance(written_by_git, bytes)
        assert b"\r\n" in written_by_git or b"$Id: " in written_by_git  # git converted it
        outcome.assert_refused(2, "new.txt: git would")
    else:
        outcome.assert_same()
