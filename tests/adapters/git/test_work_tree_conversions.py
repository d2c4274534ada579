"""A workspace that is a git work tree: a patch is read and written through git's own
conversions (line endings, filters, ident), as git apply does; what git cannot be asked
to do is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.gitrepo import GitRepo
from helpers.parity import compare_apply, run_git, run_vetline

NEW_FILE = b"diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n"
EDIT = b"diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n"


@pytest.mark.parametrize(
    ("attributes", "config", "body"),
    [
        ("*.txt eol=crlf\n", {}, b"@@ -0,0 +1,2 @@\n+x\n+y\n"),
        ("*.txt eol=crlf\n", {}, b"@@ -0,0 +1,2 @@\n+x\r\n+y\r\n"),
        ("*.txt text\n", {"core.eol": "crlf"}, b"@@ -0,0 +1 @@\n+x\n"),
        ("", {"core.autocrlf": "true"}, b"@@ -0,0 +1 @@\n+x\n"),
        ("", {"core.autocrlf": "input"}, b"@@ -0,0 +1 @@\n+x\r\n"),
        ("*.txt -text\n", {"core.autocrlf": "true"}, b"@@ -0,0 +1 @@\n+x\n"),
        ("*.txt ident\n", {}, b"@@ -0,0 +1 @@\n+$Id$\n"),
        ("", {}, b"@@ -0,0 +1 @@\n+x\n"),
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
def test_a_new_file_is_written_as_git_writes_it(
    tmp_path: Path, attributes: str, config: dict[str, str], body: bytes
) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write(".gitattributes", attributes)
    for key, value in config.items():
        repo.git("config", key, value)
    repo.commit("base")

    outcome = compare_apply(repo.root, NEW_FILE + body, tmp_path / "work")

    outcome.assert_same()


LF_TEXT = b"one\ntwo\nthree\n"
CRLF_TEXT = LF_TEXT.replace(b"\n", b"\r\n")
LF_HUNK = b"@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
CRLF_HUNK = LF_HUNK.replace(b"\n", b"\r\n").replace(b"@@\r\n", b"@@\n")
MIXED_HUNK = b"@@ -1,3 +1,3 @@\n one\r\n-two\n+2\n three\r\n"


@pytest.mark.parametrize(
    ("attributes", "config", "on_disk", "patch"),
    [
        # Windows: LF in the repository, CRLF on disk, a patch from `git diff` (LF).
        ("", {"core.autocrlf": "true"}, CRLF_TEXT, LF_HUNK),
        ("*.txt eol=crlf\n", {}, CRLF_TEXT, LF_HUNK),
        ("*.txt text=auto\n", {}, CRLF_TEXT, LF_HUNK),
        # The patch's own old lines end in CRLF: git keeps the file's endings.
        ("*.txt eol=crlf\n", {}, CRLF_TEXT, CRLF_HUNK),
        ("", {"core.autocrlf": "true"}, CRLF_TEXT, CRLF_HUNK),
        # LF on disk where git would check out CRLF: git's write converts it.
        ("", {"core.autocrlf": "true"}, LF_TEXT, LF_HUNK),
        ("", {"core.autocrlf": "input"}, CRLF_TEXT, LF_HUNK),
        # Mixed endings, a lone CR: text=auto leaves such a file alone.
        ("", {"core.autocrlf": "true"}, b"one\r\ntwo\nthree\r\n", MIXED_HUNK),
        ("", {"core.autocrlf": "true"}, b"one\rtwo\nthree\n", b"@@ -2 +2 @@\n-three\n+3\n"),
        ("*.txt ident\n", {}, b"$Id: 0123 $\none\n", b"@@ -1,2 +1,2 @@\n $Id$\n-one\n+1\n"),
    ],
    ids=[
        "autocrlf", "eol-crlf", "text-auto", "crlf-in-patch", "crlf-in-patch-autocrlf",
        "lf-on-disk", "input", "mixed", "lone-cr", "ident",
    ],
)  # fmt: skip
def test_an_edit_is_read_and_written_as_git_reads_and_writes_it(
    tmp_path: Path, attributes: str, config: dict[str, str], on_disk: bytes, patch: bytes
) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write(".gitattributes", attributes)
    for key, value in config.items():
        repo.git("config", key, value)
    repo.write("f.txt", on_disk)

    outcome = compare_apply(repo.root, EDIT + patch, tmp_path / "work")

    assert outcome.git_code == 0, outcome.git_error
    outcome.assert_same()


def test_a_deletion_and_a_mode_change_under_autocrlf(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.git("config", "core.autocrlf", "true")
    repo.write("gone.txt", CRLF_TEXT)
    repo.write("run.sh", b"echo\n")
    patch = (
        b"diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n"
        b"+++ /dev/null\n@@ -1,3 +0,0 @@\n-one\n-two\n-three\n"
        b"diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
    )

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    outcome.assert_same()
    assert outcome.vetline_tree["run.sh"] == ("file", True, b"echo\r\n")  # git converted it


def test_a_configured_filter_runs_both_ways(tmp_path: Path) -> None:
    """git diff shows the clean side (upper case here); the file on disk is smudged."""
    repo = GitRepo.init(tmp_path / "base")
    repo.git("config", "filter.upper.clean", "tr a-z A-Z")
    repo.git("config", "filter.upper.smudge", "tr A-Z a-z")
    repo.write(".gitattributes", "*.txt filter=upper\n")
    repo.write("f.txt", b"one\ntwo\nthree\n")
    patch = EDIT + b"@@ -1,3 +1,3 @@\n ONE\n-TWO\n+2\n THREE\n"

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    outcome.assert_same()
    assert outcome.vetline_tree["f.txt"][2] == b"one\n2\nthree\n"


def test_a_filter_nobody_configured_is_refused(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write(".gitattributes", "*.txt filter=lfs\n")
    repo.write("f.txt", LF_TEXT)

    outcome = compare_apply(repo.root, EDIT + LF_HUNK, tmp_path / "work")

    outcome.assert_refused(2, "f.txt: .gitattributes names the filter 'lfs', but no filter.lfs")


def test_a_repository_gains_no_objects(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.git("config", "core.autocrlf", "true")
    repo.write("f.txt", CRLF_TEXT)
    repo.commit("base")
    objects = repo.git("count-objects", "-v")

    outcome = compare_apply(repo.root, EDIT + LF_HUNK, tmp_path / "work")

    outcome.assert_same()
    assert GitRepo(tmp_path / "work" / "vetline").git("count-objects", "-v") == objects


def test_a_workspace_inside_the_work_tree_converts_as_git_does_there(tmp_path: Path) -> None:
    """The workspace is a folder of the repository: its paths are the patch's paths."""
    repo = GitRepo.init(tmp_path / "vetline")
    repo.git("config", "core.autocrlf", "true")
    repo.write("sub/.gitattributes", "*.txt ident\n")
    repo.write("sub/f.txt", b"$Id$\r\none\r\ntwo\r\nthree\r\n")
    twin = repo.copy(tmp_path / "git")
    (tmp_path / "input.patch").write_bytes(EDIT + b"@@ -2,3 +2,3 @@\n one\n-two\n+2\n three\n")

    code, _, error = run_vetline(
        "--data-dir", str(tmp_path / "data"), "apply", str(tmp_path / "input.patch"),
        "--workspace", str(repo.root / "sub"), "--accept", "all",
    )  # fmt: skip
    applied = run_git(twin.root, "apply", "--directory=sub", str(tmp_path / "input.patch"))

    assert (code, applied.returncode) == (0, 0), error
    assert (repo.root / "sub" / "f.txt").read_bytes() == (twin.root / "sub" / "f.txt").read_bytes()
    assert b"$Id: " in (repo.root / "sub" / "f.txt").read_bytes()
