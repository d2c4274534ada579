"""Codex and SEARCH/REPLACE edits refused before review (a name no file should have, a
FIFO where a file should be) are kept in the decision log as a unified diff's are: a
`refused` row with the reason for each edit, and nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers.parity import run_vetline, snapshot, write_tree
from helpers.special_files import special_file
from vetline.core.hidden_text import quoted_name


def codex(name: str) -> bytes:
    return (
        "*** Begin Patch\n"
        "*** Update File: keep.txt\n@@\n-keep\n+kept\n"
        f"*** Update File: {name}\n@@\n one\n-two\n+2\n"
        "*** End Patch\n"
    ).encode()


def search_replace(name: str) -> bytes:
    return (
        "keep.txt\n<<<<<<< SEARCH\nkeep\n=======\nkept\n>>>>>>> REPLACE\n\n"
        f"{name}\n<<<<<<< SEARCH\ntwo\n=======\n2\n>>>>>>> REPLACE\n"
    ).encode()


NAMES = ["a\u202etxt.exe", "CON", "../../etc/hosts"]
FORMATS = {"codex": codex, "search-replace": search_replace}


def apply_logged(tmp_path: Path, source: bytes) -> tuple[int, str, list[dict[str, str]]]:
    """`vetline apply` of the source, accepting all: its exit, its error, the log's rows."""
    edits = tmp_path / "edits.txt"
    edits.write_bytes(source)
    data = ["--data-dir", str(tmp_path / "data")]
    code, _, error = run_vetline(
        *data, "apply", str(edits), "--workspace", str(tmp_path / "ws"), "--accept", "all"
    )
    exported, out, _ = run_vetline(*data, "log", "export")
    assert exported == 0
    return code, error, [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("name", NAMES, ids=ascii)
@pytest.mark.parametrize("make", FORMATS.values(), ids=FORMATS.keys())
def test_a_refused_name_is_logged_for_every_edit(tmp_path: Path, make: object, name: str) -> None:
    assert callable(make)
    write_tree(tmp_path / "ws", {"keep.txt": b"keep\n", "one.txt": b"one\ntwo\n"})
    before = snapshot(tmp_path / "ws")

    code, error, rows = apply_logged(tmp_path, make(name))

    assert code == 2
    assert f"refusing the path {quoted_name(name)}" in error
    assert snapshot(tmp_path / "ws") == before
    assert {row["verdict"] for row in rows} == {"refused"}
    assert {row["path"] for row in rows} == {"keep.txt", name}  # both edits, neither applied
    assert all(f"refusing the path {quoted_name(name)}" in row["reason"] for row in rows)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("make", FORMATS.values(), ids=FORMATS.keys())
def test_a_fifo_where_an_edit_reads_its_file_is_logged(tmp_path: Path, make: object) -> None:
    assert callable(make)
    write_tree(tmp_path / "ws", {"keep.txt": b"keep\n"})
    before = snapshot(tmp_path / "ws")
    with special_file(tmp_path / "ws" / "pipe.txt", "fifo"):
        code, error, rows = apply_logged(tmp_path, make("pipe.txt"))
    assert snapshot(tmp_path / "ws") == before  # the FIFO gone, nothing else there

    assert code == 2
    assert "refusing to read 'pipe.txt': it is a FIFO (named pipe)" in error
    assert {row["verdict"] for row in rows} == {"refused"}
    assert {row["path"] for row in rows} == {"keep.txt", "pipe.txt"}
    assert all("it is a FIFO" in row["reason"] for row in rows)
