"""Rolling copies of a real log, and putting one back when the log is damaged."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from helpers.logkit import checkpoint, decision, filled, page_size_and_count, vetline, wreck_page
from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog, DecisionLogDamagedError
from vetline.adapters.log.backups import GENERATIONS, backup_paths, check_copy, read_copy
from vetline.adapters.log.head import head_path, read_head


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def log_path(data: Path) -> Path:
    return data / LOG_FILE_NAME


def ends_of_copies(log_path: Path) -> list[int]:
    ends = []
    for path in backup_paths(log_path):
        copy = read_copy(path)
        assert copy is not None
        ends.append(copy.end.rows)
    return ends


def test_copies_are_made_every_n_appends_and_on_close(log_path: Path) -> None:
    with DecisionLog(log_path, backup_every=4) as log:
        assert backup_paths(log_path) == []  # an empty log needs no copy
        for number in range(1, 10):
            log.append(decision(number))
        assert ends_of_copies(log_path) == [4, 8]
    assert ends_of_copies(log_path) == [4, 8, 9]


def test_only_a_few_generations_are_kept(log_path: Path) -> None:
    filled(log_path, 12, backup_every=2)

    assert len(backup_paths(log_path)) == GENERATIONS
    assert ends_of_copies(log_path) == [8, 10, 12]


def test_a_half_copy_left_by_a_killed_process_is_removed_later(log_path: Path) -> None:
    filled(log_path, 3)
    folder = backup_paths(log_path)[0].parent
    abandoned = folder / ".decisions-20250101T000000000000Z.sqlite3.vetline-tmp-0a1b2c3d"
    abandoned.write_bytes(b"half a copy")
    os.utime(abandoned, (time.time() - 3600, time.time() - 3600))
    in_progress = folder / ".decisions-20250101T000000000001Z.sqlite3.vetline-tmp-4e5f6a7b"
    in_progress.write_bytes(b"another process is copying")

    filled(log_path, 1, start=4)

    assert not abandoned.exists()
    assert in_progress.exists()


def test_opening_copies_a_log_changed_since_its_last_copy(log_path: Path) -> None:
    filled(log_path, 3)
    for path in backup_paths(log_path):
        path.unlink()

    DecisionLog(log_path).close()
    assert ends_of_copies(log_path) == [3]
    DecisionLog(log_path).close()
    assert ends_of_copies(log_path) == [3]  # unchanged: no second copy


def test_a_copy_is_a_whole_log_on_its_own(log_path: Path) -> None:
    filled(log_path, 5)
    (copy,) = backup_paths(log_path)

    assert list(copy.parent.iterdir()) == [copy]  # no -wal or temp file beside it
    checked, result = check_copy(copy)
    assert result.ok
    assert checked is not None
    assert checked.end == read_head(head_path(log_path))


def test_restore_puts_back_the_newest_good_copy(data: Path, log_path: Path) -> None:
    filled(log_path, 10, backup_every=4)
    filled(log_path, 2, start=11)  # the copy on close holds all 12
    checkpoint(log_path)
    _, pages = page_size_and_count(log_path)
    wreck_page(log_path, pages)
    with pytest.raises(DecisionLogDamagedError, match="`vetline log restore` puts back"):
        DecisionLog(log_path)

    result = vetline("log", "restore", data_dir=data)

    assert result.returncode == 0, result.stderr
    assert "restored the decision log from decisions-" in result.stdout
    assert "12 decisions" in result.stdout
    assert "damaged pages" in result.stdout or "damaged:" in result.stdout
    (aside,) = data.glob(f"{LOG_FILE_NAME}.damaged-*[0-9]Z")
    assert aside.stat().st_size > 0  # kept, never deleted
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 12 decisions\n"
    with DecisionLog(log_path) as log:
        assert log.append(decision(13)) == 13


def test_restore_skips_a_damaged_copy(data: Path, log_path: Path) -> None:
    filled(log_path, 8, backup_every=4)  # copies at 4 and 8 (and none more on close)
    assert ends_of_copies(log_path) == [4, 8]
    newest = backup_paths(log_path)[-1]
    wreck_page(newest, page_size_and_count(newest)[1])
    log_path.write_bytes(b"")

    result = vetline("log", "restore", data_dir=data)

    assert result.returncode == 0, result.stderr
    assert "4 decisions" in result.stdout
    assert "The last 4 decisions the head named are not in it." in result.stdout
    head = read_head(head_path(log_path))
    assert head is not None
    assert head.rows == 4
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 4 decisions\n"


def test_restore_from_a_named_copy(data: Path, log_path: Path) -> None:
    filled(log_path, 8, backup_every=4)
    older = backup_paths(log_path)[0]
    log_path.write_bytes(b"")

    result = vetline("log", "restore", "--from", str(older), data_dir=data)

    assert result.returncode == 0, result.stderr
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 4 decisions\n"


def test_restore_refuses_a_copy_of_another_log(data: Path, log_path: Path) -> None:
    filled(log_path, 4)
    other = filled(data / "other" / LOG_FILE_NAME, 4)
    (other_copy,) = backup_paths(other)
    log_path.write_bytes(b"")

    result = vetline("log", "restore", "--from", str(other_copy), data_dir=data)

    assert result.returncode == 1
    assert "is a copy of another log" in result.stderr
    assert log_path.read_bytes() == b""


def test_restore_refuses_an_intact_log(data: Path, log_path: Path) -> None:
    filled(log_path, 3)

    result = vetline("log", "restore", data_dir=data)

    assert result.returncode == 1
    assert "is intact (3 decisions): nothing to restore" in result.stderr


def test_with_no_good_copy_a_new_log_is_started_only_when_asked(data: Path, log_path: Path) -> None:
    filled(log_path, 3)
    shutil.rmtree(log_path.parent / "log-backups")
    log_path.write_bytes(b"")

    error = vetline("log", "export", data_dir=data)
    assert error.returncode == 5
    assert "There is no good copy" in error.stderr
    assert "`vetline log restore --new`" in error.stderr
    refused = vetline("log", "restore", data_dir=data)
    assert refused.returncode == 1
    assert "there is no good copy" in refused.stderr

    started = vetline("log", "restore", "--new", data_dir=data)

    assert started.returncode == 0, started.stderr
    assert "started an empty decision log" in started.stdout
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 0 decisions\n"
    assert len(list(data.glob(f"{LOG_FILE_NAME}.damaged-*"))) == 2  # the log and its head
    with DecisionLog(log_path) as log:
        assert log.append(decision(1)) == 1


def test_backups_lists_each_copy_and_whether_it_is_good(data: Path, log_path: Path) -> None:
    filled(log_path, 8, backup_every=4)
    older = backup_paths(log_path)[0]
    wreck_page(older, 2)

    listing = vetline("log", "backups", data_dir=data).stdout.splitlines()

    assert len(listing) == 2
    assert "8 decisions" in listing[0]
    assert listing[0].endswith("good")
    assert "damaged" in listing[1]
