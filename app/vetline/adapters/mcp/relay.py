"""`vetline mcp-stdio`: MCP over stdin/stdout, relayed to the running window's HTTP endpoint.

Some hosts only launch stdio servers. This relay is one: it reads the window's URL and
token from the data folder (as `vetline mcp-info` does) and passes every message both
ways unchanged, progress notifications included, so the host talks to the window's own
server. The relay holds no state of its own: a proposal lives in the window's queue.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Protocol, TextIO

import anyio
import httpx2
from mcp.client.streamable_http import streamable_http_client
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

from vetline.adapters.mcp.state import bearer_token, running_endpoint

# Like the SDK's own client: a response stream may stay open while a tool waits.
_TIMEOUT = httpx2.Timeout(30.0, read=300.0)


class _Sink(Protocol):
    async def send(self, item: SessionMessage, /) -> None: ...


def run_relay(folder: Path, errors: TextIO = sys.stderr) -> None:
    """Relay until the host closes stdin. NoServerError (before reading) when no window runs."""
    endpoint = running_endpoint(folder)
    token = bearer_token(folder)
    anyio.run(relay, endpoint.url, token, errors)


async def relay(url: str, token: str, errors: TextIO) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=_TIMEOUT) as http,
        streamable_http_client(url, http_client=http) as (from_window, to_window),
        stdio_server() as (from_host, to_host),
        anyio.create_task_group() as tasks,
    ):
        tasks.start_soon(_pass_on, from_window, to_host, errors, "from the window")
        await _pass_on(from_host, to_window, errors, "from the host")
        # The host closed stdin: it is done, and so is the relay.
        tasks.cancel_scope.cancel()


async def _pass_on(
    source: AsyncIterable[SessionMessage | Exception],
    target: _Sink,
    errors: TextIO,
    where: str,
) -> None:
    async for message in source:
        if isinstance(message, Exception):
            # Nothing to forward (a line that is not JSON-RPC, a lost connection); the
            # host's own request times out or gets the transport's error reply.
            print(f"vetline mcp-stdio: {where}: {message}", file=errors, flush=True)
            continue
        await target.send(message)
