"""The MCP port: listened on from the start, answered once the first agent connects.

The MCP SDK, its web server and their models cost most of a second of CPU and some
50 MB to import. The window listens on its port at once, so a host's configuration
works from the start: a connection waits in the socket's backlog, unaccepted, until
the server has loaded (on that first connection) and accepts it. Nothing here
imports the SDK.
"""

from __future__ import annotations

import asyncio
import socket
import sys

from vetline.core.errors import VetlineError

BACKLOG = 100  # connections that may wait for the server to load


def listener(preferred_port: int) -> socket.socket:
    """A socket listening on 127.0.0.1: `preferred_port` if it is free, else any free port."""
    for port in (preferred_port, 0) if preferred_port else (0,):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if sys.platform != "win32":
            # The last window's connections may linger in TIME_WAIT; on Windows this
            # option would let another program share the port, so it is left off there.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(BACKLOG)
        except OSError:
            sock.close()
            continue
        return sock
    raise VetlineError("no free port on 127.0.0.1 for the MCP server")


async def first_connection(sock: socket.socket) -> None:
    """Return once a connection waits on the listening `sock`; it is left for the server.

    An event loop that cannot watch a socket (Windows' proactor) returns at once, so the
    server loads straight away there.
    """
    loop = asyncio.get_running_loop()
    waiting: asyncio.Future[None] = loop.create_future()

    def ready() -> None:
        if not waiting.done():
            waiting.set_result(None)

    try:
        loop.add_reader(sock.fileno(), ready)
    except NotImplementedError:
        return
    try:
        await waiting
    finally:
        loop.remove_reader(sock.fileno())
