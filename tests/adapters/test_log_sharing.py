"""Two real processes on one log: each is told of the other, both append, nothing breaks."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S
from helpers.command_line import wait_for_file
from helpers.logkit import APP, decision, filled, vetline
from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog, DecisionLogBusyError
from vetline.adapters.log.head import head_path, read_head
from vetline.adapters.log.presence import IN_USE_SUFFIX

# Opens the log, reports its warnings, then appends when told to and closes when told to.
HOLDER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])
    from vetline.adapters.decision_log import DecisionLog
    from vetline.core.model import Decision, Verdict

    log_path, signals = Path(sys.argv[2]), Path(sys.argv[3])

    def wait_for(name):
        while not (signals / name).exists():
            time.sleep(0.005)

    with DecisionLog(log_path) as log:
        (signals / "warnings").write_text("\\n".join(log.warnings), encoding="utf-8")
        (signals / "ready").touch()
        wait_for("append")
        for number in range(50):
            log.append(Decision("holder", f"h{number}", "0" * 64, "x.py", Verdict.ACCEPTED,
                                "2025-01-01T00:00:00.000Z", number))
        (signals / "appended").touch()
        wait_for("close")
    """
)

# Holds SQLite's write lock (as a long write would) until told to let go.
LOCKER = textwrap.dedent(
    """
    import sqlite3
    import sys
    import time
    from pathlib import Path

    signals = Path(sys.argv[2])
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    (signals / "locked").touch()
    while not (signals / "unlock").exists():
        time.sleep(0.005)
    connection.execute("ROLLBACK")
    """
)


def wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    wait_for_file(path, process, HANG_GUARD_S)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return filled(tmp_path / "data" / LOG_FILE_NAME, 3)


@pytest.fixture
def holder(log_path: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    signals = tmp_path / "signals"
    signals.mkdir()
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(APP), str(log_path), signals])
    try:
        wait_for(signals / "ready", process)
        yield process, signals
    finally:
        (signals / "append").touch()
        (signals / "close").touch()
        process.wait(timeout=HANG_GUARD_S)


def test_a_second_opener_is_told_and_both_append(
    log_path: Path, holder: tuple[subprocess.Popen[bytes], Path]
) -> None:
    process, signals = holder

    with DecisionLog(log_path) as log:
        (notice,) = log.warnings
        assert f"another Vetline has this decision log open (pid {process.pid}" in notice
        assert "both record into it safely" in notice
        assert log.others_open() == [f"pid {process.pid}, vetline"]
        (signals / "append").touch()
        for number in range(4, 54):
            log.append(decision(number))
        wait_for(signals / "appended", process)
        # The first opener, too, can ask who else is there now.
        assert (signals / "warnings").read_text(encoding="utf-8") == ""
        result = vetline("log", "verify", data_dir=log_path.parent)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "intact: 103 decisions\n"
        assert f"another Vetline has this decision log open (pid {process.pid}" in result.stderr
        assert f"pid {os.getpid()}" in result.stderr
    (signals / "close").touch()
    assert process.wait(timeout=HANG_GUARD_S) == 0

    with DecisionLog(log_path) as log:
        assert log.warnings == []
        result = log.verify()
        assert result.ok, result.problem
        assert result.rows_checked == 103
        assert {row["proposal_id"] for row in log.rows()} >= {"holder", "p0", "p1", "p2"}
        head = read_head(head_path(log_path))
        assert head == log.end()


def test_restore_refuses_while_another_process_has_the_log_open(
    log_path: Path, holder: tuple[subprocess.Popen[bytes], Path]
) -> None:
    process, _ = holder
    log_path.write_bytes(b"")

    result = vetline("log", "restore", data_dir=log_path.parent)

    assert result.returncode == 1
    assert f"close the other Vetline programs that have the log open first (pid {process.pid}" in (
        result.stderr
    )


def test_a_killed_opener_leaves_no_false_notice(log_path: Path, tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(APP), str(log_path), signals])
    wait_for(signals / "ready", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=HANG_GUARD_S)
    marks = log_path.with_name(log_path.name + IN_USE_SUFFIX)
    assert len(list(marks.glob("*.lock"))) == 1  # the killed process's mark is still there

    with DecisionLog(log_path) as log:
        assert log.warnings == []
        assert len(list(marks.glob("*.lock"))) == 1  # only ours now
        log.append(decision(4))
    assert list(marks.glob("*.lock")) == []


def test_a_writer_held_up_by_another_process_gets_an_error_not_a_hang(
    log_path: Path, tmp_path: Path
) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    with DecisionLog(log_path, busy_timeout_s=0.3) as log:
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(log_path), signals])
        try:
            wait_for(signals / "locked", locker)
            with pytest.raises(DecisionLogBusyError, match="busy .*another Vetline"):
                log.append(decision(4))
            with pytest.raises(DecisionLogBusyError):
                DecisionLog(log_path, busy_timeout_s=0.3)
        finally:
            (signals / "unlock").touch()
            locker.wait(timeout=HANG_GUARD_S)
        assert log.append(decision(4)) == 4
        assert log.verify().ok


def test_the_head_keeps_up_with_two_writers(log_path: Path, tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(APP), str(log_path), signals])
    try:
        wait_for(signals / "ready", process)
        with DecisionLog(log_path) as log:
            (signals / "append").touch()
            while not (signals / "appended").exists():
                assert process.poll() is None
                log.append(decision(9))
            log.append(decision(10))
            assert read_head(head_path(log_path)) == log.end()
    finally:
        (signals / "close").touch()
        assert process.wait(timeout=HANG_GUARD_S) == 0
    with closing(sqlite3.connect(log_path)) as connection:
        total = connection.execute("SELECT count(*) FROM decisions").fetchone()[0]
    assert total > 53


def test_two_processes_making_a_new_log_at_once_share_it(tmp_path: Path) -> None:
    log_path = tmp_path / "fresh" / LOG_FILE_NAME
    holders = []
    for name in ("left", "right"):
        signals = tmp_path / name
        signals.mkdir()
        holders.append(
            (
                subprocess.Popen([sys.executable, "-c", HOLDER, str(APP), str(log_path), signals]),
                signals,
            )
        )
    for process, signals in holders:
        wait_for(signals / "ready", process)
        (signals / "append").touch()
    for process, signals in holders:
        wait_for(signals / "appended", process)
        (signals / "close").touch()
        assert process.wait(timeout=HANG_GUARD_S) == 0

    with DecisionLog(log_path) as log:
        result = log.verify()
        assert result.ok, result.problem
        assert result.rows_checked == 100
        assert read_head(head_path(log_path)) == log.end()
