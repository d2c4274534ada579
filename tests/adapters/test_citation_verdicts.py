"""Citation verdicts in the log (kind column, exports, a schema-2 log upgraded) and in an
inbox's verdict file."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from helpers.logkit import decision
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.inbox import Inbox, verdicts_from_items
from vetline.adapters.log.chain import decision_from_row
from vetline.adapters.log.export import check_export
from vetline.core.model import ItemKind
from vetline.core.session import ReviewSession

ANSWER = json.dumps(
    {
        "vetline": 1,
        "proposals": [
            {
                "id": "answer-1",
                "title": "Cited answer",
                "answer": "It fell [1] and was measured [2].",
                "citations": [
                    {"id": "c1", "locator": "a.txt", "quote": "it fell", "source_text": "it fell"},
                    {"id": "c2", "locator": "b.txt", "quote": "measured", "source_text": "x"},
                ],
            }
        ],
    }
)


def test_the_log_keeps_the_kind_and_exports_it(tmp_path: Path) -> None:
    with DecisionLog(tmp_path / "log.sqlite") as log:
        log.append(decision(1))
        log.append(decision(2, kind=ItemKind.CITATION, hunk_id="c1", path="https://e.org/x"))
        rows = list(log.rows())
        assert [row["kind"] for row in rows] == ["hunk", "citation"]
        assert decision_from_row(rows[1]).kind is ItemKind.CITATION
        assert log.verify().ok
        out = io.StringIO()
        log.export("jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [record["kind"] for record in records] == ["hunk", "citation"]
    assert check_export(out.getvalue().splitlines(keepends=True)).ok


def test_a_schema_2_log_is_upgraded_and_its_rows_still_verify(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    with DecisionLog(path) as log:
        log.append(decision(1))
    # As schema 2 left it: no kind or rubber_stamp column.
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("ALTER TABLE decisions DROP COLUMN kind")
        connection.execute("ALTER TABLE decisions DROP COLUMN rubber_stamp")
        connection.execute("PRAGMA user_version=2")
        connection.commit()
    with DecisionLog(path) as log:
        log.append(decision(2, kind=ItemKind.CITATION))
        assert log.verify().ok
        assert [row["kind"] for row in log.rows()] == ["hunk", "citation"]


def test_an_inbox_verdict_file_carries_the_citation_verdicts(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "answer.json").write_text(ANSWER)
    inbox = Inbox(folder, workspace=None)
    inbox.scan(now=0.0)
    (ready,) = inbox.scan(now=1.0).ready
    (proposal,) = ready.proposals
    session = ReviewSession(ready.proposals, record=lambda _d: 1, clock=lambda: 0.0)
    session.accept_current()
    session.reject_current("does not support")
    verdicts = verdicts_from_items(proposal, session.items, datetime(2026, 1, 1, tzinfo=UTC))
    completion = inbox.complete(ready.source, verdicts)
    saved = json.loads(completion.verdict_file.read_text())
    assert saved["accepted"] == [] and saved["rejected"] == []
    assert saved["citations"] == [
        {"citation_id": "c1", "verdict": "supported", "reason": ""},
        {"citation_id": "c2", "verdict": "not_supported", "reason": "does not support"},
    ]
