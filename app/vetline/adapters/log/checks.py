"""Checks of the log's file: SQLite's own page checks, and what the file on disk says."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vetline.adapters.log.schema import SQLITE_MAGIC

_SHOWN = 5  # SQLite can list thousands of damaged pages; the first few name the problem


def page_problems(connection: sqlite3.Connection, *, thorough: bool = False) -> list[str]:
    """What SQLite's `quick_check` (or the slower `integrity_check`) finds wrong."""
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        found = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}({_SHOWN + 1})")]
    except sqlite3.DatabaseError as error:
        return [f"the file is damaged: {error}"]
    if found == ["ok"]:
        return []
    # One row may hold several lines; the "*** in database main ***" banner says nothing.
    lines = [line for text in found for line in text.splitlines() if not line.startswith("***")]
    shown = "; ".join(lines[:_SHOWN]) + ("; …" if len(lines) > _SHOWN else "")
    return [f"damaged pages: {shown}"]


def file_state(path: Path) -> str:
    """'missing', 'empty', 'sqlite' or 'foreign' (not an SQLite file, or cut inside its header)."""
    if path.is_dir():
        return "folder"
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return "missing"
    if not header:
        return "empty"
    return "sqlite" if header == SQLITE_MAGIC else "foreign"
