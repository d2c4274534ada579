"""The MCP server's files in the data folder: its bearer token and where the running one listens.

The token is random, made once and kept owner-only (0600), so a host configured once keeps
working across restarts. The running window writes `mcp-server.json` (URL, port, pid) when
it starts serving and removes it when it stops; a file left by a process that died is told
apart by its pid and by nobody answering on its port.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.files.atomic import write_atomically
from vetline.core.errors import VetlineError

TOKEN_FILE = "mcp-token"  # noqa: S105 - the file's name, not a token
SERVER_FILE = "mcp-server.json"
PORT_FILE = "mcp-port"  # the last port served on, kept after the window closes
MCP_PATH = "/mcp"
_TOKEN_BYTES = 32


class NoServerError(VetlineError):
    """No review window serves MCP right now."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a running window serves MCP."""

    url: str
    port: int
    pid: int


def bearer_token(folder: Path) -> str:
    """The token every request must carry; made (owner-only) on first use."""
    path = folder / TOKEN_FILE
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = ""
    except (OSError, UnicodeDecodeError) as error:
        raise VetlineError(f"cannot read the MCP token {path}: {error}") from error
    if token:
        _owner_only(path)
        return token
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    write_atomically(path, token.encode("ascii") + b"\n", mode=0o600)
    _owner_only(path)
    return token


def endpoint_url(port: int) -> str:
    return f"http://127.0.0.1:{port}{MCP_PATH}"


def announce(folder: Path, port: int) -> Endpoint:
    """Write down that this process serves MCP on `port`."""
    endpoint = Endpoint(endpoint_url(port), port, os.getpid())
    document = {"url": endpoint.url, "port": endpoint.port, "pid": endpoint.pid}
    path = folder / SERVER_FILE
    write_atomically(path, json.dumps(document).encode("utf-8"), mode=0o600)
    _owner_only(path)
    write_atomically(folder / PORT_FILE, f"{port}\n".encode("ascii"), mode=0o600)
    return endpoint


def withdraw(folder: Path) -> None:
    """Remove the record, if it is still this process's (another window may have started)."""
    path = folder / SERVER_FILE
    found = _read_record(path)
    if found is not None and found.pid == os.getpid():
        path.unlink(missing_ok=True)


def last_port(folder: Path) -> int:
    """The port the last window served on (0 when unknown): worth trying again."""
    try:
        port = int((folder / PORT_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return 0
    return port if 1024 <= port <= 65535 else 0


def running_endpoint(folder: Path) -> Endpoint:
    """The running window's endpoint; NoServerError when none runs (or its file is stale)."""
    path = folder / SERVER_FILE
    found = _read_record(path)
    if found is None:
        raise NoServerError(
            "no Vetline window is serving MCP: start one (`vetline demo`, `vetline review …`)"
        )
    if not _process_alive(found.pid) or not _answers(found.port):
        raise NoServerError(
            f"no Vetline window is serving MCP: {path.name} is left from a window that is gone"
            f" (pid {found.pid}); start a new one"
        )
    return found


def _read_record(path: Path) -> Endpoint | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        url, port, pid = document["url"], document["port"], document["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(url, str) and isinstance(port, int) and isinstance(pid, int)):
        return None
    return Endpoint(url, port, pid)


def _process_alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # no cheap check without extra packages; the port check decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, though not ours
    return True


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _owner_only(path: Path) -> None:
    # On Windows chmod only sets read-only; the data folder is already per-user there.
    if sys.platform != "win32":
        path.chmod(0o600)
