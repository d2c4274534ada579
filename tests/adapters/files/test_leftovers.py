"""What a killed write left beside its files is removed only when it is provably ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from vetline.adapters.files.atomic import backup, write_temp
from vetline.adapters.files.intents import WriteIntents, remove_unfinished_temps
from vetline.adapters.files.leftovers import clear_leftovers
from vetline.core.errors import UnsafePathError
from vetline.core.model import sha256_hex

OLD, NEW = b"old\n", b"new\n"
TAG = "0123456789abcdef"


def checker(root: Path):  # type: ignore[no-untyped-def]
    def check(rel: str) -> Path:
        if rel.startswith(".."):
            raise UnsafePathError(rel)
        return root / rel

    return check


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_bytes(OLD)
    return tmp_path


def names(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir())


def test_the_tagged_temp_and_backup_of_a_killed_write_are_removed(root: Path) -> None:
    temp = write_temp(root / "a.txt", b"half of the ne", 0o644, TAG)  # cut short: any bytes
    kept = backup(root / "a.txt", TAG)
    files = {"a.txt": (sha256_hex(OLD), sha256_hex(NEW))}

    notes = clear_leftovers(checker(root), files, TAG).notes

    assert names(root) == ["a.txt"]
    assert (root / "a.txt").read_bytes() == OLD
    removed = ", ".join(sorted([temp.name, kept.name]))
    assert notes == [f"removed what an interrupted write had left: {removed}"]


def test_untagged_leftovers_go_only_when_their_bytes_prove_them_ours(root: Path) -> None:
    complete = write_temp(root / "a.txt", NEW, 0o644)
    other = write_temp(root / "a.txt", b"someone else's bytes\n", 0o644)
    files = {"a.txt": (sha256_hex(OLD), sha256_hex(NEW))}

    notes = clear_leftovers(checker(root), files, TAG).notes

    assert not complete.exists()
    assert other.exists()  # not the bytes the write meant: kept, and named
    assert notes[1] == (
        f"a.txt: {other.name}, left by an interrupted write, was kept"
        " (it may hold the only copy of what was there)"
    )


def test_names_that_are_not_exactly_ours_and_other_writes_are_never_touched(
    root: Path,
) -> None:
    lookalikes = [
        "a.txt.vetline-tmp-abcdefgh",  # no leading dot
        ".a.txt.vetline-tmp-abcdefg",  # seven characters
        ".a.txt.vetline-tmp-abcdefghi",  # nine
        ".b.txt.vetline-tmp-abcdefgh",  # another file's (b.txt is not in the write)
        f".a.txt.vetline-tmp-{'f' * 16}-abcdefgh",  # another write's tag
        ".a.txt.vetline-backup-ABCDEFGH",  # capitals: never made by us
    ]
    for name in lookalikes:
        (root / name).write_bytes(NEW)
    (root / f".a.txt.vetline-tmp-{TAG}-abcdefgh").symlink_to(root / "a.txt")
    files = {"a.txt": (sha256_hex(OLD), sha256_hex(NEW)), "../outside": (None, None)}

    notes = clear_leftovers(checker(root), files, TAG).notes

    assert names(root) == sorted(["a.txt", f".a.txt.vetline-tmp-{TAG}-abcdefgh", *lookalikes])
    assert notes == [
        f"a.txt: .a.txt.vetline-tmp-{TAG}-abcdefgh beside it is not a regular file; left"
    ]


def test_a_backup_is_kept_when_the_file_changed_since(root: Path) -> None:
    kept = backup(root / "a.txt", TAG)
    (root / "a.txt").unlink()
    (root / "a.txt").write_bytes(b"edited after the crash\n")

    clear_leftovers(checker(root), {"a.txt": (sha256_hex(OLD), sha256_hex(NEW))}, TAG)

    assert kept.read_bytes() == OLD  # it may be the only copy of the old bytes


def test_unfinished_records_in_our_own_folders_are_removed(tmp_path: Path) -> None:
    intents = WriteIntents(tmp_path)
    intent = intents.record(tmp_path / "ws", {"a.txt": (None, None)}, [])
    unfinished = write_temp(intents.folder / "intent-0123456789abcdef.json", b"{", 0o600)
    foreign = intents.folder / ".notes.txt.vetline-tmp-abcdefgh"
    foreign.write_bytes(b"x")

    remove_unfinished_temps(intents.folder, "intent")

    assert not unfinished.exists()
    assert foreign.exists() and intent.file.exists()
    assert len(intent.tag) == 16


def test_after_a_completed_write_its_backups_are_only_clutter(root: Path) -> None:
    kept = backup(root / "a.txt", TAG)
    (root / "a.txt").unlink()
    (root / "a.txt").write_bytes(NEW)  # the write took place; its backup could not go
    files = {"a.txt": (sha256_hex(OLD), sha256_hex(NEW))}

    assert clear_leftovers(checker(root), files, TAG).left == (
        f"a.txt: {kept.name}, left by an interrupted write, was kept"
        " (it may hold the only copy of what was there)",
    )
    assert clear_leftovers(checker(root), files, TAG, completed=True).removed == (kept.name,)
    assert names(root) == ["a.txt"]
