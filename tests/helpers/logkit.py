"""Helpers for the decision log tests: decisions, raw SQL, and ways to damage a log file."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog
from vetline.core.model import Decision, Verdict

APP = Path(__file__).resolve().parents[2] / "app"


def decision(number: int, **overrides: object) -> Decision:
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
        "reason": f"reason {number}",
    }
    values.update(overrides)
    return Decision(**values)  # type: ignore[arg-type]


def filled(path: Path, count: int, *, start: int = 1, **options: int) -> Path:
    with DecisionLog(path, **options) as log:  # type: ignore[arg-type]
        for number in range(start, start + count):
            log.append(decision(number))
    return path


def raw_sql(path: Path, statement: str, *parameters: object) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(statement, parameters)


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so page damage lands on live pages."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def page_size_and_count(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    size = int.from_bytes(data[16:18], "big")
    return size, len(data) // size


def wreck_page(path: Path, page: int, seed: int = 7) -> None:
    """Overwrite one page (numbered from 1, as SQLite does) with random bytes."""
    size, _ = page_size_and_count(path)
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(random.Random(seed + page).randbytes(size))


def vetline(*args: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VETLINE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "vetline", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=timeout,
    )
