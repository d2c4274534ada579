"""The decision log on a real SQLite file: durable appends, a hash chain, exports."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S, REPO_ROOT
from vetline.adapters.decision_log import (
    APPLICATION_ID,
    COLUMNS,
    EXPORT_FIELDS,
    GENESIS_HASH,
    LATER_COLUMNS,
    SCHEMA_VERSION,
    DecisionLog,
    DecisionLogBusyError,
    DecisionLogError,
    decision_from_row,
    row_hash,
)
from vetline.core.errors import LogIntegrityError, VetlineError
from vetline.core.model import Decision, Verdict

APP = REPO_ROOT / "app"


def make_decision(number: int, **overrides: object) -> Decision:
    values: dict[str, object] = {
        "proposal_id": f"p{number % 3}",
        "hunk_id": f"h{number:04d}",
        "hunk_sha256": f"{number:064x}",
        "path": f"src/file{number}.py",
        "verdict": Verdict.ACCEPTED if number % 2 else Verdict.REJECTED,
        "decided_at": f"2025-01-01T00:00:{number % 60:02d}.000Z",
        "ms_on_screen": 100 + number,
        "reviewer": "ana",
        "level": 2,
        "agent": "aider",
        "model": "gpt-test",
        "added": number,
        "removed": 1,
        "reason": f"reason {number}",
    }
    values.update(overrides)
    return Decision(**values)  # type: ignore[arg-type]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "decisions.sqlite3"


@pytest.fixture
def log(log_path: Path) -> Iterator[DecisionLog]:
    with DecisionLog(log_path) as opened:
        yield opened


def fill(log: DecisionLog, count: int) -> None:
    for number in range(1, count + 1):
        log.append(make_decision(number))


def raw_sql(path: Path, statement: str, *parameters: object) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(statement, parameters)


def test_append_returns_seq_and_reads_back_every_field(log: DecisionLog) -> None:
    first = make_decision(1, edited_text="new text\n")
    second = make_decision(2, verdict=Verdict.UNDONE, undoes=1)

    assert log.append(first) == 1
    assert log.append(second) == 2

    rows = list(log.rows())
    assert [row["seq"] for row in rows] == [1, 2]
    assert decision_from_row(rows[0]) == first
    assert decision_from_row(rows[1]) == second
    assert rows[0]["prev_hash"] == GENESIS_HASH
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert rows[0]["verdict"] == "accepted"


def test_decisions_survive_reopening(log_path: Path) -> None:
    with DecisionLog(log_path) as log:
        fill(log, 3)
    with DecisionLog(log_path) as log:
        assert log.append(make_decision(4)) == 4
        assert log.verify().ok


def test_file_is_wal_with_a_schema_version(log: DecisionLog, log_path: Path) -> None:
    with closing(sqlite3.connect(log_path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_default_location_is_the_data_folder(tmp_path: Path) -> None:
    # conftest points VETLINE_DATA_DIR at a temp folder.
    with DecisionLog() as log:
        assert log.path.name == "decisions.sqlite3"
        assert log.path.exists()


def test_rows_reads_beyond_one_batch(log: DecisionLog) -> None:
    fill(log, 1203)

    assert [row["seq"] for row in log.rows()] == list(range(1, 1204))


def test_decisions_for_proposal_and_last_decision(log: DecisionLog) -> None:
    assert log.last_decision() is None
    fill(log, 7)

    assert [row["seq"] for row in log.decisions_for_proposal("p1")] == [1, 4, 7]
    last = log.last_decision()
    assert last is not None
    assert last["seq"] == 7
    assert last["hunk_id"] == "h0007"


def test_text_with_undecodable_bytes_is_stored(log: DecisionLog) -> None:
    # core.text decodes Latin-1 bytes as lone surrogates; SQLite cannot store those.
    log.append(make_decision(1, path="caf\udce9.txt", edited_text="x\udcff\n"))

    row = next(log.rows())
    assert row["path"] == "caf\\udce9.txt"
    assert log.verify().ok


def test_verify_passes_on_an_intact_log(log: DecisionLog) -> None:
    fill(log, 20)

    result = log.verify()

    assert result.ok
    assert result.rows_checked == 20
    assert result.first_bad_seq is None
    result.raise_if_broken()


def test_verify_on_an_empty_log(log: DecisionLog) -> None:
    assert log.verify().ok
    assert log.verify().rows_checked == 0


def test_verify_names_an_edited_row(log: DecisionLog, log_path: Path) -> None:
    fill(log, 30)
    raw_sql(log_path, "UPDATE decisions SET reason = 'looks fine' WHERE seq = 17")
    raw_sql(log_path, "UPDATE decisions SET ms_on_screen = 1 WHERE seq = 25")

    result = log.verify()

    assert not result.ok
    assert result.first_bad_seq == 17
    assert result.rows_checked == 16
    assert result.problem == "row 17: hash does not match its contents"
    with pytest.raises(LogIntegrityError, match="row 17"):
        result.raise_if_broken()


def test_verify_names_a_deleted_row(log: DecisionLog, log_path: Path) -> None:
    fill(log, 30)
    raw_sql(log_path, "DELETE FROM decisions WHERE seq = 20")

    result = log.verify()

    assert (result.ok, result.first_bad_seq) == (False, 20)
    assert result.problem == "row 20 is missing"


def test_verify_names_several_deleted_rows(log: DecisionLog, log_path: Path) -> None:
    fill(log, 30)
    raw_sql(log_path, "DELETE FROM decisions WHERE seq BETWEEN 20 AND 22")

    assert log.verify().problem == "rows 20 to 22 are missing"


def test_verify_catches_a_rehashed_forgery_at_the_next_row(
    log: DecisionLog, log_path: Path
) -> None:
    fill(log, 30)
    forged = next(row for row in log.rows() if row["seq"] == 17)
    forged["verdict"] = "accepted" if forged["verdict"] == "rejected" else "rejected"
    raw_sql(
        log_path,
        "UPDATE decisions SET verdict = ?, hash = ? WHERE seq = 17",
        forged["verdict"],
        row_hash(forged),
    )

    result = log.verify()

    assert result.first_bad_seq == 18
    assert result.problem == "row 18: prev_hash does not match row 17"


def test_verify_catches_a_forged_first_row(log: DecisionLog, log_path: Path) -> None:
    fill(log, 3)
    raw_sql(log_path, "UPDATE decisions SET prev_hash = ? WHERE seq = 1", "f" * 64)

    assert log.verify().problem == "row 1: prev_hash does not match the start of the chain"


def test_a_second_writer_waits_then_gets_a_clear_error(log_path: Path) -> None:
    with DecisionLog(log_path, busy_timeout_s=0.2) as log:
        log.append(make_decision(1))
        with closing(sqlite3.connect(log_path, isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(DecisionLogBusyError, match="busy .*another Vetline") as caught:
                log.append(make_decision(2))
            holder.execute("ROLLBACK")
        assert str(log_path) in str(caught.value)
        assert isinstance(caught.value, VetlineError)
        assert log.append(make_decision(2)) == 2
        assert log.verify().ok


WRITER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])
    from vetline.adapters.decision_log import DecisionLog
    from vetline.core.model import Decision, Verdict

    name = sys.argv[3]
    start = Path(sys.argv[2]).with_name("start")
    with DecisionLog(sys.argv[2], busy_timeout_s=30) as log:
        Path(sys.argv[2]).with_name(f"ready-{name}").touch()
        while not start.exists():
            time.sleep(0.005)
        for number in range(200):
            log.append(
                Decision(
                    proposal_id=name,
                    hunk_id=f"{name}-{number}",
                    hunk_sha256="0" * 64,
                    path="x.py",
                    verdict=Verdict.ACCEPTED,
                    decided_at="2025-01-01T00:00:00.000Z",
                    ms_on_screen=number,
                )
            )
            # SQLite's busy handler sleeps, so a writer that never pauses keeps the lock;
            # a short pause (a reviewer is slower still) lets the two interleave.
            time.sleep(0.002)
    """
)


def test_two_processes_append_concurrently(log_path: Path) -> None:
    # Create the file first, so both writers race on appends rather than on the schema.
    DecisionLog(log_path).close()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(APP), str(log_path), name])
        for name in ("left", "right")
    ]
    # Both writers open the log, then start together, so their appends interleave.
    ready = [log_path.with_name(f"ready-{name}") for name in ("left", "right")]
    deadline = time.monotonic() + 60
    while not all(path.exists() for path in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    log_path.with_name("start").touch()
    for writer in writers:
        assert writer.wait(timeout=HANG_GUARD_S) == 0

    with DecisionLog(log_path) as log:
        rows = list(log.rows())
        assert [row["seq"] for row in rows] == list(range(1, 401))
        for name in ("left", "right"):
            mine = [row["hunk_id"] for row in rows if row["proposal_id"] == name]
            assert mine == [f"{name}-{number}" for number in range(200)]
        result = log.verify()
        assert result.ok, result.problem
        assert result.rows_checked == 400
    writers_in_turn = [row["proposal_id"] for row in rows]
    switches = sum(a != b for a, b in itertools.pairwise(writers_in_turn))
    assert switches > 1, "the writers never overlapped, so this proved nothing"


def test_export_jsonl_parses_back(log: DecisionLog) -> None:
    fill(log, 5)
    out = io.StringIO()

    assert log.export("jsonl", out) == 5

    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 5
    first = records[0]
    assert list(first)[: len(EXPORT_FIELDS)] == list(EXPORT_FIELDS)
    assert list(first)[:16] == [
        "decided_at", "proposal_id", "hunk_id", "hunk_sha256", "path", "verdict", "reason",
        "ms_on_screen", "reviewer", "level", "agent", "model", "added", "removed",
        "prev_hash", "hash",
    ]  # fmt: skip
    assert first["verdict"] == "accepted"
    assert first["ms_on_screen"] == 101
    assert first["otel"] == {
        "event.name": "gen_ai.evaluation.result",
        "gen_ai.evaluation.name": "vetline.review",
        "gen_ai.evaluation.score.label": "accepted",
        "gen_ai.evaluation.explanation": "reason 1",
        "gen_ai.request.model": "gpt-test",
        "gen_ai.response.model": "gpt-test",  # no other model named: the one asked for
        "gen_ai.agent.name": "aider",
    }


def test_export_csv_parses_back(log: DecisionLog) -> None:
    fill(log, 4)
    log.append(make_decision(5, reason='with "quotes", commas\nand a newline'))
    out = io.StringIO(newline="")

    assert log.export("csv", out) == 5

    records = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(records) == 5
    assert list(records[0]) == list(EXPORT_FIELDS)
    assert records[4]["reason"] == 'with "quotes", commas\nand a newline'
    assert records[1]["prev_hash"] == records[0]["hash"]
    assert records[0]["undoes"] == ""


def test_export_refuses_an_unknown_format(log: DecisionLog) -> None:
    with pytest.raises(DecisionLogError, match="unknown export format"):
        log.export("xml", io.StringIO())  # type: ignore[arg-type]


def test_a_text_file_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("shopping list\n", encoding="utf-8")

    with pytest.raises(DecisionLogError, match=r"notes\.sqlite3 is not a Vetline decision log"):
        DecisionLog(path)
    assert path.read_text(encoding="utf-8") == "shopping list\n"


def test_another_apps_database_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw_sql(path, "CREATE TABLE songs (title TEXT)")

    with pytest.raises(DecisionLogError, match=r"other\.db is not a Vetline decision log"):
        DecisionLog(path)


def test_a_log_from_a_newer_vetline_is_refused(log_path: Path) -> None:
    DecisionLog(log_path).close()
    raw_sql(log_path, "PRAGMA user_version = 99")

    with pytest.raises(DecisionLogError, match="newer Vetline"):
        DecisionLog(log_path)


def test_a_corrupt_log_is_a_clear_error(log_path: Path) -> None:
    with DecisionLog(log_path) as log:
        fill(log, 300)
    with closing(sqlite3.connect(log_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(log_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size : page_size * 3] = b"\xa5" * (page_size * 2)  # wreck pages 2 and 3
    log_path.write_bytes(bytes(data))

    with pytest.raises(DecisionLogError, match=re.escape(str(log_path))):
        read_everything(log_path)


def read_everything(path: Path) -> None:
    with DecisionLog(path) as log:
        list(log.rows())
        log.verify()


def test_a_folder_is_not_a_log(tmp_path: Path) -> None:
    with pytest.raises(DecisionLogError, match="is a folder"):
        DecisionLog(tmp_path)


def test_a_first_schema_log_is_migrated_and_its_rows_still_verify(log_path: Path) -> None:
    """A log written before the `bulk` column: its hashes were made without it."""
    columns = [name for name in COLUMNS if name not in LATER_COLUMNS]
    with closing(sqlite3.connect(log_path)) as connection:
        connection.execute(
            "CREATE TABLE decisions (seq INTEGER PRIMARY KEY, "
            + ", ".join(f"{name}" for name in columns[1:])
            + ")"
        )
        previous = GENESIS_HASH
        for seq in (1, 2):
            row = {name: getattr(make_decision(seq), name) for name in columns[1:-2]}
            row["verdict"] = str(row["verdict"])
            row.update(seq=seq, prev_hash=previous)
            row["hash"] = previous = row_hash(row)
            connection.execute(
                f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608 - the table's own column names
                list(row.values()),
            )
        connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        connection.execute("PRAGMA user_version=1")
        connection.commit()
    with DecisionLog(log_path) as log:
        assert log.verify().ok
        log.append(make_decision(3, bulk=True))
        assert log.verify().ok
        assert [row["bulk"] for row in log.rows()] == [0, 0, 1]
        assert decision_from_row(log.last_decision() or {}).bulk is True
    with closing(sqlite3.connect(log_path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
