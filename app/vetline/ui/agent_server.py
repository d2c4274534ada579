"""Serves MCP while the window runs: agents' proposals join this window's queue.

Started with the window on its qasync loop. A proposal an agent sends is queued through
`ReviewController.open_proposals` (once no verdict is being written), decided with the
normal keys, and every finished command wakes the agents waiting for a verdict. The
port is written to the data folder for `vetline mcp-info`, and removed at the end.
The port is listened on from the start; the MCP SDK is loaded (in a thread) when the
first agent connects, and that connection waits for it (see adapters.mcp.port).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vetline.adapters.mcp.port import first_connection, listener
from vetline.adapters.mcp.state import Endpoint, announce, bearer_token, last_port, withdraw
from vetline.adapters.mcp.tickets import TicketStore
from vetline.core.errors import VetlineError
from vetline.core.hidden_text import escape_hidden
from vetline.core.model import Proposal
from vetline.operations.agent_desk import AgentDesk
from vetline.ui.controller import ReviewController

if TYPE_CHECKING:
    from vetline.adapters.mcp.server import McpService

_log = logging.getLogger(__name__)


class AgentServer:
    """The window's MCP server: its desk, its HTTP service, and its record in the data folder."""

    def __init__(
        self,
        controller: ReviewController,
        data_folder: Path,
        *,
        progress_every_s: float | None = None,
        longest_wait_s: float | None = None,
    ) -> None:
        """`progress_every_s` and `longest_wait_s` default to the server's own."""
        self.controller = controller
        self.data_folder = data_folder
        self.desk = AgentDesk(
            controller.session,
            controller.log,
            TicketStore(data_folder),
            self._queue,
            workspace=lambda: controller.write_root,
        )
        controller.command_finished.connect(self.desk.notice)
        self.token = bearer_token(data_folder)
        waits = {"progress_every_s": progress_every_s, "longest_wait_s": longest_wait_s}
        self._waits = {name: value for name, value in waits.items() if value is not None}
        self.service: McpService | None = None  # from the first connection on
        self.endpoint: Endpoint | None = None
        self._listener: socket.socket | None = None
        self._loading: asyncio.Future[None] | None = None
        self._stopped = False

    async def start(self) -> Endpoint:
        """Queue what agents sent before a restart and is still undecided, then listen."""
        waiting = self.desk.undecided()
        if waiting:
            self._queue(waiting)
        self._listener = listener(last_port(self.data_folder))
        self._loading = asyncio.ensure_future(self._serve_from_first_connection(self._listener))
        self._loading.add_done_callback(self._report_failure)
        self.endpoint = announce(self.data_folder, int(self._listener.getsockname()[1]))
        return self.endpoint

    async def _serve_from_first_connection(self, sock: socket.socket) -> None:
        await first_connection(sock)
        module = await asyncio.to_thread(importlib.import_module, "vetline.adapters.mcp.server")
        if self._stopped:
            return
        self.service = module.McpService(self.desk, self.token, **self._waits)
        await self.service.serve(sock)  # from here on, the server owns the socket

    def _report_failure(self, loading: asyncio.Future[None]) -> None:
        error = None if loading.cancelled() else loading.exception()
        if error is not None:
            _log.error("the MCP server did not start", exc_info=error)
            self.controller.problem.emit(f"Agents cannot connect over MCP: {error}")

    async def stop(self) -> None:
        withdraw(self.data_folder)
        self.endpoint = None
        self._stopped = True
        if self.service is not None:
            await self.service.stop()
            return
        if self._loading is not None:
            self._loading.cancel()  # it stops watching the socket before the socket closes
            await asyncio.gather(self._loading, return_exceptions=True)
        self._stop_listening()

    def stop_now(self) -> None:
        """At quit, when no coroutine can run any more: no new requests, no record left."""
        withdraw(self.data_folder)
        self.endpoint = None
        self._stopped = True
        if self.service is not None:
            self.service.stop_soon()
        else:
            self._stop_listening()

    def _stop_listening(self) -> None:
        """Before the server has loaded: the socket is still ours to close."""
        if self._loading is not None:
            self._loading.cancel()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _queue(self, proposals: Sequence[Proposal]) -> None:
        controller = self.controller

        def add() -> None:
            controller.open_proposals(proposals, None)
            names = ", ".join(
                escape_hidden(proposal.title or proposal.id) for proposal in proposals
            )
            controller.note.emit(f"From an agent: {names}")

        # Adding to the queue while a verdict is being written could race with it.
        controller.when_free(add)


def serve_agents(controller: ReviewController, data_folder: Path) -> AgentServer | None:
    """Start the window's MCP server in the background; a failure reaches the banner."""
    try:
        server = AgentServer(controller, data_folder)
    except VetlineError as error:
        controller.problem.emit(f"Agents cannot connect over MCP: {error}")
        return None

    async def start() -> None:
        try:
            await server.start()
        except (OSError, VetlineError) as error:
            controller.problem.emit(f"Agents cannot connect over MCP: {error}")

    controller.start(start())
    return server
