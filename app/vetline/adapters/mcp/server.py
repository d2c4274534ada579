"""The MCP tools and the streamable HTTP server that offers them on 127.0.0.1.

Hosts give up on a tool call after 60 s (Codex, Copilot CLI) or 5 minutes (Cursor, VS
Code), so no call waits for a human for long: `submit_proposal` answers at once with a
ticket, `get_verdict` waits at most `LONGEST_WAIT_S`, and `propose_change` sends progress
every `progress_every_s` and hands back the pending ticket after at most that long.
Responses stream as SSE (not `json_response`, which would drop the progress).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any, Protocol

import uvicorn
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

from vetline.adapters.mcp.bearer import BearerGate
from vetline.adapters.mcp.state import MCP_PATH
from vetline.core.errors import VetlineError

LONGEST_WAIT_S = 50.0  # under the 60 s after which the strictest hosts give up
PROGRESS_EVERY_S = 15.0
_log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Vetline shows your proposals to a human reviewer, who accepts or rejects each hunk. "
    "Call get_leash first and keep each proposal within its limits. submit_proposal (or "
    "propose_change) takes a unified diff, SEARCH/REPLACE blocks, a Codex '*** Begin Patch' "
    "or Vetline proposal JSON and answers with a proposal_id; poll get_verdict with it "
    "until status is 'decided'. Nothing is accepted until the reviewer says so."
)


class Desk(Protocol):
    """What the tools need from the review (operations.agent_desk.AgentDesk)."""

    def leash(self) -> dict[str, Any]: ...

    def submit(
        self, text: str, *, title: str = "", agent: str = "", model: str = ""
    ) -> dict[str, Any]: ...

    async def wait_for_decision(self, proposal_id: str, seconds: float) -> dict[str, Any]: ...


def clamp_wait(seconds: float, longest: float = LONGEST_WAIT_S) -> float:
    """A wait the agent asked for, held to 0..longest (NaN and negatives are 0)."""
    if not seconds > 0:
        return 0.0
    return min(float(seconds), longest)


def build_server(
    desk: Desk,
    *,
    progress_every_s: float = PROGRESS_EVERY_S,
    longest_wait_s: float = LONGEST_WAIT_S,
) -> MCPServer:
    """The MCP server with Vetline's four tools over `desk`."""
    server: MCPServer = MCPServer("vetline", instructions=INSTRUCTIONS, log_level="WARNING")

    # Every tool is a coroutine: the SDK runs plain functions in a worker thread, and the
    # desk belongs to the window's loop.

    @server.tool()
    async def get_leash() -> dict[str, Any]:
        """The reviewer's autonomy level and its limits per proposal (files, hunks, changed
        lines, denied paths): size your work to fit before you write it."""
        return desk.leash()

    @server.tool()
    async def submit_proposal(
        proposal: str, title: str = "", agent: str = "", model: str = ""
    ) -> dict[str, Any]:
        """Queue one proposal for the reviewer; answers at once with {proposal_id, status:
        "pending"}, or {status: "over_leash", reason, leash} (then it is not queued: split
        it). `proposal`: a unified diff, SEARCH/REPLACE blocks, a Codex patch or proposal
        JSON."""
        return _submitted(desk, proposal, title, agent, model)

    @server.tool()
    async def get_verdict(proposal_id: str, wait_seconds: float = 30.0) -> dict[str, Any]:
        """Wait up to wait_seconds (held to 0..50) for the reviewer's verdict. Answers
        {proposal_id, status: "pending"|"decided", hunks: [{id, path, verdict, reason,
        edited_text}]}. A pending answer is not a yes: ask again."""
        try:
            return await desk.wait_for_decision(
                proposal_id, clamp_wait(wait_seconds, longest_wait_s)
            )
        except VetlineError as error:
            raise ToolError(str(error)) from error

    @server.tool()
    async def propose_change(
        proposal: str,
        ctx: Context,
        title: str = "",
        agent: str = "",
        model: str = "",
        wait_seconds: float = LONGEST_WAIT_S,
    ) -> dict[str, Any]:
        """submit_proposal, then wait (held to at most 50 s, with progress notifications)
        for the verdict. If the reviewer has not decided by then, the pending ticket comes
        back: poll get_verdict with its proposal_id."""
        submitted = _submitted(desk, proposal, title, agent, model)
        if submitted.get("status") != "pending":
            return submitted
        ticket = str(submitted["proposal_id"])
        wait = clamp_wait(wait_seconds, longest_wait_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        waited = 0.0
        while True:
            await ctx.report_progress(waited, wait, "waiting for the reviewer's verdict")
            step = min(progress_every_s, max(0.0, deadline - loop.time()))
            answer = await desk.wait_for_decision(ticket, step)
            waited = min(wait, wait - (deadline - loop.time()))
            if answer["status"] != "pending" or loop.time() >= deadline:
                return answer

    return server


def _submitted(desk: Desk, proposal: str, title: str, agent: str, model: str) -> dict[str, Any]:
    try:
        return desk.submit(proposal, title=title, agent=agent, model=model)
    except VetlineError as error:
        raise ToolError(str(error)) from error


class _QuietServer(uvicorn.Server):
    """uvicorn inside the window: Ctrl+C and signals stay the window's own."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class McpService:
    """The server running on the current asyncio loop, on a port of 127.0.0.1."""

    def __init__(
        self,
        desk: Desk,
        token: str,
        *,
        progress_every_s: float = PROGRESS_EVERY_S,
        longest_wait_s: float = LONGEST_WAIT_S,
    ) -> None:
        mcp = build_server(desk, progress_every_s=progress_every_s, longest_wait_s=longest_wait_s)
        app = mcp.streamable_http_app(
            streamable_http_path=MCP_PATH,
            json_response=False,  # SSE: progress notifications reach the host
            transport_security=TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=["127.0.0.1:*", "localhost:*"],
                allowed_origins=["http://127.0.0.1:*", "http://localhost:*"],
            ),
            host="127.0.0.1",
        )
        config = uvicorn.Config(
            BearerGate(app, token), log_level="warning", lifespan="on", access_log=False
        )
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    async def serve(self, sock: socket.socket) -> int:
        """Answer on a listening socket (see adapters.mcp.port); returns its port once
        requests are taken. The server closes the socket when it stops."""
        self.port = int(sock.getsockname()[1])
        self._task = asyncio.ensure_future(self._server.serve(sockets=[sock]))
        ready = asyncio.ensure_future(self._server.ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            self._task.result()  # raises what stopped it
            raise VetlineError("the MCP server stopped as it started")
        return self.port

    def stop_soon(self) -> None:
        """Ask the server to stop at its next tick (when the loop can no longer be awaited)."""
        self._server.should_exit = True
        self._server.force_exit = True

    async def stop(self) -> None:
        """Stop answering; open tool calls end (their proposals stay queued)."""
        if self._task is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True  # long-polling calls must not hold the window open
        try:
            await self._task
        except Exception:  # noqa: BLE001 - a failure while closing must not stop the window closing
            _log.exception("the MCP server did not stop cleanly")
        self._task = None
        await _end_stream_watchers()


async def _end_stream_watchers() -> None:
    """End the task sse-starlette starts on the loop to watch for a server shutdown.

    It only ever notices uvicorn's own signal handlers, which the window does not install,
    so it would poll until the loop closes and then be reported as "destroyed but pending".
    """
    from sse_starlette import sse

    watcher_code = sse._shutdown_watcher.__code__
    watchers = [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "cr_code", None) is watcher_code
    ]
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
