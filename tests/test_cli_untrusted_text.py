"""Names and texts from a proposal reach the terminal escaped, and never crash the output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import HANG_GUARD_S

LATIN1_PATCH = (
    b'diff --git "a/caf\\351.txt" "b/caf\\351.txt"\nindex 1111111..2222222 100644\n'
    b'--- "a/caf\\351.txt"\n+++ "b/caf\\351.txt"\n@@ -1 +1 @@\n-one\n+two\n'
)


def vetline_strict_utf8(*args: str, data_dir: Path) -> subprocess.CompletedProcess[bytes]:
    """A real process whose standard streams are strict UTF-8, as in an en_US.UTF-8 shell."""
    env = {
        **os.environ,
        "VETLINE_DATA_DIR": str(data_dir),
        "PYTHONIOENCODING": "utf-8:strict",
        "LC_ALL": "C.UTF-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "vetline", *args],
        capture_output=True,
        env=env,
        check=False,
        timeout=HANG_GUARD_S,
    )


def test_a_latin1_file_name_prints_escaped_without_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "latin1.patch"
    source.write_bytes(LATIN1_PATCH)

    listed = vetline_strict_utf8("check", str(source), data_dir=tmp_path / "data")
    as_json = vetline_strict_utf8("check", str(source), "--json", data_dir=tmp_path / "data")

    assert listed.returncode == 0, listed.stderr
    assert b"caf\\xe9.txt" in listed.stdout
    assert as_json.returncode == 0, as_json.stderr
    (proposal,) = json.loads(as_json.stdout)["proposals"]
    assert proposal["files"][0]["path"] == "caf\udce9.txt"  # the same name, read back


def test_a_latin1_name_in_an_error_prints_without_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "latin1.patch"
    source.write_bytes(LATIN1_PATCH)
    (tmp_path / "ws").mkdir()

    result = vetline_strict_utf8(
        "apply",
        str(source),
        "--workspace",
        str(tmp_path / "ws"),
        "--accept",
        "all",
        data_dir=tmp_path / "data",
    )

    assert result.returncode == 4
    assert b"Traceback" not in result.stderr
    assert b"caf\\xe9.txt" in result.stderr


def test_control_characters_in_a_search_replace_file_name_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    source = tmp_path / "edits.txt"
    source.write_bytes(
        b"evil\x1b[2Jname\xe2\x80\xae.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
    )

    result = vetline_strict_utf8(
        "check", str(source), "--workspace", str(tmp_path / "ws"), data_dir=tmp_path / "data"
    )

    assert result.returncode == 2
    assert b"\x1b" not in result.stderr
    assert "\u202e".encode() not in result.stderr
    assert "'evil⟨U+001B⟩[2Jname⟨U+202E⟩.py'".encode() in result.stderr
