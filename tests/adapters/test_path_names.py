"""Names some system would read as something else: refused before anything is written,
named with their odd characters escaped, and the refusal kept in the decision log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.parity import compare_apply, run_vetline, write_tree
from vetline.adapters.formats.unified import parse_unified
from vetline.core.hidden_text import find_hidden, quoted_name
from vetline.core.leash import path_refusal
from vetline.core.model import Proposal


def load(patch: bytes) -> list[Proposal]:
    return parse_unified(patch, "names.patch")


GIT_LOOK_ALIKES = [
    ".git./config",
    "git~1/config",
    "GIT~1/config",
    ".git::$INDEX_ALLOCATION/config",
    ".g\u200cit/config",  # HFS+ ignores U+200C: this is .git on a Mac
]
ODD_NAMES = [
    "CON",
    "src/aux.txt",
    "nul",
    "con.d/x",
    "a.txt:ads",
    "notes.",
    "notes ",
    "...",
    "~/profile",
    "a\u202etxt.exe",
    "zero\u200bwidth.txt",
    "word\u2060joiner.txt",
    "bom\ufeff.txt",
]


def creation_patch(name: str) -> bytes:
    return (
        f"diff --git a/{name} b/{name}\nnew file mode 100644\n--- /dev/null\n+++ b/{name}\n"
        "@@ -0,0 +1 @@\n+x\n"
    ).encode()


@pytest.mark.parametrize("name", GIT_LOOK_ALIKES, ids=ascii)
def test_look_alikes_of_git_folder_are_refused_as_git_refuses_them(
    tmp_path: Path, name: str
) -> None:
    write_tree(tmp_path / "base", {"keep.txt": b"keep\n"})

    outcome = compare_apply(tmp_path / "base", creation_patch(name), tmp_path)

    assert outcome.git_code != 0 or "\u200c" in name  # git protects NTFS names everywhere
    # A path rule of the leash, as .git/ itself: named, and over the leash for --accept all.
    outcome.assert_refused(3, ".git/ is never changed")
    assert ascii(name.split("/", maxsplit=1)[0])[1:-1] in outcome.vetline_error
    (hunk_id,) = {hunk.id for proposal in load(creation_patch(name)) for hunk in proposal.hunks}
    one_by_one = compare_apply(tmp_path / "base", creation_patch(name), tmp_path, hunk_id)
    one_by_one.assert_refused(2, ".git/ is never changed")


@pytest.mark.parametrize("name", ODD_NAMES, ids=ascii)
def test_names_some_system_reads_otherwise_are_refused(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path / "base", {"keep.txt": b"keep\n"})

    outcome = compare_apply(tmp_path / "base", creation_patch(name), tmp_path)

    outcome.assert_refused(2, "refusing the path")
    assert quoted_name(name) in outcome.vetline_error  # odd characters by code point
    assert find_hidden(outcome.vetline_error) == []


def test_a_refused_path_is_in_the_decision_log_with_its_reason(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {})
    name = "a\u202etxt.exe"
    compare_apply(tmp_path / "base", creation_patch(name), tmp_path)

    code, out, _ = run_vetline("--data-dir", str(tmp_path / "data"), "log", "export")

    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["verdict"] == "refused"
    assert "direction-changing character" in row["reason"]
    assert row["path"] == name


def test_a_refusal_in_the_workspace_is_logged_too(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"a.txt": b"one\n"})
    patch = b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-other\n+two\n"
    outcome = compare_apply(tmp_path / "base", patch, tmp_path)
    outcome.assert_refused(4, "context does not match")

    code, out, _ = run_vetline("--data-dir", str(tmp_path / "data"), "log", "export")

    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["verdict"], row["bulk"]) == ("refused", True)
    assert "context does not match" in row["reason"]


@pytest.mark.parametrize(
    "name",
    [
        "README",
        "src/app.py",
        ".gitignore",
        ".github/x.yml",
        "console.log",
        "a..b",
        "~user",
        "é.txt",
    ],
)
def test_ordinary_names_pass(name: str) -> None:
    assert path_refusal(name) is None
