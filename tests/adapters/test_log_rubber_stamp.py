"""The `rubber_stamp` column: hash-neutral when false, migrated into a schema-2 log."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from helpers.logkit import decision, filled
from vetline.adapters.decision_log import SCHEMA_VERSION, DecisionLog, decision_from_row


def test_a_schema_2_log_gets_the_column_and_its_rows_still_verify(tmp_path: Path) -> None:
    path = filled(tmp_path / "decisions.sqlite3", 3)
    # The log as the previous Vetline wrote it: no kind or rubber_stamp column, version 2.
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("ALTER TABLE decisions DROP COLUMN rubber_stamp")
        connection.execute("ALTER TABLE decisions DROP COLUMN kind")
        connection.execute("PRAGMA user_version=2")
    with DecisionLog(path) as log:
        assert log.verify().ok
        log.append(decision(4, rubber_stamp=True))
        assert log.verify().ok
        assert [row["rubber_stamp"] for row in log.rows()] == [0, 0, 0, 1]
        assert decision_from_row(log.last_decision() or {}).rubber_stamp is True
        out = io.StringIO()
        log.export("jsonl", out)
    assert [json.loads(line)["rubber_stamp"] for line in out.getvalue().splitlines()] == [
        False,
        False,
        False,
        True,
    ]
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_a_changed_flag_breaks_the_chain(tmp_path: Path) -> None:
    path = filled(tmp_path / "decisions.sqlite3", 3)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE decisions SET rubber_stamp = 1 WHERE seq = 2")
    with DecisionLog(path) as log:
        result = log.verify()
    assert not result.ok
    assert result.first_bad_seq == 2
