"""The MCP server's files: an owner-only token kept across starts, the running window's record."""

from __future__ import annotations

import json
import math
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vetline.adapters.mcp.server import clamp_wait
from vetline.adapters.mcp.state import (
    SERVER_FILE,
    TOKEN_FILE,
    NoServerError,
    announce,
    bearer_token,
    running_endpoint,
    withdraw,
)
from vetline.adapters.mcp.tickets import is_ticket, new_ticket


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_token_is_random_owner_only_and_kept(tmp_path: Path) -> None:
    token = bearer_token(tmp_path)
    assert len(token) >= 40
    assert stat.S_IMODE((tmp_path / TOKEN_FILE).stat().st_mode) == 0o600
    assert bearer_token(tmp_path) == token
    other = tmp_path / "other"
    other.mkdir()
    assert bearer_token(other) != token


def test_no_record_means_no_window(tmp_path: Path) -> None:
    with pytest.raises(NoServerError, match="no Vetline window is serving MCP"):
        running_endpoint(tmp_path)


def test_a_listening_window_is_found_and_its_record_removed_at_the_end(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        announced = announce(tmp_path, port)
        found = running_endpoint(tmp_path)
    assert found == announced
    assert found.url == f"http://127.0.0.1:{port}/mcp"
    assert found.pid == os.getpid()
    withdraw(tmp_path)
    assert not (tmp_path / SERVER_FILE).exists()


def test_a_record_left_by_a_dead_window_is_called_stale(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    record = {"url": f"http://127.0.0.1:{free_port}/mcp", "port": free_port, "pid": dead.pid}
    (tmp_path / SERVER_FILE).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(NoServerError, match=f"pid {dead.pid}"):
        running_endpoint(tmp_path)


def test_another_windows_record_is_not_withdrawn(tmp_path: Path) -> None:
    record = {"url": "http://127.0.0.1:1/mcp", "port": 1, "pid": os.getpid() + 1}
    (tmp_path / SERVER_FILE).write_text(json.dumps(record), encoding="utf-8")
    withdraw(tmp_path)
    assert (tmp_path / SERVER_FILE).exists()


@pytest.mark.parametrize(
    ("asked", "held"),
    [(-5.0, 0.0), (0.0, 0.0), (math.nan, 0.0), (12.5, 12.5), (50.0, 50.0), (1e9, 50.0)],
)
def test_the_agent_never_chooses_an_absurd_wait(asked: float, held: float) -> None:
    assert clamp_wait(asked) == held


def test_tickets_are_unguessable_and_recognised() -> None:
    first, second = new_ticket(), new_ticket()
    assert first != second
    assert is_ticket(first)
    assert not is_ticket("p1")
    assert not is_ticket("mcp-../../etc/passwd")
