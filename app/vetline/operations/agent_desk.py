"""Where agents' proposals meet the reviewer: queue them within the leash, answer verdicts.

The MCP server calls this desk; the window gives it the review session, the decision log
and a way to queue proposals (`ReviewController.open_proposals`), and tells it after every
command so waiting agents wake up. A verdict is read from the decision log by proposal id,
so it is the same before and after a restart of the window, and silence is never consent:
a hunk nobody decided stays "pending".
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vetline.adapters.decision_log import DecisionLog, Row
from vetline.adapters.inputs import load_bytes
from vetline.adapters.mcp.tickets import TicketStore, new_ticket
from vetline.core.errors import InputError
from vetline.core.leash import Level
from vetline.core.model import Proposal, Verdict
from vetline.core.session import ReviewSession

PENDING = "pending"
DECIDED = "decided"
OVER_LEASH = "over_leash"
SOURCE_NAME = "the proposal"
_IN_FORCE = {Verdict.ACCEPTED, Verdict.REJECTED, Verdict.EDITED}
_CLEARS = {Verdict.UNDONE, Verdict.NOT_APPLIED}


class AgentDesk:
    """Agents' side of the review: submit within the leash, then read or await verdicts."""

    def __init__(
        self,
        session: ReviewSession,
        log: DecisionLog,
        store: TicketStore,
        queue: Callable[[Sequence[Proposal]], None],
        *,
        workspace: Callable[[], Path | None] = lambda: None,
    ) -> None:
        self.session = session
        self.log = log
        self.store = store
        self._queue = queue
        self._workspace = workspace
        self._changed = asyncio.Event()

    # --- what agents ask ----------------------------------------------------------------

    def leash(self) -> dict[str, Any]:
        """The current level and its limits, for an agent to size its work."""
        level = Level(self.session.level)
        limits = self.session.leash.limits[level]
        return {
            "level": int(level),
            "title": level.title,
            "max_files": limits.max_files,
            "max_hunks": limits.max_hunks,
            "max_changed_lines": limits.max_changed_lines,
            "denied_paths": list(self.session.leash.denied_paths),
        }

    def submit(
        self, text: str, *, title: str = "", agent: str = "", model: str = ""
    ) -> dict[str, Any]:
        """Queue one proposal (any format Vetline reads) and answer with its ticket at once.

        A proposal over the leash is answered with the limits and the reason, and is not
        queued. Unreadable text raises InputError naming what is wrong.
        """
        found = load_bytes(text.encode("utf-8"), SOURCE_NAME, self._workspace())
        if len(found) != 1:
            raise InputError(
                f"{SOURCE_NAME} holds {len(found)} proposals: send exactly one per call"
            )
        proposal = _as_submitted(found[0], new_ticket(), title=title, agent=agent, model=model)
        if not proposal.hunks and not proposal.citations:
            raise InputError(
                f"{SOURCE_NAME} changes nothing and cites nothing: there is nothing to review"
            )
        violations = self.session.leash.check(proposal, self.session.level)
        if violations:
            return {
                "status": OVER_LEASH,
                "reason": "; ".join(violation.message for violation in violations),
                "leash": self.leash(),
            }
        self.store.keep(proposal)  # durable before the agent hears its ticket
        self._queue([proposal])
        return {"proposal_id": proposal.id, "status": PENDING, "hunks": len(proposal.hunks)}

    def verdict(self, proposal_id: str) -> dict[str, Any]:
        """{proposal_id, status: pending|decided, hunks: [{id, path, verdict, reason,
        edited_text}], citations: [{id, verdict, reason}]}, for a ticket this desk handed
        out; InputError for any other id."""
        stored = self.store.load(proposal_id)
        if stored is None:
            raise InputError(f"no proposal sent over MCP has the id {proposal_id!r}")
        hunks = self._hunks_of(stored)
        rows = self.log.decisions_for_proposal(proposal_id)
        in_force = _in_force(rows, "hunk")
        cited = _in_force(rows, "citation")
        citations: list[dict[str, Any]] = [
            {
                "id": citation.id,
                "verdict": str(cited[citation.id]["verdict"]) if citation.id in cited else PENDING,
                "reason": str(cited[citation.id]["reason"] or "") if citation.id in cited else "",
            }
            for citation in stored.citations
        ]
        answers: list[dict[str, Any]] = []
        for hunk_id, path in hunks:
            row = in_force.get(hunk_id)
            answers.append(
                {
                    "id": hunk_id,
                    "path": path,
                    "verdict": str(row["verdict"]) if row is not None else PENDING,
                    "reason": str(row["reason"] or "") if row is not None else "",
                    "edited_text": row["edited_text"] if row is not None else None,
                }
            )
        decided = all(answer["verdict"] != PENDING for answer in [*answers, *citations])
        return {
            "proposal_id": proposal_id,
            "status": DECIDED if decided else PENDING,
            "hunks": answers,
            "citations": citations,
        }

    async def wait_for_decision(self, proposal_id: str, seconds: float) -> dict[str, Any]:
        """The verdict once it is decided, or as it stands after `seconds`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, seconds)
        while True:
            answer = self.verdict(proposal_id)
            left = deadline - loop.time()
            if answer["status"] == DECIDED or left <= 0:
                return answer
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), timeout=left)
            except TimeoutError:
                return self.verdict(proposal_id)

    # --- what the window tells ----------------------------------------------------------

    def notice(self) -> None:
        """A command finished: every waiting agent looks again."""
        self._changed.set()
        self._changed = asyncio.Event()

    def undecided(self) -> list[Proposal]:
        """Stored proposals not yet decided (to queue again when a window starts)."""
        queued = {proposal.id for proposal in self.session.proposals}
        waiting = []
        for ticket in self.store.tickets():
            if ticket in queued:
                continue
            proposal = self.store.load(ticket)
            if proposal is not None and self.verdict(ticket)["status"] == PENDING:
                waiting.append(proposal)
        return waiting

    def _hunks_of(self, stored: Proposal) -> list[tuple[str, str]]:
        """(hunk id, path) as the queue has them now (a split makes new hunks), else as sent."""
        live = [
            (item.hunk.id, item.change.path)
            for proposal in self.session.proposals
            if proposal.id == stored.id
            for item in self.session.items_of(proposal)
            if item.citation is None
        ]
        return live or [(hunk.id, hunk.path) for hunk in stored.hunks]


def _as_submitted(
    proposal: Proposal, ticket: str, *, title: str, agent: str, model: str
) -> Proposal:
    """The proposal under its ticket, with the agent's name and title when it gave them."""
    named = proposal.agent
    if agent or model:
        named = dataclasses.replace(named, name=agent or named.name, model=model or named.model)
    return dataclasses.replace(proposal, id=ticket, title=title or proposal.title, agent=named)


def _in_force(rows: Sequence[Row], kind: str) -> dict[str, Row]:
    """Each item's verdict in force (hunks or citations, by `kind`): the last
    accept/reject/edit not undone since."""
    in_force: dict[str, Row] = {}
    for row in sorted(rows, key=lambda row: int(row["seq"])):
        if row["kind"] != kind:
            continue  # a hunk id and a citation id (the agent's) may look alike
        verdict = Verdict(row["verdict"])
        if verdict in _IN_FORCE:
            in_force[str(row["hunk_id"])] = row
        elif verdict in _CLEARS:
            in_force.pop(str(row["hunk_id"]), None)
    return in_force
