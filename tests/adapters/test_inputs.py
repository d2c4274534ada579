"""One source spec for every command: formats told apart by content, files read safely."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from helpers.gitrepo import GitRepo
from vetline.adapters.inputs import (
    SourceFormat,
    detect_format,
    load_source,
    unsafe_path_reason,
    workspace_reader,
)
from vetline.core.errors import InputError, UnsafePathError
from vetline.core.model import FileStatus

DIFF = "--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-old\n+new\n"
SEARCH_REPLACE = "f.txt\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n"
CODEX = "*** Begin Patch\n*** Update File: f.txt\n@@\n-old\n+new\n*** End Patch\n"
JSON = json.dumps({"title": "J", "changes": [{"path": "f.txt", "base": "old\n", "new": "new\n"}]})


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "f.txt").write_text("old\n")
    return root


def _source(tmp_path: Path, text: str | bytes, name: str = "input") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


@pytest.mark.parametrize("text", [DIFF, SEARCH_REPLACE, CODEX, JSON])
def test_every_format_loads_to_the_same_edit(tmp_path: Path, workspace: Path, text: str) -> None:
    (proposal,) = load_source(_source(tmp_path, text), workspace)
    (change,) = proposal.changes
    assert change.path == "f.txt"
    assert change.status is FileStatus.MODIFIED
    assert [(hunk.kinds, hunk.texts) for hunk in change.hunks] == [("-+", ("old\n", "new\n"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DIFF, SourceFormat.UNIFIED),
        ("\ufeff  \n" + JSON, SourceFormat.JSON),
        (SEARCH_REPLACE, SourceFormat.SEARCH_REPLACE),
        ("------- SEARCH\na\n=======\nb\n+++++++ REPLACE\n", SourceFormat.SEARCH_REPLACE),
        ("Sure!\n```\n" + CODEX + "```\n", SourceFormat.CODEX),
        ("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", SourceFormat.UNIFIED),
        (
            "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n",
            SourceFormat.UNIFIED,
        ),
        # A diff of a file holding SEARCH markers is still a diff, and the other way round.
        (DIFF.replace("+new", "+<<<<<<< SEARCH"), SourceFormat.UNIFIED),
        (SEARCH_REPLACE.replace("old\n", "--- a/x\n+++ b/x\n"), SourceFormat.SEARCH_REPLACE),
        ("Nothing to see.\n", None),
        ("", None),
    ],
)
def test_the_format_comes_from_the_content(text: str, expected: str | None) -> None:
    assert detect_format(text.encode()) == expected


def test_stdin_is_read_for_a_dash(workspace: Path) -> None:
    (proposal,) = load_source("-", workspace, stdin=io.BytesIO(DIFF.encode()))
    assert proposal.title == "Patch"
    with pytest.raises(InputError, match="<stdin> line 3: malformed hunk header"):
        load_source("-", None, stdin=io.BytesIO(DIFF.replace("@@ -1", "@@ x").encode()))


def test_a_format_patch_file_from_git_loads_per_commit(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("a.txt", "1\n")
    repo.commit("base")
    repo.write("a.txt", "2\n")
    repo.commit("Two")
    repo.write("a.txt", "3\n")
    repo.commit("Three")
    source = _source(tmp_path, repo.format_patch("HEAD~2"), "series.patch")
    assert [proposal.title for proposal in load_source(source, None)] == ["Two", "Three"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: str(tmp), "is a folder"),
        (lambda tmp: str(tmp / "nope.patch"), "nope.patch: no such file"),
        (lambda tmp: _source(tmp, "hello\n"), "input: not a recognised format"),
        (lambda tmp: _source(tmp, SEARCH_REPLACE), "SEARCH/REPLACE blocks need --workspace"),
        (lambda tmp: _source(tmp, CODEX), "Codex patch need --workspace"),
        (
            lambda tmp: _source(tmp, DIFF.replace("f.txt", "../../etc/passwd")),
            "refusing the path '../../etc/passwd': '..' leaves the workspace",
        ),
        (
            lambda tmp: _source(tmp, DIFF.replace("a/f.txt", "/x").replace("b/f.txt", "/x")),
            "refusing the path '/x': absolute path",
        ),
    ],
)
def test_bad_sources_are_refused_by_name(tmp_path: Path, make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(InputError) as caught:
        load_source(make(tmp_path), None)
    assert message in str(caught.value)


def test_a_missing_workspace_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the workspace folder does not exist"):
        load_source(_source(tmp_path, CODEX), tmp_path / "missing")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "absolute path"),
        ("C:/Windows", "absolute path"),
        ("a/../../b", "'..' leaves the workspace"),
        ("a\\..\\b", "backslash in the name"),
        ("a\0b", "control character in the name"),
        ("", "empty path"),
    ],
)
def test_unsafe_paths_are_refused_before_reading(workspace: Path, path: str, reason: str) -> None:
    assert reason in (unsafe_path_reason(path) or "")
    with pytest.raises(UnsafePathError, match="refusing to read"):
        workspace_reader(workspace)(path)


def test_a_symbolic_link_out_of_the_workspace_is_refused(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret\n")
    (workspace / "link.txt").symlink_to(tmp_path / "secret.txt")
    read = workspace_reader(workspace)
    with pytest.raises(UnsafePathError, match="a symbolic link leads outside the workspace"):
        read("link.txt")
    assert read("f.txt") == b"old\n"
    assert read("missing.txt") is None
    (workspace / "folder").mkdir()
    with pytest.raises(InputError, match="folder is a directory"):
        read("folder")
