"""Hostile input is bounded: `check` leaves no trace on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PATCH = b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n"


def vetline(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """A real process with a time limit: a read that waits forever must fail the test."""
    return subprocess.run(
        [sys.executable, "-m", "vetline", *args],
        input=stdin,
        capture_output=True,
        env=env if env is not None else dict(os.environ),
        check=False,
        timeout=60,
    )


def test_check_writes_nothing_not_even_a_settings_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    source = tmp_path / "fix.patch"
    source.write_bytes(PATCH)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VETLINE_", "XDG_")) and key != "HOME"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
    )

    result = vetline("check", str(source), env=env)

    assert result.returncode == 0, result.stderr
    assert list(home.rglob("*")) == []
