"""Exports carry the log's head, so an export cut short or thinned is noticed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helpers.logkit import decision, filled, vetline
from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
from vetline.adapters.log.export import check_export


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def log_path(data: Path) -> Path:
    path = filled(data / LOG_FILE_NAME, 6)
    with DecisionLog(path) as log:
        log.append(decision(7, edited_text="", reason='with "quotes", commas\nand a newline'))
        log.append(decision(8, edited_text="new text\n", undoes=3, bulk=True, kept="k1"))
        log.append(decision(9, path="caf\udce9.txt", rubber_stamp=True))
    return path


def exported(log_path: Path, fmt: str) -> str:
    out = io.StringIO(newline="")
    with DecisionLog(log_path) as log:
        log.export(fmt, out)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_record_names_the_head(fmt: str, log_path: Path) -> None:
    text = exported(log_path, fmt)
    with DecisionLog(log_path) as log:
        end = log.end()

    if fmt == "jsonl":
        records = [json.loads(line) for line in text.splitlines()]
    else:
        records = list(csv.DictReader(io.StringIO(text, newline="")))

    assert len(records) == 9
    assert {(int(r["head_seq"]), r["head_hash"]) for r in records} == {(9, end.last_hash)}
    assert check_export(io.StringIO(text, newline="")).ok
    assert check_export(io.StringIO(text, newline="")).rows_checked == 9


class AppendingOnFirstWrite(io.StringIO):
    """An output that, once the export has begun, has another opener append a decision."""

    def __init__(self, other: DecisionLog) -> None:
        super().__init__()
        self.other = other

    def write(self, text: str) -> int:
        if not self.getvalue():
            self.other.append(decision(10))
        return super().write(text)


def test_an_export_stops_at_the_end_it_began_with(log_path: Path) -> None:
    with DecisionLog(log_path) as log, DecisionLog(log_path) as other:
        assert other.warnings == []  # the same program twice is not "another Vetline"
        out = AppendingOnFirstWrite(other)
        log.export("jsonl", out)
        assert log.end().rows == 10

    lines = out.getvalue().splitlines()
    assert len(lines) == 9
    assert {json.loads(line)["head_seq"] for line in lines} == {9}
    assert check_export(lines).ok


def cut_last(lines: list[str], header: int) -> list[str]:
    return lines[:-1]


def drop_middle(lines: list[str], header: int) -> list[str]:
    return lines[: header + 3] + lines[header + 4 :]


def edit_a_verdict(lines: list[str], header: int) -> list[str]:
    changed = list(lines)
    changed[header + 2] = changed[header + 2].replace("accepted", "rejected", 1)
    assert changed != lines
    return changed


def emptied(lines: list[str], header: int) -> list[str]:
    return []


def cut_to_the_header(lines: list[str], header: int) -> list[str]:
    return lines[:header]


def only_the_first(lines: list[str], header: int) -> list[str]:
    return lines[: header + 1]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (emptied, "the export is empty"),
        (cut_to_the_header, "the export "),  # JSONL: empty; CSV: no records
        (only_the_first, "the export's head says 9 decisions, its records end at row 1"),
        (cut_last, "rows were cut off the end: the export's head says 9 decisions"),
        (drop_middle, "row 4 is missing"),
        (edit_a_verdict, "row 3: hash does not match its contents"),
    ],
)
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_damaged_export_is_noticed(
    fmt: str, damage: object, expected: str, data: Path, log_path: Path
) -> None:
    text = exported(log_path, fmt)
    # One record per line where the damage lands (the multi-line CSV reason is row 7).
    lines = text.splitlines(keepends=True)
    header = 1 if fmt == "csv" else 0
    lines = damage(lines, header)  # type: ignore[operator]
    export = data / f"export.{fmt}"
    export.write_text("".join(lines), encoding="utf-8", newline="")

    result = vetline("log", "verify", "--export", str(export), data_dir=data)
    assert result.returncode == 5
    assert expected in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_verify_passes_an_intact_export(fmt: str, data: Path, log_path: Path) -> None:
    export = data / f"export.{fmt}"
    export.write_text(
        vetline("log", "export", "--format", fmt, data_dir=data).stdout, encoding="utf-8"
    )

    result = vetline("log", "verify", "--export", str(export), data_dir=data)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"intact: 9 decisions in {export}\n"


def test_a_file_that_is_no_export_is_refused(data: Path, log_path: Path) -> None:
    export = data / "notes.jsonl"
    export.write_text('{"hello": 1}\n', encoding="utf-8")

    result = vetline("log", "verify", "--export", str(export), data_dir=data)

    assert result.returncode == 5
    assert "record 1 is not a log record" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_empty_logs_export_carries_its_head(fmt: str, data: Path) -> None:
    with DecisionLog(data / LOG_FILE_NAME):
        pass  # a log with no decisions yet
    text = vetline("log", "export", "--format", fmt, data_dir=data).stdout
    export = data / f"export.{fmt}"
    export.write_text(text, encoding="utf-8", newline="")

    result = vetline("log", "verify", "--export", str(export), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"intact: 0 decisions in {export}\n"

    lines = text.splitlines(keepends=True)
    export.write_text("".join(lines[:-1]), encoding="utf-8", newline="")  # its one record cut
    cut = vetline("log", "verify", "--export", str(export), data_dir=data)
    assert cut.returncode == 5
    assert "vetline: export altered: the export " in cut.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_head_record_beside_rows_is_damage(fmt: str, data: Path, log_path: Path) -> None:
    """An empty log's head record, set in front of a real export's rows, is noticed."""
    empty_data = data / "empty"
    with DecisionLog(empty_data / LOG_FILE_NAME):
        pass
    head = vetline("log", "export", "--format", fmt, data_dir=empty_data).stdout
    rows = vetline("log", "export", "--format", fmt, data_dir=data).stdout
    export = data / f"export.{fmt}"
    export.write_text(head + rows.split("\n", 1)[1] if fmt == "csv" else head + rows)

    result = vetline("log", "verify", "--export", str(export), data_dir=data)

    assert result.returncode == 5
    assert "record 1 has a head but no row" in result.stderr
