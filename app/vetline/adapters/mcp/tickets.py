"""Proposals agents sent over MCP, kept in the data folder so a restart loses none of them.

Each is stored as proposal JSON under `mcp-proposals/<ticket>.json` the moment it is
queued. The ticket (its proposal id) is random and unguessable: knowing it is what lets
an agent ask for the verdict, so no agent can read another's.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from vetline.adapters.formats.json_reader import parse_json
from vetline.adapters.formats.json_writer import write_proposal_file
from vetline.core.errors import VetlineError
from vetline.core.model import Proposal

FOLDER = "mcp-proposals"
TICKET_PREFIX = "mcp-"
_TICKET = re.compile(r"mcp-[A-Za-z0-9_-]{16,64}")


def new_ticket() -> str:
    return TICKET_PREFIX + secrets.token_urlsafe(18)


def is_ticket(text: str) -> bool:
    return _TICKET.fullmatch(text) is not None


class TicketStore:
    """The proposals agents submitted, by ticket."""

    def __init__(self, data_folder: Path) -> None:
        self.folder = data_folder / FOLDER

    def keep(self, proposal: Proposal) -> None:
        """Store a proposal whose id is a ticket (durably, before it is answered)."""
        if not is_ticket(proposal.id):
            raise VetlineError(f"not an MCP ticket: {proposal.id!r}")
        self.folder.mkdir(parents=True, exist_ok=True)
        write_proposal_file(self.folder / f"{proposal.id}.json", [proposal])

    def load(self, ticket: str) -> Proposal | None:
        """The proposal under `ticket`, or None when there is none (or it is not a ticket)."""
        if not is_ticket(ticket):
            return None
        path = self.folder / f"{ticket}.json"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise VetlineError(f"cannot read {path}: {error.strerror}") from error
        found = parse_json(data, str(path))
        return found[0] if found else None

    def tickets(self) -> list[str]:
        """Every stored ticket, oldest first."""
        try:
            paths = sorted(self.folder.glob("mcp-*.json"), key=lambda path: path.stat().st_mtime_ns)
        except OSError:
            return []
        return [path.stem for path in paths if is_ticket(path.stem)]
