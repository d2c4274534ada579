"""What Windows and macOS need of a write: renames retried while another program holds
a file, and syncs that reach the drive. The holding program is a rename function that
refuses as Windows does (PermissionError, winerror 32) before doing the real rename."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.three_files import NEW, OLD, three_file_workspace
from vetline.adapters.files.atomic import (
    RENAME_ATTEMPTS,
    WorkspaceIOError,
    durable_sync,
    held_by_another_process,
    replace_file,
    replace_retrying,
    write_atomically,
)
from vetline.adapters.files.steps import steps_of
from vetline.adapters.files.transaction import Transaction
from vetline.adapters.files.workspace import FileWrite, Workspace
from vetline.core.model import sha256_hex


def sharing_violation(path: Path) -> PermissionError:
    """The error Windows raises when another process has `path` open without sharing."""
    error = PermissionError(13, "The process cannot access the file", str(path))
    error.winerror = 32  # type: ignore[attr-defined]
    return error


class HeldFile:
    """Refuses every rename onto `name` the first `times` times, then renames for real."""

    def __init__(self, name: str, times: int) -> None:
        self.name, self.times, self.calls = name, times, 0

    def __call__(self, source: Path, target: Path) -> None:
        if target.name == self.name:
            self.calls += 1
            if self.calls <= self.times:
                raise sharing_violation(target)
        replace_file(source, target)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return three_file_workspace(tmp_path)


def transaction(root: Path, rename: Callable[[Path, Path], None]) -> Transaction:
    """The three-file write a Workspace makes, moving files with `rename`."""
    workspace = Workspace(root)
    plan = [FileWrite(name, NEW[name], 0o644, sha256_hex(OLD[name])) for name in OLD]
    return Transaction(
        root, workspace.check_path, workspace.check_expected, steps_of(plan), rename=rename
    )


def contents(root: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(root.iterdir())}


def test_a_file_held_for_a_moment_is_written_after_a_retry(root: Path) -> None:
    held = HeldFile("b.txt", times=RENAME_ATTEMPTS - 1)
    transaction(root, held).run()
    assert contents(root) == NEW  # and no temp file or backup is left beside them
    assert held.calls == RENAME_ATTEMPTS


def test_a_file_held_all_along_is_named_and_nothing_is_changed(root: Path) -> None:
    held = HeldFile("b.txt", times=1_000)
    with pytest.raises(WorkspaceIOError) as refused:
        transaction(root, held).run()
    message = str(refused.value)
    assert "another program keeps b.txt open" in message
    assert f"tried {RENAME_ATTEMPTS} times" in message
    assert "nothing was changed" in message
    assert held.calls == RENAME_ATTEMPTS  # bounded
    assert contents(root) == OLD  # a.txt, already swapped in, was put back


def test_other_refusals_are_not_retried(tmp_path: Path) -> None:
    calls: list[Path] = []

    def read_only(source: Path, target: Path) -> None:
        calls.append(target)
        raise PermissionError(13, "Permission denied", str(target))

    with pytest.raises(PermissionError, match="Permission denied"):
        replace_retrying(tmp_path / "a", tmp_path / "b", read_only)
    assert len(calls) == 1
    assert not held_by_another_process(PermissionError(13, "Permission denied"))
    assert held_by_another_process(sharing_violation(tmp_path / "b"))


def test_one_file_written_atomically_waits_out_a_holder(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"old")
    write_atomically(target, b"new", rename=HeldFile("settings.json", times=2))
    assert target.read_bytes() == b"new"
    assert [path.name for path in tmp_path.iterdir()] == ["settings.json"]


def test_a_durable_sync_on_a_real_file_and_folder(tmp_path: Path) -> None:
    # F_FULLFSYNC on macOS, fsync elsewhere (and where a file system refuses F_FULLFSYNC).
    path = tmp_path / "x"
    path.write_bytes(b"x")
    descriptor = os.open(path, os.O_RDWR)
    try:
        durable_sync(descriptor)
    finally:
        os.close(descriptor)
    with pytest.raises(OSError):
        durable_sync(descriptor)  # closed: a sync that cannot happen is never skipped
