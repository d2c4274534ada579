"""`vetline mcp-stdio` as a stdio host runs it: a real subprocess, relaying to a real window."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import qasync
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.agent_window import SMALL_FIX, Window, close_window, decide, open_window, queued_ticket
from helpers.mcp_agent import answer_of, finish, start
from vetline.cli import main


@pytest.fixture
def reviewed(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Window]:
    opened = open_window(qtbot, tmp_path, "stdio")
    yield opened
    close_window(qtbot, opened)


@asynccontextmanager
async def relayed(data: Path, capsys: pytest.CaptureFixture[str]) -> AsyncIterator[ClientSession]:
    """An MCP client session with `vetline mcp-stdio` launched the way a stdio host does."""
    assert main(["--data-dir", str(data), "mcp-info", "--json"]) == 0
    stdio = json.loads(capsys.readouterr().out)["hosts"]["stdio"]["config"]["mcpServers"]
    command = stdio["vetline"]
    assert command["command"] == "vetline"
    relay = StdioServerParameters(
        command=sys.executable,  # `vetline` as this test's interpreter runs it
        args=["-m", "vetline", "--data-dir", str(data), *command["args"]],
        env=dict(os.environ),
    )
    async with (
        stdio_client(relay) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        yield session


def test_a_stdio_host_proposes_hears_progress_and_gets_the_verdict(
    qtbot: QtBot, reviewed: Window, capsys: pytest.CaptureFixture[str]
) -> None:
    progress: list[float] = []

    async def agent() -> tuple[dict[str, Any], dict[str, Any]]:
        async def heard(done: float, _total: float | None, _message: str | None) -> None:
            progress.append(done)

        async with relayed(reviewed.data, capsys) as session:
            leash = answer_of(await session.call_tool("get_leash", {}))
            verdict = answer_of(
                await session.call_tool(
                    "propose_change",
                    {"proposal": SMALL_FIX, "title": "through stdio", "agent": "stdio-host"},
                    progress_callback=heard,
                )
            )
            return leash, verdict

    waiting = start(agent())
    ticket = queued_ticket(qtbot, reviewed)
    assert reviewed.controller.session.proposals[-1].title == "through stdio"
    qtbot.waitUntil(
        lambda: bool(progress), timeout=HANG_GUARD_MS
    )  # progress came through the relay
    decide(qtbot, reviewed, reject="not via stdio")
    leash, verdict = finish(qtbot, waiting)
    assert leash["level"] == 2
    assert verdict["proposal_id"] == ticket
    assert verdict["status"] == "decided"
    assert verdict["hunks"][0]["verdict"] == "rejected"
    assert verdict["hunks"][0]["reason"] == "not via stdio"
