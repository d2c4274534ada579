"""Hostile input is bounded: big sources refused unread, FIFOs and sockets never read,
and `check` leaves no trace on disk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S

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
        timeout=HANG_GUARD_S,
    )


def test_a_source_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[input]\nmax_source_mb = 1\n", encoding="utf-8")
    big = tmp_path / "big.patch"
    hunk = b"".join(b"+line %d\n" % number for number in range(200_000))
    big.write_bytes(b"--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,200000 @@\n" + hunk)
    assert big.stat().st_size > 1 << 20

    from_file = vetline("--config", str(config), "check", str(big))
    from_stdin = vetline("--config", str(config), "check", "-", stdin=big.read_bytes())

    for result in (from_file, from_stdin):
        assert result.returncode == 2
        assert b"larger than 1 MB" in result.stderr
        assert b"input.max_source_mb" in result.stderr


def test_a_source_under_the_cap_is_read(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[input]\nmax_source_mb = 1\n", encoding="utf-8")
    small = tmp_path / "small.patch"
    small.write_bytes(PATCH)
    assert vetline("--config", str(config), "check", str(small)).returncode == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_a_fifo_or_socket_named_by_a_proposal_is_refused_not_read(
    tmp_path: Path, kind: str
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    special = workspace / "a.txt"
    listener = None
    if kind == "fifo":
        os.mkfifo(special)
    else:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(special))
    try:
        patch = tmp_path / "fix.patch"
        patch.write_bytes(PATCH)
        edits = tmp_path / "edits.md"
        edits.write_bytes(b"a.txt\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n")
        data = ["--data-dir", str(tmp_path / "data")]

        applied = vetline(
            *data, "apply", str(patch), "--workspace", str(workspace), "--accept", "all"
        )
        searched = vetline(*data, "check", str(edits), "--workspace", str(workspace))
    finally:
        if listener is not None:
            listener.close()

    for result in (applied, searched):
        assert result.returncode == 2, result.stderr
        assert b"not a regular file" in result.stderr
        assert b"a.txt" in result.stderr


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


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_unread_as_a_source_or_settings_file(tmp_path: Path) -> None:
    source = tmp_path / "fix.patch"
    source.write_bytes(PATCH)
    data = ["--data-dir", str(tmp_path / "data")]

    as_source = vetline(*data, "check", "/dev/zero")
    as_settings = vetline(*data, "--config", "/dev/zero", "check", str(source))

    for result in (as_source, as_settings):
        assert result.returncode == 2, result.stderr
        assert b"/dev/zero: it is a character device" in result.stderr


def test_a_settings_file_far_too_big_is_refused_unread(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_bytes(b"# " + b"x" * (2 << 20) + b"\n[input]\nmax_source_mb = 1\n")
    source = tmp_path / "fix.patch"
    source.write_bytes(PATCH)

    result = vetline(
        "--data-dir", str(tmp_path / "data"), "--config", str(config), "check", str(source)
    )

    assert result.returncode == 2
    assert b"larger than 1 MB" in result.stderr
