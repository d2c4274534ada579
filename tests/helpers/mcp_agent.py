"""An agent as hosts run one: the MCP SDK's own client over streamable HTTP with a token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, HANG_GUARD_S

T = TypeVar("T")
WAIT_MS = HANG_GUARD_MS


@asynccontextmanager
async def connected(url: str, token: str) -> AsyncIterator[ClientSession]:
    """An initialised MCP client session; leaving the block disconnects it."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=HANG_GUARD_S) as http,
        streamable_http_client(url, http_client=http) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        yield session


def answer_of(result: Any) -> dict[str, Any]:
    """A tool's answer as the agent reads it (the JSON text); a tool error fails the test."""
    text = result.content[0].text
    assert not result.is_error, text
    parsed = json.loads(text)
    assert isinstance(parsed, dict)
    return parsed


def error_of(result: Any) -> str:
    assert result.is_error
    return str(result.content[0].text)


def start(work: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    return asyncio.ensure_future(work)


def finish(qtbot: QtBot, future: asyncio.Future[T]) -> T:
    """Let the qasync loop run until `future` is done; its result (or its error)."""
    qtbot.waitUntil(future.done, timeout=WAIT_MS)
    return future.result()
