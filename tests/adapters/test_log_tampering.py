"""A real log file cut, emptied, wrecked or swapped: opening refuses, verify exits 5."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.logkit import (
    checkpoint,
    decision,
    filled,
    page_size_and_count,
    raw_sql,
    vetline,
    wreck_page,
)
from vetline.adapters.decision_log import (
    LOG_FILE_NAME,
    DecisionLog,
    DecisionLogDamagedError,
    DecisionLogError,
    row_hash,
)
from vetline.adapters.log.head import head_path, read_head
from vetline.adapters.log.inspect import check_log
from vetline.core.errors import LogIntegrityError


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def log_path(data: Path) -> Path:
    return filled(data / LOG_FILE_NAME, 30)


def refused(path: Path) -> DecisionLogDamagedError:
    """Opening the log must fail as damaged, and must not touch the file."""
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(DecisionLogDamagedError) as caught:
        DecisionLog(path)
    assert (path.read_bytes() if path.exists() else None) == before
    assert caught.value.exit_code == 5
    assert isinstance(caught.value, LogIntegrityError)
    return caught.value


def verify_says(data: Path, expected: str) -> str:
    result = vetline("log", "verify", data_dir=data)
    assert result.returncode == 5, result.stdout + result.stderr
    assert expected in result.stderr
    return result.stderr


def empty_the_file(path: Path) -> None:
    path.write_bytes(b"")
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)


def remove_the_file(path: Path) -> None:
    empty_the_file(path)
    path.unlink()


def cut_in_half(path: Path) -> None:
    checkpoint(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def cut_inside_the_header(path: Path) -> None:
    checkpoint(path)
    path.write_bytes(path.read_bytes()[:10])


def delete_the_last_rows(path: Path) -> None:
    raw_sql(path, "DELETE FROM decisions WHERE seq > 25")


def delete_every_row(path: Path) -> None:
    raw_sql(path, "DELETE FROM decisions")


def rewrite_the_last_row(path: Path) -> None:
    """A forger who re-hashes the row they changed: the chain itself still holds."""
    with DecisionLog(path) as log:
        row = log.last_decision()
    assert row is not None
    row["verdict"] = "rejected" if row["verdict"] == "accepted" else "accepted"
    raw_sql(
        path, "UPDATE decisions SET verdict = ?, hash = ? WHERE seq = ?",
        row["verdict"], row_hash(row), row["seq"],
    )  # fmt: skip


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "emptied": (empty_the_file, "the log is empty (0 bytes), but its head file says it held 30"),
    "removed": (remove_the_file, "the log is missing, but its head file says it held 30"),
    "cut in half": (cut_in_half, "damaged"),
    "cut inside its header": (cut_inside_the_header, "no longer an SQLite file"),
    "last rows deleted": (
        delete_the_last_rows,
        "rows were cut off the end: the head file says 30 decisions, the log ends at row 25",
    ),
    "every row deleted": (delete_every_row, "the log holds no decisions"),
    "last row rewritten": (rewrite_the_last_row, "row 30 is not the row the head file names"),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damage_blocks_opening_and_verify_exits_5(name: str, data: Path, log_path: Path) -> None:
    damage, expected = DAMAGE[name]
    damage(log_path)

    error = refused(log_path)
    assert expected in str(error)
    assert "Nothing more is recorded in it" in str(error)
    verify_says(data, expected)
    assert not check_log(log_path).ok


def test_a_vanished_log_is_never_started_anew(data: Path, log_path: Path) -> None:
    remove_the_file(log_path)

    refused(log_path)
    refused(log_path)  # and not on a second try either

    assert not log_path.exists()
    export = vetline("log", "export", data_dir=data)
    assert export.returncode == 5
    assert "the log is missing" in export.stderr
    assert not log_path.exists()


def test_a_removed_log_and_head_with_copies_left_is_not_a_new_log(log_path: Path) -> None:
    remove_the_file(log_path)
    head_path(log_path).unlink()

    error = refused(log_path)

    assert "copies of it are in" in str(error)


def test_swapping_in_an_older_copy_is_noticed(data: Path, log_path: Path) -> None:
    older = data / "older.sqlite3"
    checkpoint(log_path)
    shutil.copyfile(log_path, older)
    filled(log_path, 5, start=31)
    checkpoint(log_path)

    shutil.copyfile(older, log_path)

    error = str(refused(log_path))
    assert "the head file says 35 decisions, the log ends at row 30" in error
    assert "`vetline log reseal` accepts it" in error  # the same log, cut: yours to accept
    verify_says(data, "rows were cut off the end")


def test_swapping_in_another_log_is_noticed(data: Path, log_path: Path) -> None:
    other = filled(data / "elsewhere" / LOG_FILE_NAME, 40)
    checkpoint(other)
    checkpoint(log_path)

    shutil.copyfile(other, log_path)

    error = str(refused(log_path))
    assert "this is not the log its head file describes" in error
    assert "reseal" not in error  # following it would take the other log for the real one
    assert "reseal" not in verify_says(data, "swapped for another log")


def test_reseal_refuses_another_log_until_its_head_file_is_moved_aside(
    data: Path, log_path: Path, tmp_path: Path
) -> None:
    real_id = read_head(head_path(log_path))
    assert real_id is not None
    other = filled(tmp_path / "elsewhere" / LOG_FILE_NAME, 40)
    other_head = read_head(head_path(other))
    assert other_head is not None
    checkpoint(other)
    checkpoint(log_path)
    shutil.copyfile(other, log_path)
    head_before = head_path(log_path).read_bytes()

    resealed = vetline("log", "reseal", data_dir=data)

    assert resealed.returncode == 1
    assert "this is another log" in resealed.stderr
    assert real_id.log_id[:12] in resealed.stderr and other_head.log_id[:12] in resealed.stderr
    assert "vetline log restore" in resealed.stderr
    assert head_path(log_path).read_bytes() == head_before  # nothing accepted
    assert vetline("log", "verify", data_dir=data).returncode == 5

    # Moving the head file aside is the deliberate way to keep the other log.
    head_path(log_path).rename(tmp_path / "real.head")
    resealed = vetline("log", "reseal", data_dir=data)
    assert resealed.returncode == 0, resealed.stderr
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 40 decisions\n"


def test_a_copy_that_went_its_own_way_is_another_log(
    data: Path, log_path: Path, tmp_path: Path
) -> None:
    """A copy of the same log, written to apart: its row where the head's last row should
    be is another row, so it is not offered a reseal."""
    apart = tmp_path / "apart"
    apart.mkdir()
    checkpoint(log_path)
    shutil.copyfile(log_path, apart / LOG_FILE_NAME)
    shutil.copyfile(head_path(log_path), head_path(apart / LOG_FILE_NAME))
    with DecisionLog(apart / LOG_FILE_NAME) as log:
        for number in range(31, 36):
            log.append(decision(number, reason="written apart"))
    filled(log_path, 5, start=31)
    checkpoint(apart / LOG_FILE_NAME)
    checkpoint(log_path)

    shutil.copyfile(apart / LOG_FILE_NAME, log_path)

    error = str(refused(log_path))
    assert "row 35 is not the row the head file names" in error
    assert "reseal" not in error
    resealed = vetline("log", "reseal", data_dir=data)
    assert resealed.returncode == 1
    assert "this is another log" in resealed.stderr


@pytest.mark.parametrize("seed", [7, 8])
def test_one_garbage_page_anywhere_is_damage(seed: int, data: Path, log_path: Path) -> None:
    filled(log_path, 300, start=31)  # several pages of rows and of the index
    checkpoint(log_path)
    pristine = log_path.read_bytes()
    _, pages = page_size_and_count(log_path)
    assert pages > 10
    for page in range(1, pages + 1):
        log_path.write_bytes(pristine)
        wreck_page(log_path, page, seed)

        report = check_log(log_path)
        assert not report.ok, f"page {page} of {pages} wrecked, yet the log passed"
        with pytest.raises(DecisionLogError):
            DecisionLog(log_path)
    verify_says(data, "altered")


def test_opening_runs_quick_check_and_names_the_damage(log_path: Path) -> None:
    filled(log_path, 300, start=31)
    checkpoint(log_path)
    _, pages = page_size_and_count(log_path)
    wreck_page(log_path, pages)  # the last page: a leaf of the table or of the index

    error = refused(log_path)

    assert "damaged" in str(error)
    assert error.problems


def test_the_head_file_gone_blocks_until_resealed(data: Path, log_path: Path) -> None:
    head_path(log_path).unlink()

    assert "head file" in str(refused(log_path))
    verify_says(data, "is missing, so rows cut off the end cannot be ruled out")

    resealed = vetline("log", "reseal", data_dir=data)
    assert resealed.returncode == 0, resealed.stderr
    assert "30 decisions" in resealed.stdout
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 30 decisions\n"


def test_a_garbage_head_file_is_damage(data: Path, log_path: Path) -> None:
    head_path(log_path).write_bytes(b"not a head\n")

    assert "head file" in str(refused(log_path))
    verify_says(data, "is damaged or not a Vetline log head")


def test_reseal_refuses_a_log_with_an_altered_row(data: Path, log_path: Path) -> None:
    raw_sql(log_path, "UPDATE decisions SET reason = 'forged' WHERE seq = 3")

    resealed = vetline("log", "reseal", data_dir=data)

    assert resealed.returncode == 1
    assert "row 3" in resealed.stderr


def test_a_head_behind_the_log_is_fine(log_path: Path) -> None:
    """A crash between the commit and the head's write leaves the head behind."""
    behind = head_path(log_path).read_bytes()
    filled(log_path, 2, start=31)
    head_path(log_path).write_bytes(behind)

    with DecisionLog(log_path) as log:
        assert log.verify().ok
        assert log.append(decision(33)) == 33
    head = read_head(head_path(log_path))
    assert head is not None
    assert head.rows == 33


def test_a_torn_head_slot_leaves_the_other(log_path: Path) -> None:
    data = bytearray(head_path(log_path).read_bytes())
    newer = 0 if b'"rows":30' in data[:256] else 256
    data[newer + 40 : newer + 60] = b"\x00" * 20  # a write cut short by a crash
    head_path(log_path).write_bytes(bytes(data))

    head = read_head(head_path(log_path))

    assert head is not None
    assert head.rows == 29
    with DecisionLog(log_path) as log:
        assert log.verify().ok


def test_rows_cut_while_the_log_is_open_block_the_next_append(log_path: Path) -> None:
    with DecisionLog(log_path) as log:
        delete_the_last_rows(log_path)

        with pytest.raises(DecisionLogDamagedError, match="rows were cut off the end"):
            log.append(decision(31))
        with pytest.raises(DecisionLogDamagedError):
            log.append(decision(31))  # and every append after it
    raw_rows = check_log(log_path).rows_checked
    assert raw_rows == 25


def test_a_log_replaced_while_open_blocks_the_next_append(data: Path, log_path: Path) -> None:
    with DecisionLog(log_path) as log:
        checkpoint(log_path)
        copy = data / "copy.sqlite3"
        shutil.copyfile(log_path, copy)
        copy.replace(log_path)

        with pytest.raises(DecisionLogDamagedError, match="replaced on disk"):
            log.append(decision(31))


def test_a_log_from_before_heads_gets_one_on_opening(data: Path, log_path: Path) -> None:
    raw_sql(log_path, "DROP TABLE log_meta")
    head_path(log_path).unlink()

    with DecisionLog(log_path) as log:
        assert log.verify().ok
        assert log.end().rows == 30
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 30 decisions\n"
    delete_the_last_rows(log_path)
    refused(log_path)


def test_verify_never_creates_a_log(data: Path) -> None:
    result = vetline("log", "verify", data_dir=data)

    assert result.returncode == 0
    assert result.stdout.startswith("no log yet")
    assert not (data / LOG_FILE_NAME).exists()


def test_apply_on_a_damaged_log_changes_nothing(data: Path, log_path: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "a.txt").write_text("one\ntwo\n", encoding="utf-8")
    patch = tmp_path / "change.diff"
    patch.write_text(
        "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n", encoding="utf-8"
    )
    delete_the_last_rows(log_path)

    result = vetline(
        "apply", str(patch), "--workspace", str(workspace), "--accept", "all", data_dir=data
    )

    assert result.returncode == 5
    assert "rows were cut off the end" in result.stderr
    assert (workspace / "a.txt").read_text(encoding="utf-8") == "one\ntwo\n"
    assert check_log(log_path).rows_checked == 25


def test_a_swapped_log_is_told_to_restore_the_real_logs_copy(
    data: Path, log_path: Path, tmp_path: Path
) -> None:
    """The advice names the real log's backup (by the head file's id), not "no good copy"."""
    real_copies = sorted((data / "log-backups").iterdir())
    assert real_copies  # closing the filled log made one
    other = filled(tmp_path / "elsewhere" / LOG_FILE_NAME, 40)
    checkpoint(other)
    checkpoint(log_path)
    shutil.copyfile(other, log_path)

    error = str(refused(log_path))
    assert "swapped for another log" in error
    assert f"puts back the newest good copy, {real_copies[-1].name}" in error
    assert "no good copy" not in error
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "a.txt").write_text("one\n", encoding="utf-8")
    patch = tmp_path / "change.diff"
    patch.write_text("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n", encoding="utf-8")
    applied = vetline(
        "apply", str(patch), "--workspace", str(workspace), "--accept", "all", data_dir=data
    )
    assert applied.returncode == 5
    assert real_copies[-1].name in applied.stderr
    assert "no good copy" not in applied.stderr
    assert real_copies[-1].name in verify_says(data, "swapped for another log")

    restored = vetline("log", "restore", data_dir=data)
    assert restored.returncode == 0, restored.stderr
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 30 decisions\n"
