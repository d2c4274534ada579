"""Serves MCP while the window runs: agents' proposals join this window's queue.

Started with the window on its qasync loop. A proposal an agent sends is queued through
`ReviewController.open_proposals` (once no verdict is being written), decided with the
normal keys, and every finished command wakes the agents waiting for a verdict. The
port is written to the data folder for `vetline mcp-info`, and removed at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from vetline.adapters.mcp.server import LONGEST_WAIT_S, PROGRESS_EVERY_S, McpService
from vetline.adapters.mcp.state import Endpoint, announce, bearer_token, last_port, withdraw
from vetline.adapters.mcp.tickets import TicketStore
from vetline.core.errors import VetlineError
from vetline.core.model import Proposal
from vetline.operations.agent_desk import AgentDesk
from vetline.ui.controller import ReviewController

_log = logging.getLogger(__name__)


class AgentServer:
    """The window's MCP server: its desk, its HTTP service, and its record in the data folder."""

    def __init__(
        self,
        controller: ReviewController,
        data_folder: Path,
        *,
        progress_every_s: float = PROGRESS_EVERY_S,
        longest_wait_s: float = LONGEST_WAIT_S,
    ) -> None:
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
        self.service = McpService(
            self.desk,
            self.token,
            progress_every_s=progress_every_s,
            longest_wait_s=longest_wait_s,
        )
        self.endpoint: Endpoint | None = None

    async def start(self) -> Endpoint:
        """Queue what agents sent before a restart and is still undecided, then serve."""
        waiting = self.desk.undecided()
        if waiting:
            self._queue(waiting)
        port = await self.service.start(last_port(self.data_folder))
        self.endpoint = announce(self.data_folder, port)
        return self.endpoint

    async def stop(self) -> None:
        withdraw(self.data_folder)
        self.endpoint = None
        await self.service.stop()

    def stop_now(self) -> None:
        """At quit, when no coroutine can run any more: no new requests, no record left."""
        withdraw(self.data_folder)
        self.endpoint = None
        self.service.stop_soon()

    def _queue(self, proposals: Sequence[Proposal]) -> None:
        controller = self.controller

        def add() -> None:
            controller.open_proposals(proposals, None)
            names = ", ".join(proposal.title or proposal.id for proposal in proposals)
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
