"""`vetline OLD NEW`'s comparison: real files on disk, /dev/null on either side."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.images import encode, picture
from vetline.adapters.compare import compare_files, is_comparable
from vetline.core.errors import InputError
from vetline.core.model import FileStatus, HunkKind


def write(path: Path, data: str | bytes) -> str:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def test_two_text_files_give_one_change_named_after_new(tmp_path: Path) -> None:
    old = write(tmp_path / "old_pager.py", "a\nb\nc\n")
    new = write(tmp_path / "pager.py", "a\nB\nc\nd\n")
    proposal = compare_files(old, new)
    assert proposal is not None
    [change] = proposal.changes
    assert change.path == "pager.py"
    assert change.status is FileStatus.MODIFIED
    assert (change.base_text, change.new_text) == ("a\nb\nc\n", "a\nB\nc\nd\n")
    assert [(h.removed, h.added) for h in change.hunks] == [(1, 2)]
    # The same two files give the same proposal id (a second look is the same comparison).
    again = compare_files(old, new)
    assert again is not None and again.id == proposal.id


def test_dev_null_on_either_side_is_an_added_or_deleted_file(tmp_path: Path) -> None:
    file = write(tmp_path / "notes.md", "one\ntwo\n")
    added = compare_files(os.devnull, file)
    deleted = compare_files(file, os.devnull)
    assert added is not None and deleted is not None
    assert added.changes[0].status is FileStatus.ADDED
    assert added.changes[0].hunks[0].added == 2
    assert deleted.changes[0].status is FileStatus.DELETED
    assert deleted.changes[0].path == "notes.md"
    assert deleted.changes[0].hunks[0].removed == 2


def test_identical_files_are_no_comparison(tmp_path: Path) -> None:
    assert compare_files(write(tmp_path / "a", "x\n"), write(tmp_path / "b", "x\n")) is None


def test_binary_and_image_files(tmp_path: Path) -> None:
    binary = compare_files(write(tmp_path / "a.bin", b"\0\1"), write(tmp_path / "b.bin", b"\0\2"))
    assert binary is not None
    assert [h.kind for h in binary.changes[0].hunks] == [HunkKind.BINARY]
    pixels = picture(40, 30)
    changed = pixels.copy()
    changed[5:9, 10:14] = (0, 0, 255)
    before, after = encode(pixels, "PNG"), encode(changed, "PNG")
    image = compare_files(write(tmp_path / "a.png", before), write(tmp_path / "b.png", after))
    assert image is not None
    assert image.changes[0].image is not None
    assert [h.kind for h in image.changes[0].hunks] == [HunkKind.IMAGE_REGION]


def test_bad_sides_are_named(tmp_path: Path) -> None:
    file = write(tmp_path / "a.txt", "x\n")
    with pytest.raises(InputError, match="both sides"):
        compare_files(os.devnull, os.devnull)
    with pytest.raises(InputError, match="missing.txt: no such file"):
        compare_files(file, str(tmp_path / "missing.txt"))
    assert is_comparable(file) and is_comparable(os.devnull)
    assert not is_comparable(str(tmp_path)) and not is_comparable(str(tmp_path / "missing"))
