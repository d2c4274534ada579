"""The workspace writer on real files: safe paths, checked bases, all-or-nothing writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.proposals import proposal_of
from vetline.adapters.files import transaction
from vetline.adapters.files.modes import git_permissions
from vetline.adapters.files.workspace import FileWrite, Workspace, WorkspaceIOError
from vetline.core.errors import InputError, StaleBaseError, UnsafePathError
from vetline.core.hidden_text import quoted_name
from vetline.core.hunks import hunks_from_texts, split_hunk
from vetline.core.model import Change, FileStatus, Hunk, HunkKind, sha256_hex
from vetline.core.text import decode

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes and symbolic links")

Snapshot = dict[str, tuple[object, ...]]


def snapshot(top: Path) -> Snapshot:
    """Every entry under `top`: kind, mode and bytes (or link target)."""
    entries: Snapshot = {}
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            rel = path.relative_to(top).as_posix()
            if stat.S_ISLNK(info.st_mode):
                entries[rel] = ("link", str(path.readlink()))
            elif stat.S_ISDIR(info.st_mode):
                entries[rel] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                entries[rel] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
    return entries


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def workspace(root: Path) -> Workspace:
    return Workspace(root)


def put(root: Path, rel: str, data: bytes, mode: int = 0o644) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def modify(path: str, base: bytes, new: bytes) -> Change:
    base_text, encoding = decode(base)
    new_text, _ = decode(new, encoding)
    return Change(
        path=path,
        status=FileStatus.MODIFIED,
        hunks=hunks_from_texts(path, base_text, new_text),
        base_text=base_text,
        new_text=new_text,
        base_sha256=sha256_hex(base),
        encoding=encoding,
    )


def add(path: str, new: bytes, new_mode: str | None = None) -> Change:
    text, _ = decode(new)
    return Change(
        path=path,
        status=FileStatus.ADDED,
        hunks=hunks_from_texts(path, "", text),
        new_text=text,
        new_mode=new_mode,
    )


def delete(path: str, base: bytes) -> Change:
    text, _ = decode(base)
    return Change(
        path=path,
        status=FileStatus.DELETED,
        hunks=hunks_from_texts(path, text, ""),
        base_text=text,
        base_sha256=sha256_hex(base),
    )


def rename(old: str, new: str, base: bytes, changed: bytes) -> Change:
    base_text, _ = decode(base)
    new_text, _ = decode(changed)
    return Change(
        path=new,
        old_path=old,
        status=FileStatus.RENAMED,
        hunks=(
            Hunk(new, 0, 0, 0, 0, kind=HunkKind.RENAME),
            *hunks_from_texts(new, base_text, new_text),
        ),
        base_sha256=sha256_hex(base),
    )


def ids(*changes: Change, kind: HunkKind | None = None) -> set[str]:
    return {h.id for c in changes for h in c.hunks if kind is None or h.kind is kind}


def temp_leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if ".vetline-" in p.name]


LINES = b"".join(b"line %d\n" % n for n in range(1, 31))


# ---- path safety -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("../outside.txt", "'..'"),
        ("src/../../outside.txt", "'..'"),
        (".git/config", ".git"),
        (".GIT/hooks/pre-commit", ".git"),
        ("vendor/lib/.git/HEAD", ".git"),
        (".git./config", ".git"),
        ("nul\x00byte.txt", "control character"),
        ("bell\x07.txt", "control character"),
        ("next\u0085line.txt", "control character"),
        ("back\\slash.txt", "backslash"),
        ("", "empty"),
        ("src//double.txt", "empty name"),
        ("src/", "empty name"),
        ("./src/x.txt", "'.'"),
        (".github/workflows/ci.yml", "denied pattern"),
        ("certs/server.pem", "denied pattern"),
        (".env", "denied pattern"),
        ("config/.ENV", "denied pattern"),
    ],
)
def test_unsafe_paths_are_refused_and_nothing_is_written(
    workspace: Workspace, tmp_path: Path, rel: str, reason: str
) -> None:
    before = snapshot(tmp_path)
    change = add(rel, b"owned\n")

    with pytest.raises(UnsafePathError, match=reason) as refused:
        workspace.apply_proposal(proposal_of(change), ids(change))

    assert quoted_name(rel) in str(refused.value)
    assert snapshot(tmp_path) == before
    with pytest.raises(UnsafePathError):
        workspace.check_path(rel)


def test_deny_patterns_come_from_the_caller(root: Path) -> None:
    relaxed = Workspace(root, deny=["secrets/**"])

    assert relaxed.check_path(".env") == root / ".env"
    with pytest.raises(UnsafePathError, match="secrets"):
        relaxed.check_path("secrets/token.txt")


def test_symlinked_folder_leading_outside_is_refused(
    workspace: Workspace, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "docs").symlink_to(outside, target_is_directory=True)
    before = snapshot(tmp_path)
    change = add("docs/evil.txt", b"owned\n")

    with pytest.raises(UnsafePathError, match="outside the workspace"):
        workspace.apply_proposal(proposal_of(change), ids(change))

    assert snapshot(tmp_path) == before


def test_symlinked_file_leading_outside_is_refused(
    workspace: Workspace, root: Path, tmp_path: Path
) -> None:
    secret = put(tmp_path, "outside/secret.txt", LINES)
    (root / "notes.txt").symlink_to(secret)
    before = snapshot(tmp_path)
    change = modify("notes.txt", LINES, LINES.replace(b"line 5\n", b"owned\n"))

    with pytest.raises(UnsafePathError, match="outside the workspace"):
        workspace.apply_proposal(proposal_of(change), ids(change))

    assert snapshot(tmp_path) == before


def test_symlinked_file_inside_is_not_written_through(workspace: Workspace, root: Path) -> None:
    put(root, "real.txt", LINES)
    (root / "alias.txt").symlink_to(root / "real.txt")

    with pytest.raises(UnsafePathError, match="symbolic link"):
        workspace.check_path("alias.txt")


def test_symlink_loop_is_refused(workspace: Workspace, root: Path) -> None:
    (root / "a").symlink_to(root / "b")
    (root / "b").symlink_to(root / "a")

    with pytest.raises(UnsafePathError):
        workspace.check_path("a/x.txt")


def test_symlinked_folder_inside_the_workspace_is_fine(workspace: Workspace, root: Path) -> None:
    (root / "src").mkdir()
    (root / "current").symlink_to(root / "src", target_is_directory=True)

    assert workspace.check_path("current/x.txt") == root / "current" / "x.txt"


def test_missing_workspace_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        Workspace(tmp_path / "nope")


# ---- stale bases -----------------------------------------------------------------------


def test_a_hunk_whose_own_lines_were_edited_since_is_stale(
    workspace: Workspace, root: Path, tmp_path: Path
) -> None:
    put(root, "a.txt", LINES)
    change = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    put(root, "a.txt", LINES.replace(b"line 6\n", b"six, by someone else\n"))
    before = snapshot(tmp_path)

    with pytest.raises(StaleBaseError, match="a.txt: hunk .* context does not match"):
        workspace.apply_proposal(proposal_of(change), ids(change))

    assert snapshot(tmp_path) == before


def test_hunks_apply_to_a_file_edited_elsewhere_since(workspace: Workspace, root: Path) -> None:
    """Two whole-text proposals on one file, edited at lines 5 and 25: both apply."""
    put(root, "a.txt", LINES)
    early = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    late = modify("a.txt", LINES, LINES.replace(b"line 25\n", b"twenty-five\n"))
    workspace.apply_proposal(proposal_of(early), ids(early))
    workspace.apply_proposal(proposal_of(late), ids(late))
    expected = LINES.replace(b"line 5\n", b"five\n").replace(b"line 25\n", b"twenty-five\n")
    assert (root / "a.txt").read_bytes() == expected


def test_a_deletion_needs_the_very_base(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    gone = Change(
        "a.txt",
        FileStatus.DELETED,
        hunks_from_texts("a.txt", LINES.decode(), ""),
        base_sha256=sha256_hex(LINES),
    )
    put(root, "a.txt", LINES + b"one more\n")
    with pytest.raises(StaleBaseError, match="a.txt changed since the proposal was made"):
        workspace.apply_proposal(proposal_of(gone), ids(gone))
    assert (root / "a.txt").read_bytes() == LINES + b"one more\n"


def test_context_mismatch_without_a_base_hash_is_stale(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES.replace(b"line 4\n", b"changed 4\n"))
    change = replace(
        modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n")), base_sha256=None
    )

    with pytest.raises(StaleBaseError, match="context does not match") as raised:
        workspace.plan(proposal_of(change), ids(change))
    assert str(raised.value).count("a.txt") == 1  # the message names the file once


def test_file_edited_between_plan_and_write_is_stale(
    workspace: Workspace, root: Path, tmp_path: Path
) -> None:
    put(root, "a.txt", LINES)
    change = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    plan = workspace.plan(proposal_of(change), ids(change))
    put(root, "a.txt", b"rewritten by an editor\n")
    before = snapshot(tmp_path)

    with pytest.raises(StaleBaseError, match="changed since"):
        workspace.write(plan)

    assert snapshot(tmp_path) == before


def test_file_removed_before_the_write_is_stale(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    change = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    plan = workspace.plan(proposal_of(change), ids(change))
    (root / "a.txt").unlink()

    with pytest.raises(StaleBaseError, match="removed"):
        workspace.write(plan)


def test_new_file_that_already_exists_is_stale(workspace: Workspace, root: Path) -> None:
    put(root, "new.txt", b"already here\n")
    change = add("new.txt", b"hello\n")

    with pytest.raises(StaleBaseError, match="new.txt already exists"):
        workspace.apply_proposal(proposal_of(change), ids(change))
    assert (root / "new.txt").read_bytes() == b"already here\n"


# ---- all or nothing --------------------------------------------------------------------


def test_second_file_stale_leaves_the_first_unchanged(
    workspace: Workspace, root: Path, tmp_path: Path
) -> None:
    put(root, "a.txt", LINES)
    put(root, "b.txt", LINES)
    first = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    second = modify("b.txt", LINES, LINES.replace(b"line 9\n", b"nine\n"))
    put(root, "b.txt", LINES.replace(b"line 9\n", b"edited by hand\n"))
    before = snapshot(tmp_path)

    with pytest.raises(StaleBaseError, match=r"b\.txt"):
        workspace.apply_proposal(proposal_of(first, second), ids(first, second))

    assert snapshot(tmp_path) == before


def test_failure_while_writing_temp_files_changes_nothing(
    workspace: Workspace, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(root, "a.txt", LINES)
    first = add("new/deeper/fresh.txt", b"fresh\n")
    second = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    plan = workspace.plan(proposal_of(first, second), ids(first, second))
    before = snapshot(tmp_path)
    monkeypatch.setattr(transaction, "write_temp", fail_on_call(2, transaction.write_temp))

    with pytest.raises(WorkspaceIOError, match="nothing was changed"):
        workspace.write(plan)

    assert snapshot(tmp_path) == before


def test_rename_failing_midway_rolls_back(
    workspace: Workspace, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        put(root, name, LINES)
    changes = [
        modify(name, LINES, LINES.replace(b"line 5\n", b"five\n"))
        for name in ("a.txt", "b.txt", "c.txt")
    ]
    plan = workspace.plan(proposal_of(*changes), ids(*changes))
    before = snapshot(tmp_path)
    monkeypatch.setattr(os, "replace", fail_on_call(2, os.replace))

    with pytest.raises(WorkspaceIOError, match="nothing was changed"):
        workspace.write(plan)

    assert snapshot(tmp_path) == before


def test_rollback_without_hard_links_uses_copies(
    workspace: Workspace, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(root, "a.txt", LINES, mode=0o755)
    put(root, "b.txt", LINES)
    changes = [modify(name, LINES, LINES + b"more\n") for name in ("a.txt", "b.txt")]
    plan = workspace.plan(proposal_of(*changes), ids(*changes))
    before = snapshot(tmp_path)

    def no_hard_links(*_args: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    monkeypatch.setattr(os, "replace", fail_on_call(2, os.replace))

    with pytest.raises(WorkspaceIOError, match="nothing was changed"):
        workspace.write(plan)

    assert snapshot(tmp_path) == before


def fail_on_call(number: int, real: Callable[..., object]) -> Callable[..., object]:
    calls = 0

    def maybe_fail(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == number:
            raise OSError(28, "No space left on device", str(args[0]))
        return real(*args, **kwargs)

    return maybe_fail


def test_same_file_twice_in_one_write_is_refused(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    one = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    two = modify("a.txt", LINES, LINES.replace(b"line 25\n", b"twenty-five\n"))

    with pytest.raises(InputError, match="changed twice"):
        workspace.plan(proposal_of(one, two), ids(one, two))


def test_successful_write_leaves_no_temp_or_backup_files(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    change = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))

    workspace.apply_proposal(proposal_of(change), ids(change))

    assert (root / "a.txt").read_bytes() == LINES.replace(b"line 5\n", b"five\n")
    assert temp_leftovers(root) == []


# ---- content and mode ------------------------------------------------------------------


def test_only_accepted_hunks_are_written(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    new = LINES.replace(b"line 2\n", b"two\n").replace(b"line 28\n", b"twenty-eight\n")
    change = modify("a.txt", LINES, new)
    assert len(change.hunks) == 2

    workspace.apply_proposal(proposal_of(change), {change.hunks[1].id})

    assert (root / "a.txt").read_bytes() == LINES.replace(b"line 28\n", b"twenty-eight\n")


def test_pieces_of_a_split_hunk_are_written(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    new = LINES.replace(b"line 5\n", b"five\n").replace(b"line 12\n", b"twelve\n")
    change = modify("a.txt", LINES, new)
    (hunk,) = change.hunks
    first, second = split_hunk(hunk)

    workspace.apply_proposal(proposal_of(change), {first.id})
    assert (root / "a.txt").read_bytes() == LINES.replace(b"line 5\n", b"five\n")

    put(root, "a.txt", LINES)
    edited = second.new_text.replace("twelve", "TWELVE")
    workspace.apply_proposal(proposal_of(change), {first.id, second.id}, {second.id: edited})
    assert (root / "a.txt").read_bytes() == new.replace(b"twelve", b"TWELVE")


def test_edited_hunk_text_is_written(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    change = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    hunk = change.hunks[0]
    edited = hunk.new_text.replace("five\n", "FIVE, as the reviewer wrote it\n")

    workspace.apply_proposal(proposal_of(change), {hunk.id}, {hunk.id: edited})

    assert b"FIVE, as the reviewer wrote it\n" in (root / "a.txt").read_bytes()


def test_mode_is_kept(workspace: Workspace, root: Path) -> None:
    put(root, "run.sh", LINES, mode=0o755)
    change = modify("run.sh", LINES, LINES.replace(b"line 5\n", b"five\n"))

    workspace.apply_proposal(proposal_of(change), ids(change))

    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == 0o755


@pytest.mark.parametrize(("accept_mode", "expected"), [(True, 0o755), (False, 0o644)])
def test_mode_hunk(workspace: Workspace, root: Path, accept_mode: bool, expected: int) -> None:
    put(root, "run.sh", LINES, mode=0o644)
    text_change = modify("run.sh", LINES, LINES.replace(b"line 5\n", b"five\n"))
    mode_hunk = Hunk("run.sh", 0, 0, 0, 0, kind=HunkKind.MODE)
    change = Change(
        path="run.sh",
        status=FileStatus.MODIFIED,
        hunks=(mode_hunk, *text_change.hunks),
        old_mode="100644",
        new_mode="100755",
    )
    accepted = ids(change, kind=HunkKind.TEXT) | ({mode_hunk.id} if accept_mode else set())

    workspace.apply_proposal(proposal_of(change), accepted)

    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == expected
    assert b"five\n" in (root / "run.sh").read_bytes()


@pytest.mark.parametrize(
    "base",
    [
        LINES.replace(b"\n", b"\r\n"),  # CRLF
        b"\xef\xbb\xbf" + LINES,  # UTF-8 byte-order mark
        LINES + b"last line without newline",
        b"caf\xe9 in Latin-1\n" + LINES + b"\xff\xfe stray bytes\n",
        b"mixed\r\n" + LINES + b"\r\nend\r",
    ],
    ids=["crlf", "bom", "no-final-newline", "latin-1", "mixed-endings"],
)
def test_bytes_outside_hunks_are_kept(workspace: Workspace, root: Path, base: bytes) -> None:
    put(root, "a.txt", base)
    new = base.replace(b"line 15", b"fifteen")
    change = modify("a.txt", base, new)

    workspace.apply_proposal(proposal_of(change), ids(change))

    assert (root / "a.txt").read_bytes() == new


def test_utf16_file_round_trips(workspace: Workspace, root: Path) -> None:
    base = LINES.decode().encode("utf-16")  # with its byte-order mark
    new = LINES.decode().replace("line 15", "fifteen").encode("utf-16")
    put(root, "wide.txt", base)
    change = modify("wide.txt", base, new)

    workspace.apply_proposal(proposal_of(change), ids(change))

    assert (root / "wide.txt").read_bytes() == new


# ---- create, delete, rename ------------------------------------------------------------


def test_new_file_in_a_new_folder(workspace: Workspace, root: Path) -> None:
    change = add("src/pkg/new.py", b"print('hi')\n")

    workspace.apply_proposal(proposal_of(change), ids(change))

    path = root / "src" / "pkg" / "new.py"
    assert path.read_bytes() == b"print('hi')\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_new_file_with_a_mode(workspace: Workspace, root: Path) -> None:
    change = add("tool.sh", b"#!/bin/sh\n", new_mode="100755")

    workspace.apply_proposal(proposal_of(change), ids(change))

    assert stat.S_IMODE((root / "tool.sh").stat().st_mode) == 0o755


def test_create_empty_file(workspace: Workspace, root: Path) -> None:
    hunk = Hunk("pkg/__init__.py", 0, 0, 0, 0, kind=HunkKind.CREATE_EMPTY)
    change = Change(path="pkg/__init__.py", status=FileStatus.ADDED, hunks=(hunk,))

    workspace.apply_proposal(proposal_of(change), {hunk.id})

    assert (root / "pkg" / "__init__.py").read_bytes() == b""


def test_delete_accepted(workspace: Workspace, root: Path) -> None:
    put(root, "old/only.txt", LINES)
    put(root, "keep.txt", b"keep\n")
    change = delete("old/only.txt", LINES)

    workspace.apply_proposal(proposal_of(change), ids(change))

    assert not (root / "old" / "only.txt").exists()
    assert not (root / "old").exists()  # emptied folders go, as with git
    assert (root / "keep.txt").exists()
    assert temp_leftovers(root) == []


def test_delete_of_an_empty_file(workspace: Workspace, root: Path) -> None:
    put(root, "empty.txt", b"")
    hunk = Hunk("empty.txt", 0, 0, 0, 0, kind=HunkKind.DELETE_EMPTY)
    change = Change(path="empty.txt", status=FileStatus.DELETED, hunks=(hunk,))

    workspace.apply_proposal(proposal_of(change), {hunk.id})

    assert not (root / "empty.txt").exists()


def test_delete_of_a_file_that_is_no_longer_empty_is_stale(
    workspace: Workspace, root: Path
) -> None:
    put(root, "empty.txt", b"something\n")
    hunk = Hunk("empty.txt", 0, 0, 0, 0, kind=HunkKind.DELETE_EMPTY)
    change = Change(path="empty.txt", status=FileStatus.DELETED, hunks=(hunk,))

    with pytest.raises(StaleBaseError, match="no longer empty"):
        workspace.apply_proposal(proposal_of(change), {hunk.id})


def test_delete_partially_accepted_keeps_the_rest(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    base_text = LINES.decode()
    hunks = hunks_from_texts("a.txt", base_text, "", context=0)
    # Split the one deletion hunk into two by hand: first ten lines, then the rest.
    first = Hunk("a.txt", 1, 10, 0, 0, kinds="-" * 10, texts=tuple(base_text.splitlines(True)[:10]))
    rest = Hunk("a.txt", 11, 20, 0, 0, kinds="-" * 20, texts=tuple(base_text.splitlines(True)[10:]))
    assert first.texts + rest.texts == hunks[0].texts
    # Made from the texts (as a review of a deletion splits it), not read from a patch.
    change = Change(
        path="a.txt", status=FileStatus.DELETED, hunks=(first, rest), base_text=base_text
    )

    workspace.apply_proposal(proposal_of(change), {first.id})

    assert (root / "a.txt").read_bytes() == LINES.split(b"\n", 10)[10]


def test_rename_accepted(workspace: Workspace, root: Path) -> None:
    put(root, "old/name.txt", LINES, mode=0o755)
    new = LINES.replace(b"line 5\n", b"five\n")
    change = rename("old/name.txt", "new/name.txt", LINES, new)

    written = workspace.apply_proposal(proposal_of(change), ids(change))

    assert (root / "new" / "name.txt").read_bytes() == new
    assert stat.S_IMODE((root / "new" / "name.txt").stat().st_mode) == 0o755
    assert not (root / "old").exists()
    assert [(w.path, w.vacates) for w in written] == [("new/name.txt", "old/name.txt")]


def test_rename_rejected_keeps_the_old_name(workspace: Workspace, root: Path) -> None:
    put(root, "old.txt", LINES)
    new = LINES.replace(b"line 5\n", b"five\n")
    change = rename("old.txt", "new.txt", LINES, new)

    workspace.apply_proposal(proposal_of(change), ids(change, kind=HunkKind.TEXT))

    assert (root / "old.txt").read_bytes() == new
    assert not (root / "new.txt").exists()


def test_rename_onto_an_existing_file_is_stale(workspace: Workspace, root: Path) -> None:
    put(root, "old.txt", LINES)
    put(root, "new.txt", b"someone else's\n")
    change = rename("old.txt", "new.txt", LINES, LINES)

    with pytest.raises(StaleBaseError, match="new.txt already exists"):
        workspace.apply_proposal(proposal_of(change), ids(change))


def test_only_plans_one_change(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES)
    put(root, "b.txt", LINES)
    first = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))
    second = modify("b.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))

    plan = workspace.plan(proposal_of(first, second), ids(first, second), only=second)

    assert [write.path for write in plan] == ["b.txt"]


def test_plan_describes_each_write(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", LINES, mode=0o600)
    change = modify("a.txt", LINES, LINES.replace(b"line 5\n", b"five\n"))

    plan = workspace.plan(proposal_of(change), ids(change))

    assert plan == [
        FileWrite(
            path="a.txt",
            data=LINES.replace(b"line 5\n", b"five\n"),
            mode=git_permissions(executable=False),  # as git apply rewrites it: 0600 goes
            expected_sha256=sha256_hex(LINES),
        )
    ]


def test_restore_puts_bytes_back(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", b"after\n", mode=0o755)
    put(root, "created.txt", b"new\n")

    workspace.restore([("a.txt", b"before\n"), ("created.txt", None), ("gone.txt", b"back\n")])

    assert (root / "a.txt").read_bytes() == b"before\n"
    assert stat.S_IMODE((root / "a.txt").stat().st_mode) == 0o755
    assert not (root / "created.txt").exists()
    assert (root / "gone.txt").read_bytes() == b"back\n"


def test_read_bytes(workspace: Workspace, root: Path) -> None:
    put(root, "a.txt", b"x")

    assert workspace.read_bytes("a.txt") == b"x"
    assert workspace.read_bytes("missing.txt") is None


# ---- deep folders ----------------------------------------------------------------------


def test_a_new_file_hundreds_of_folders_deep_is_written(workspace: Workspace, root: Path) -> None:
    # Deep enough to show the per-folder work does not grow with depth (the time is
    # `deep_path_write_ms` in the benchmark), shallow enough for pytest to clean up.
    rel = "/".join(["d"] * 400) + "/leaf.txt"
    workspace.write([FileWrite(rel, b"leaf\n", None, None)])
    assert (root / rel).read_bytes() == b"leaf\n"
    assert all(entry[0] != "link" for entry in snapshot(root).values())


def test_a_file_in_the_way_of_a_new_folder_is_refused_and_leaves_nothing(
    workspace: Workspace, root: Path
) -> None:
    put(root, "a/b/block", b"a file, not a folder\n")
    before = snapshot(root)
    with pytest.raises(UnsafePathError, match=r"a file stands where it needs a folder"):
        workspace.write([FileWrite("a/b/block/x/leaf.txt", b"leaf\n", None, None)])
    assert snapshot(root) == before


def test_new_folders_beyond_a_link_inside_the_workspace_are_made_in_its_target(
    workspace: Workspace, root: Path
) -> None:
    (root / "src").mkdir()
    (root / "current").symlink_to(root / "src", target_is_directory=True)
    workspace.write([FileWrite("current/pkg/sub/new.py", b"x = 1\n", None, None)])
    assert (root / "src" / "pkg" / "sub" / "new.py").read_bytes() == b"x = 1\n"
