"""The log's SQLite schema: the decisions table, its migrations, and the log's own id."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from vetline.adapters.log.errors import DecisionLogError

# 2: the `bulk`, `kept`, `flagged` and `served_model` columns; 3: `kind` and `rubber_stamp`
SCHEMA_VERSION = 3
# PRAGMA application_id marks the file as ours ("VTLN"), so a stray SQLite file is refused.
APPLICATION_ID = int.from_bytes(b"VTLN", "big")
SQLITE_MAGIC = b"SQLite format 3\x00"

# Separate statements: executescript() would COMMIT the transaction that guards them.
_SCHEMA = (
    """
CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,
    decided_at TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    hunk_id TEXT NOT NULL,
    hunk_sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    ms_on_screen INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    level INTEGER NOT NULL,
    agent TEXT NOT NULL,
    model TEXT NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    edited_text TEXT,
    undoes INTEGER,
    bulk INTEGER NOT NULL DEFAULT 0,
    kept TEXT NOT NULL DEFAULT '',
    flagged TEXT NOT NULL DEFAULT '',
    served_model TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'hunk',
    rubber_stamp INTEGER NOT NULL DEFAULT 0,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)""",
    "CREATE INDEX decisions_by_proposal ON decisions (proposal_id, seq)",
)

# Schema 1 -> 2. Rows from before hold the defaults: not decided in bulk, nothing kept.
_MIGRATE_1_TO_2 = (
    "ALTER TABLE decisions ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE decisions ADD COLUMN kept TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE decisions ADD COLUMN flagged TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE decisions ADD COLUMN served_model TEXT NOT NULL DEFAULT ''",
)
# Schema 2 -> 3. Rows from before are about hunks (citations were not decided then)
# and were not judged against a reading time (not flagged as rubber stamps).
_MIGRATE_2_TO_3 = (
    "ALTER TABLE decisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'hunk'",
    "ALTER TABLE decisions ADD COLUMN rubber_stamp INTEGER NOT NULL DEFAULT 0",
)
_MIGRATIONS = {1: _MIGRATE_1_TO_2, 2: _MIGRATE_2_TO_3}  # from version: its statements

# The log's identity, named by its head file, so another log put in its place is noticed.
# A table of its own (not a schema version): an older Vetline reads the log as before.
_META = "CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def new_log_id() -> str:
    return secrets.token_hex(16)


def is_fresh(connection: sqlite3.Connection) -> bool:
    """True for an empty SQLite file (nothing of anyone's in it yet)."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return bool(application_id == 0 and version == 0 and tables == 0)


def create_schema(connection: sqlite3.Connection, log_id: str) -> None:
    """Make an empty file a log (inside the caller's transaction)."""
    for statement in _SCHEMA:
        connection.execute(statement)
    connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    set_log_id(connection, log_id)


def upgrade_schema(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a file that is not ours or is newer; migrate an older log in place."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if application_id != APPLICATION_ID:
        raise DecisionLogError(f"{path} is not a Vetline decision log")
    if version > SCHEMA_VERSION:
        raise DecisionLogError(
            f"{path} was written by a newer Vetline (log schema {version}, "
            f"this version reads up to {SCHEMA_VERSION})"
        )
    if version < SCHEMA_VERSION:
        # Migrated inside the caller's transaction: all of it, or none.
        for step in range(version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[step]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def log_id_of(connection: sqlite3.Connection) -> str | None:
    """The log's id, or None for a log from before ids were kept."""
    has_meta = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_meta'"
    ).fetchone()
    if has_meta is None:
        return None
    found = connection.execute("SELECT value FROM log_meta WHERE key = 'log_id'").fetchone()
    return None if found is None else str(found[0])


def set_log_id(connection: sqlite3.Connection, log_id: str) -> None:
    connection.execute(_META)
    connection.execute(
        "INSERT OR REPLACE INTO log_meta (key, value) VALUES ('log_id', ?)", (log_id,)
    )
