"""Codex `*** Begin Patch` files applied to real files: one hunk per @@ section, exact lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.gitrepo import GitRepo, render_text_patch
from vetline.adapters.formats.codex import parse_codex
from vetline.adapters.inputs import workspace_reader
from vetline.core.errors import InputError
from vetline.core.hunks import apply_hunks
from vetline.core.model import Change, FileStatus, HunkKind
from vetline.core.text import encode

BODY = "".join(f"line {n}\n" for n in range(1, 31))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "app.py").write_text(
        "class A:\n    def run(self):\n        return 1\n\n"
        "class B:\n    def run(self):\n        return 1\n"
    )
    (root / "body.txt").write_text(BODY)
    (root / "old.txt").write_text("remove me\n")
    return root


def _changes(patch: str, workspace: Path) -> dict[str, Change]:
    (proposal,) = parse_codex(patch, "fix.patch", workspace_reader(workspace))
    return {change.path: change for change in proposal.changes}


def _error(patch: str, workspace: Path) -> str:
    with pytest.raises(InputError) as caught:
        parse_codex(patch, "fix.patch", workspace_reader(workspace))
    return str(caught.value)


def _consistent(change: Change) -> None:
    assert change.base_text is not None
    text_hunks = [hunk for hunk in change.hunks if hunk.kind is HunkKind.TEXT]
    assert apply_hunks(change.base_text, text_hunks) == (change.new_text or "")


def test_add_delete_update_and_move(workspace: Path) -> None:
    patch = (
        "*** Begin Patch\n"
        "*** Add File: docs/hello.md\n+# Hello\n+world\n"
        "*** Delete File: old.txt\n"
        "*** Update File: app.py\n"
        "@@ class B:\n"
        "     def run(self):\n"
        "-        return 1\n"
        "+        return 2\n"
        "*** Update File: body.txt\n"
        "*** Move to: moved/body.txt\n"
        "@@\n line 2\n-line 3\n+line three\n line 4\n"
        "@@\n line 28\n-line 29\n+line 29 changed\n+line 29 more\n line 30\n"
        "*** End of File\n"
        "*** End Patch\n"
    )
    changes = _changes(patch, workspace)
    added = changes["docs/hello.md"]
    assert (added.status, added.new_text) == (FileStatus.ADDED, "# Hello\nworld\n")
    deleted = changes["old.txt"]
    assert (deleted.status, deleted.new_text) == (FileStatus.DELETED, None)
    app = changes["app.py"]
    assert app.new_text is not None
    assert app.new_text.endswith("class B:\n    def run(self):\n        return 2\n")
    assert app.new_text.startswith("class A:\n    def run(self):\n        return 1\n")
    (hunk,) = app.hunks
    assert (hunk.old_start, hunk.old_lines, hunk.new_start, hunk.new_lines) == (6, 2, 6, 2)
    assert hunk.section == "class B:"
    moved = changes["moved/body.txt"]
    assert (moved.status, moved.old_path) == (FileStatus.RENAMED, "body.txt")
    assert [h.kind for h in moved.hunks] == [HunkKind.RENAME, HunkKind.TEXT, HunkKind.TEXT]
    assert [(h.old_start, h.old_lines, h.new_start, h.new_lines) for h in moved.hunks[1:]] == [
        (2, 3, 2, 3),
        (28, 3, 28, 4),
    ]
    assert all(h.path == "moved/body.txt" for h in moved.hunks)
    for change in changes.values():
        _consistent(change)


def test_stacked_anchors_narrow_the_search_and_ignore_indentation(workspace: Path) -> None:
    patch = (
        "*** Begin Patch\n*** Update File: app.py\n"
        "@@ class B:\n@@ def run(self):\n-        return 1\n+        return 3\n"
        "*** End Patch\n"
    )
    (change,) = _changes(patch, workspace).values()
    assert change.new_text is not None
    assert change.new_text.endswith("class B:\n    def run(self):\n        return 3\n")
    assert change.hunks[0].section == "def run(self):"


def test_sections_give_what_git_apply_gives(workspace: Path, tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("body.txt", BODY)
    repo.commit("base")
    patch = (
        "*** Begin Patch\n*** Update File: body.txt\n"
        "@@\n-line 1\n+first\n line 2\n"
        "@@ line 10\n line 14\n+after 14\n line 15\n"
        "@@\n line 29\n-line 30\n*** End of File\n"
        "*** End Patch\n"
    )
    (change,) = _changes(patch, workspace).values()
    text_hunks = [hunk for hunk in change.hunks if hunk.kind is HunkKind.TEXT]
    repo.apply(render_text_patch(change, text_hunks))
    assert repo.read("body.txt") == encode(change.new_text or "")


def test_added_lines_take_the_files_line_ending_and_no_newline_stays(workspace: Path) -> None:
    (workspace / "win.txt").write_bytes(b"a\r\nb\r\nc")
    patch = (
        "*** Begin Patch\n*** Update File: win.txt\n"
        "@@\n a\n+inserted\n b\n"
        "@@\n-c\n+C\n+D\n"
        "*** End Patch\n"
    )
    (change,) = _changes(patch, workspace).values()
    assert change.new_text == "a\r\ninserted\r\nb\r\nC\r\nD"
    _consistent(change)


def test_a_section_without_old_lines_appends_at_the_end(workspace: Path) -> None:
    (workspace / "noeol.txt").write_bytes(b"x\ny")
    patch = "*** Begin Patch\n*** Update File: noeol.txt\n@@\n+z\n*** End Patch\n"
    (change,) = _changes(patch, workspace).values()
    assert change.new_text == "x\ny\nz"
    (hunk,) = change.hunks
    assert (hunk.old_start, hunk.old_lines, hunk.new_start, hunk.new_lines) == (2, 1, 2, 2)
    _consistent(change)


def test_a_bom_stays_when_the_first_line_is_replaced(workspace: Path) -> None:
    (workspace / "bom.txt").write_bytes(b"\xef\xbb\xbfold\nrest\n")
    patch = "*** Begin Patch\n*** Update File: bom.txt\n@@\n-old\n+new\n rest\n*** End Patch\n"
    (change,) = _changes(patch, workspace).values()
    assert encode(change.new_text or "") == b"\xef\xbb\xbfnew\nrest\n"
    _consistent(change)


def test_empty_files_and_pure_moves(workspace: Path) -> None:
    (workspace / "empty.txt").write_text("")
    patch = (
        "*** Begin Patch\n*** Add File: new-empty.txt\n*** Delete File: empty.txt\n"
        "*** Update File: old.txt\n*** Move to: renamed.txt\n*** End Patch\n"
    )
    changes = _changes(patch, workspace)
    assert [h.kind for h in changes["new-empty.txt"].hunks] == [HunkKind.CREATE_EMPTY]
    assert [h.kind for h in changes["empty.txt"].hunks] == [HunkKind.DELETE_EMPTY]
    renamed = changes["renamed.txt"]
    assert [h.kind for h in renamed.hunks] == [HunkKind.RENAME]
    assert renamed.new_text == renamed.base_text == "remove me\n"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("*** Update File: app.py\n", "fix.patch: no '*** Begin Patch' line"),
        ("*** Begin Patch\n*** Delete File: old.txt\n", "no '*** End Patch' line"),
        ("*** Begin Patch\nhello\n*** End Patch\n", "fix.patch line 2: expected '*** Add File:'"),
        ("*** Begin Patch\n*** End Patch\n", "fix.patch: no changes found"),
        (
            "*** Begin Patch\n*** Update File: app.py\n@@\n-        return 1\n+x\n*** End Patch\n",
            "the section at patch line 3 matches app.py in 2 places (lines 3, 7)",
        ),
        (
            "*** Begin Patch\n*** Update File: app.py\n@@ class C:\n-x\n*** End Patch\n",
            "the @@ line 'class C:' (patch line 3) is not in app.py",
        ),
        (
            "*** Begin Patch\n*** Update File: app.py\n@@\n-nope\n+x\n*** End Patch\n",
            "fix.patch line 2: the section at patch line 3 does not match app.py",
        ),
        (
            "*** Begin Patch\n*** Update File: body.txt\n@@\n-line 3\n+x\n*** End of File\n"
            "*** End Patch\n",
            "does not match body.txt",
        ),
        (
            "*** Begin Patch\n*** Update File: body.txt\n@@\n-line 5\n+x\n@@\n-line 2\n+y\n"
            "@@\n-line 4\n+z\n*** End Patch\n",
            "the section at patch line 6 does not match body.txt after line 5",
        ),
        (
            "*** Begin Patch\n*** Update File: body.txt\n@@\n line 1\n*** End Patch\n",
            "line 3: section changes nothing",
        ),
        (
            "*** Begin Patch\n*** Update File: body.txt\n@@\n*** End Patch\n",
            "line 3: '@@' section with no lines",
        ),
        (
            "*** Begin Patch\n*** Update File: body.txt\n@@\n?line 1\n*** End Patch\n",
            "line 4: a section line must start with",
        ),
        ("*** Begin Patch\n*** Update File: body.txt\n*** End Patch\n", "has no sections"),
        ("*** Begin Patch\n*** Update File: nope.txt\n@@\n-a\n*** End Patch\n", "nope.txt does"),
        ("*** Begin Patch\n*** Add File: app.py\n+x\n*** End Patch\n", "app.py already exists"),
        ("*** Begin Patch\n*** Add File: n.txt\nx\n*** End Patch\n", "must start with '+'"),
        (
            "*** Begin Patch\n*** Update File: old.txt\n*** Move to: app.py\n*** End Patch\n",
            "cannot move old.txt to app.py: app.py already exists",
        ),
        (
            "*** Begin Patch\n*** Delete File: old.txt\n*** Delete File: old.txt\n*** End Patch\n",
            "line 3: old.txt is changed twice",
        ),
        (
            "*** Begin Patch\n*** Delete File: /etc/passwd\n*** End Patch\n",
            "refusing to read '/etc/passwd'",
        ),
        ("*** Begin Patch\n*** Add File: \n*** End Patch\n", "line 2: no file name"),
    ],
)
def test_bad_patches_are_refused_with_where_and_why(
    workspace: Path, patch: str, message: str
) -> None:
    assert message in _error(patch, workspace)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), count=st.integers(3, 40))
def test_random_sections_rebuild_the_expected_text(
    workspace: Path, data: st.DataObject, count: int
) -> None:
    lines = [f"row {n}" for n in range(count)]
    (workspace / "gen.txt").write_text("".join(line + "\n" for line in lines))
    # Cut points taken in pairs: each pair is a run of lines a section replaces.
    cuts = sorted(data.draw(st.sets(st.integers(0, count), min_size=2, max_size=8)))
    expected: list[str] = []
    patch = ["*** Begin Patch", "*** Update File: gen.txt"]
    previous = 0
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        new = [f"new {start}-{i}" for i in range(data.draw(st.integers(0, 2)))]
        patch.append("@@")
        patch += [" " + line for line in lines[max(start - 1, previous) : start]]
        patch += ["-" + line for line in lines[start:end]]
        patch += ["+" + line for line in new]
        expected += [*lines[previous:start], *new]
        previous = end
    expected += lines[previous:]
    patch.append("*** End Patch")
    (proposal,) = parse_codex("\n".join(patch) + "\n", "gen.patch", workspace_reader(workspace))
    (change,) = proposal.changes
    assert change.new_text == "".join(line + "\n" for line in expected)
    assert len(change.hunks) == len(cuts) // 2
    _consistent(change)


def test_more_sections_than_a_big_file_can_take_in_reasonable_time_are_refused(
    workspace: Path,
) -> None:
    (workspace / "big.txt").write_text("".join(f"l{n}\n" for n in range(10_000)))
    sections = "".join(f"@@\n-l{n}\n+L{n}\n" for n in range(3_000))
    patch = f"*** Begin Patch\n*** Update File: big.txt\n{sections}*** End Patch\n"

    message = _error(patch, workspace)

    assert "3,000 edits of big.txt, a file of 10,000 lines" in message
