"""Binary patches made by real `git diff --binary`, decoded and applied to the real files."""

from __future__ import annotations

import dataclasses
import random
import zlib
from pathlib import Path

import pytest

from helpers.gitrepo import GitRepo
from vetline.adapters.formats.unified import parse_unified
from vetline.core.binary_patch import (
    BinaryPatchError,
    apply_delta,
    binary_new_content,
    decode_base85_line,
    git_blob_sha1,
    inflate,
)
from vetline.core.errors import InputError, StaleBaseError
from vetline.core.model import Change, FileStatus, HunkKind


def _noise(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo.init(tmp_path_factory.mktemp("binary") / "repo")
    big = _noise(1, 200_000)
    repo.write("edited.bin", big)  # a small edit: git writes deltas
    repo.write("replaced.bin", _noise(2, 3000))  # all new bytes: git writes literals
    repo.write("deleted.bin", b"\0gone" * 100)
    repo.write("renamed.bin", b"\0" + _noise(3, 5000))
    repo.commit("base")
    repo.write("edited.bin", big[:1000] + b"inserted" + big[1000:150_000] + big[150_100:])
    repo.write("replaced.bin", _noise(4, 4000))
    repo.remove("deleted.bin")
    repo.write("created.bin", b"\0new" + _noise(5, 777))
    repo.rename("renamed.bin", "moved.bin")
    repo.write("moved.bin", b"\0" + _noise(3, 5000) + b"tail")
    return repo


@pytest.fixture(scope="module")
def changes(repo: GitRepo) -> dict[str, Change]:
    (proposal,) = parse_unified(repo.diff("--binary"), "binary.patch")
    return {change.path: change for change in proposal.changes}


def _base(repo: GitRepo, change: Change) -> bytes | None:
    if change.binary_old is None:
        return None
    return repo.git("show", f"HEAD:{change.source_path}")


def test_each_binary_change_is_one_binary_hunk(changes: dict[str, Change]) -> None:
    assert sorted(changes) == [
        "created.bin",
        "deleted.bin",
        "edited.bin",
        "moved.bin",
        "replaced.bin",
    ]
    for change in changes.values():
        assert change.status is FileStatus.BINARY
        assert [hunk.kind for hunk in change.hunks] == [HunkKind.BINARY]
        assert change.hunks[0].texts == ()
    assert changes["moved.bin"].old_path == "renamed.bin"
    edited = changes["edited.bin"].binary_new
    assert edited is not None
    assert edited.is_delta
    assert changes["created.bin"].binary_old is None
    assert changes["deleted.bin"].binary_new is None


def test_new_content_equals_the_real_file(changes: dict[str, Change], repo: GitRepo) -> None:
    for path, change in changes.items():
        assert binary_new_content(change, _base(repo, change)) == repo.read(path), path


def test_the_reverse_side_rebuilds_the_old_file(changes: dict[str, Change], repo: GitRepo) -> None:
    change = changes["edited.bin"]
    old_side = change.binary_old
    assert old_side is not None
    assert old_side.data is not None
    assert old_side.is_delta
    new = repo.read("edited.bin")
    assert new is not None
    assert apply_delta(new, old_side.data) == _base(repo, change)


def test_blob_ids_are_gits(repo: GitRepo, changes: dict[str, Change]) -> None:
    data = repo.read("created.bin")
    assert data is not None
    assert git_blob_sha1(data) == repo.git("hash-object", "created.bin").decode().strip()
    assert changes["created.bin"].new_blob_sha1 == git_blob_sha1(data)


def test_a_changed_base_is_stale(changes: dict[str, Change], repo: GitRepo) -> None:
    change = changes["edited.bin"]
    base = _base(repo, change)
    assert base is not None
    with pytest.raises(StaleBaseError, match=r"edited.bin: the file on disk \(blob \w+\) is not"):
        binary_new_content(change, base[:-1] + b"!")
    with pytest.raises(StaleBaseError, match="does not exist"):
        binary_new_content(change, None)
    with pytest.raises(StaleBaseError, match="created.bin: the patch creates this file but it"):
        binary_new_content(changes["created.bin"], b"already here")


def test_a_delta_without_a_blob_id_still_checks_the_base_size(
    changes: dict[str, Change], repo: GitRepo
) -> None:
    change = dataclasses.replace(changes["edited.bin"], base_blob_sha1=None)
    base = _base(repo, change)
    assert base is not None
    with pytest.raises(StaleBaseError, match="the patch expects 200000"):
        binary_new_content(change, base + b"more")


def test_a_corrupt_payload_is_caught_by_the_new_blob_id(
    changes: dict[str, Change], repo: GitRepo
) -> None:
    change = changes["replaced.bin"]
    assert change.binary_new is not None
    assert change.binary_new.data is not None
    corrupt = dataclasses.replace(
        change, binary_new=dataclasses.replace(change.binary_new, data=change.binary_new.data[1:])
    )
    with pytest.raises(InputError, match="does not match its own blob id"):
        binary_new_content(corrupt, _base(repo, change))


def test_binary_files_differ_without_data_cannot_be_accepted(repo: GitRepo) -> None:
    (proposal,) = parse_unified(repo.diff(), "nodata.patch")
    by_path = {change.path: change for change in proposal.changes}
    with pytest.raises(InputError, match="carries no content"):
        binary_new_content(by_path["edited.bin"], repo.git("show", "HEAD:edited.bin"))
    # Deleting needs no content, only the right base.
    deleted = by_path["deleted.bin"]
    assert binary_new_content(deleted, repo.git("show", "HEAD:deleted.bin")) is None


def test_a_text_change_is_not_binary() -> None:
    (proposal,) = parse_unified(b"--- a/t\n+++ b/t\n@@ -1 +1 @@\n-a\n+b\n", "t.patch")
    with pytest.raises(ValueError, match="not a binary change"):
        binary_new_content(proposal.changes[0], b"a\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "empty line"),
        ("0abcde", "not a length letter"),
        ("Babc", "has 3 characters, its length letter says 5"),
        ("A\x7f\x7f\x7f\x7f\x7f", "not base85"),
        ("A\u00e9\u00e9\u00e9\u00e9\u00e9", "not base85"),
    ],
)
def test_bad_payload_lines(line: str, message: str) -> None:
    with pytest.raises(BinaryPatchError, match=message):
        decode_base85_line(line)


def test_inflate_stops_at_the_promised_size(tmp_path: Path) -> None:
    bomb = zlib.compress(b"\0" * 5_000_000)
    with pytest.raises(BinaryPatchError, match="inflates to 11 bytes, not 10"):
        inflate(bomb, 10)
    with pytest.raises(BinaryPatchError, match="truncated"):
        inflate(zlib.compress(b"hello")[:-4], 5)
    with pytest.raises(BinaryPatchError, match="does not inflate"):
        inflate(b"not zlib", 3)


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (b"\x03\x02\x00", "reserved opcode 0"),
        (b"\x03\x02\x90\x05", "copies past the end"),
        (b"\x03\x02\x05ab", "truncated"),
        (b"\x03\x02\x02ab\x01c", "makes more than its 2 bytes"),
        (b"\x03\x05\x02ab", "makes 2 bytes, not 5"),
        (b"\x04\x02\x02ab", "expects a 4-byte base"),
        (b"\x83", "truncated"),
    ],
)
def test_bad_deltas(delta: bytes, message: str) -> None:
    with pytest.raises(BinaryPatchError, match=message):
        apply_delta(b"abc", delta)


def test_a_delta_copies_and_inserts() -> None:
    # copy 3 bytes from offset 0, insert "XY", copy 1 byte from offset 1
    delta = b"\x03\x06" + b"\x90\x03" + b"\x02XY" + b"\x91\x01\x01"
    assert apply_delta(b"abc", delta) == b"abcXYb"
