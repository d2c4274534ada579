"""Drives a ReviewSession against the real world: the decision log and a write target.

The window, `vetline apply` and any other front end go through this class, so a
verdict means the same thing from a key press and from a script: it is logged first,
then it takes effect in the target (a workspace folder or a git repository), and an
inbox agent is answered once its whole proposal is decided.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vetline.adapters.decision_log import DecisionLog
from vetline.core.errors import HiddenCharactersError, InputError, VetlineError
from vetline.core.hidden_text import (
    HiddenFinding,
    escape_hidden,
    hunk_findings,
    what_they_do,
)
from vetline.core.hidden_text import summary as hidden_summary
from vetline.core.leash import Leash, Level
from vetline.core.model import Change, Proposal
from vetline.core.session import FileOutcome, ReviewSession
from vetline.operations.outcome import DONE, Outcome, OutcomeKind
from vetline.operations.write_target import WriteTarget

if TYPE_CHECKING:  # the inbox and its parsers load only where an inbox is followed
    from vetline.adapters.inbox import Inbox


def refuse_unreviewed(
    log: DecisionLog,
    proposals: Sequence[Proposal],
    reason: str,
    *,
    reviewer: str,
    level: Level,
    leash: Leash,
) -> None:
    """Proposals read but refused before anyone reviewed them (a path no file should
    have): every hunk gets a `refused` row with the reason, and nothing is queued."""
    session = ReviewSession(
        list(proposals),
        record=log.append,
        clock=time.monotonic,
        reviewer=reviewer,
        level=level,
        leash=leash,
    )
    Reviewer(session, log).refuse(reason)


class Reviewer:
    """A session bound to its log and write target; each method is one reviewer command."""

    def __init__(
        self,
        session: ReviewSession,
        log: DecisionLog,
        target: WriteTarget | None = None,
        *,
        inbox: Inbox | None = None,
    ) -> None:
        self.session = session
        self.log = log
        self.target = target  # None: verdicts are logged, nothing is written
        self.inbox = inbox
        self.inbox_sources: dict[str, Path] = {}  # proposal id -> the inbox file it came from

    def accept(self, flagged: str = "", unread: bool = False) -> Outcome:
        """`flagged`: what the hunk hides, confirmed by the reviewer (logged with it);
        `unread`: the reviewer confirmed accepting without reading (a rubber stamp)."""
        return self._run(lambda: self.session.accept_current(flagged, unread=unread))

    def reject(self, reason: str = "") -> Outcome:
        return self._run(lambda: self.session.reject_current(reason, kept=self._keep_current()))

    def edit(self, new_text: str) -> Outcome:
        return self._run(lambda: self.session.edit_current(new_text))

    def accept_rest(self) -> Outcome:
        current = self.session.current
        if current is None:
            return self._refused(self.session.accept_rest_of_proposal)
        changes = list(
            dict.fromkeys(
                item.change
                for item in self.session.items_of(current.proposal)
                if item.citation is None
            )
        )
        return self._decide(current.proposal, changes, self.session.accept_rest_of_proposal)

    def split(self) -> Outcome:
        try:
            pieces = self.session.split_current()
        except VetlineError as error:
            return Outcome(OutcomeKind.REFUSED, str(error))
        return Outcome(OutcomeKind.DONE, f"split into {pieces} hunks")

    def undo(self) -> Outcome:
        try:
            if self.target is not None and (refused := self.target.before_undo()):
                return refused
            undone = self.session.undo_last()
        except VetlineError as error:
            return Outcome(OutcomeKind.REFUSED, str(error))
        if undone is None:
            # Nothing of this session left to undo: a reject from before (another run of
            # the window, or `vetline apply`) may still be brought back from its kept copy.
            if self.target is None:
                return Outcome(OutcomeKind.NOTHING, "nothing to undo")
            return self.target.undo_from_log(self.log)
        item, outcome = undone
        if item.citation is not None:
            return Outcome(OutcomeKind.DONE, "undid the verdict on a citation")
        if self.target is None:
            return Outcome(OutcomeKind.DONE, f"undid the verdict on {item.change.path}")
        return self.target.after_undo(item, outcome)

    def decide_all(
        self, accepted: Sequence[str] | None, reason: str = "", *, accept_flagged: bool = False
    ) -> str:
        """A scripted review: the named hunks (all, if None) accepted, the rest rejected.

        All or nothing: the target checks every write first (raising StaleBaseError or
        UnsafePathError before anything is logged), then every verdict is logged, then
        the writes are made. Returns what was done, in words. A hunk to accept that hides
        characters is refused (HiddenCharactersError) unless `accept_flagged` confirms it,
        as the window asks a second time; then the log records what it hides.
        """
        chosen = (
            set(accepted)
            if accepted is not None
            else {hunk.id for proposal in self.session.proposals for hunk in proposal.hunks}
        )
        hiding = self._hiding(chosen)
        try:
            self._refuse_unacceptable(chosen)
            prepared = (
                self.target.prepare(self.session.proposals, chosen)
                if self.target is not None
                else None
            )
            # After the plan: a path no file may have is refused outright, flag or not.
            if hiding and not accept_flagged:
                raise HiddenCharactersError(_hidden_refusal(hiding))
        except VetlineError as error:
            self.refuse(str(error))
            raise
        kept: dict[str, str] = {}
        if self.target is not None:
            for proposal in self.session.proposals:
                for change in proposal.changes:
                    if all(hunk.id in chosen for hunk in change.hunks):
                        continue  # nothing of it is rejected
                    kept_id = self.target.keep_before_reject(proposal, change)
                    if kept_id:
                        kept[change.path] = kept_id
        if prepared is not None:
            try:
                prepared.announce(self.log.end().rows)
            except VetlineError as error:
                self.refuse(str(error))
                raise
        flagged = {hunk_id: hidden_summary(found) for hunk_id, (_path, found) in hiding.items()}
        self.session.decide_all(accepted, reason=reason, kept=kept, flagged=flagged)
        hunks = [item for item in self.session.items if item.citation is None]
        decided = len(hunks)
        taken = sum(1 for item in hunks if item.state.takes_effect)
        summary = f"{decided} hunks decided: {taken} accepted, {decided - taken} rejected"
        if prepared is None:
            return f"{summary}; nothing written (no workspace)"
        return f"{summary}; {prepared.commit(self.session)}"

    def leave(self) -> int:
        """The review ends (the window closes): each verdict that never took effect — an
        accepted hunk of a workspace file whose other hunks are undecided — is logged as
        not applied, so the log says what the disk holds. Returns how many."""
        items = self.target.unwritten() if self.target is not None else []
        if items:
            self.session.record_not_applied(
                items,
                "the review ended with hunks of this file undecided: nothing was written",
            )
        return len(items)

    def refuse(self, reason: str) -> None:
        """The whole review is refused before any verdict takes effect: the log gets a
        `refused` row with the reason for every hunk, and nothing is written."""
        self.session.record_refused(self.session.items, reason)

    def _hiding(self, chosen: set[str]) -> dict[str, tuple[str, list[HiddenFinding]]]:
        """Hunk id -> (its path, what it hides) for each chosen hunk that hides characters."""
        hiding = {}
        for item in self.session.items:
            if item.citation is None and item.hunk.id in chosen:
                found = hunk_findings(item.hunk)
                if found:
                    hiding[item.hunk.id] = (item.change.path, found)
        return hiding

    def _refuse_unacceptable(self, chosen: set[str]) -> None:
        """Accepting an item that cannot take effect would report a write that never
        happens: a binary change whose patch has no data, or what a repository only lists
        (a submodule, a nested repository, a symbolic link)."""
        refused = {
            item.change.path: _why_unacceptable(item.change)
            for item in self.session.items
            if item.hunk.id in chosen and not item.acceptable
        }
        if refused:
            raise InputError(
                "cannot accept " + "; ".join(f"{path} ({why})" for path, why in refused.items())
            )

    # ---- one verdict -------------------------------------------------------------------

    def _run(self, command: Callable[[], FileOutcome | None]) -> Outcome:
        current = self.session.current
        if current is None:
            return self._refused(command)

        def decide() -> list[FileOutcome]:
            outcome = command()
            return [outcome] if outcome is not None else []

        # A citation's verdict is logged (and told to an inbox); no file is touched.
        changes = [current.change] if current.citation is None else []
        return self._decide(current.proposal, changes, decide)

    def _decide(
        self,
        proposal: Proposal,
        changes: Sequence[Change],
        command: Callable[[], Sequence[FileOutcome]],
    ) -> Outcome:
        target = self.target if changes else None
        if target is not None:
            refused = target.before_verdict(proposal, changes)
            if refused is not None:
                return refused
        seqs = {id(item): item.decision_seq for item in self.session.items}
        try:
            outcomes = command()
        except VetlineError as error:
            return Outcome(OutcomeKind.REFUSED, str(error))
        decided = [
            item
            for item in self.session.items
            if item.state.decided and seqs.get(id(item), -1) != item.decision_seq
        ]
        if target is None:
            taken = any(outcome.accepted for outcome in outcomes)
            result = (
                Outcome(OutcomeKind.DONE, "decided (no workspace: nothing to write)")
                if taken
                else DONE
            )
        else:
            result = target.after_verdict(proposal, changes, outcomes, decided)
        return self._answer_inbox(proposal, result)

    def _keep_current(self) -> str:
        """Keep what rejecting the hunk on screen takes away (a repository's agent work)."""
        current = self.session.current
        if current is None or self.target is None or current.citation is not None:
            return ""
        return self.target.keep_before_reject(current.proposal, current.change)

    def _refused(self, command: Callable[[], object]) -> Outcome:
        """A command with nothing on screen: the session says why it cannot run."""
        try:
            command()
        except VetlineError as error:
            return Outcome(OutcomeKind.REFUSED, str(error))
        return DONE

    def _answer_inbox(self, proposal: Proposal, outcome: Outcome) -> Outcome:
        """Tell an inbox's agent the outcome once every hunk of its proposal is decided."""
        source = self.inbox_sources.get(proposal.id)
        if self.inbox is None or source is None or not self.session.proposal_decided(proposal):
            return outcome
        from vetline.adapters.inbox import verdicts_from_items

        items = list(self.session.items_of(proposal))
        try:
            completion = self.inbox.complete(source, verdicts_from_items(proposal, items))
        except VetlineError as error:
            return Outcome(OutcomeKind.PROBLEM, f"could not write the verdict file: {error}")
        del self.inbox_sources[proposal.id]
        return outcome.with_note(f"verdict written to {completion.verdict_file.name}")


def _why_unacceptable(change: Change) -> str:
    if change.binary_new is not None or change.binary_old is not None:
        return "binary, and the patch carries no data"
    return "a submodule, nested repository or symbolic link: listed, never written"


def _hidden_refusal(hiding: dict[str, tuple[str, list[HiddenFinding]]]) -> str:
    """Each hunk that hides characters, what it hides (escaped) and what that can do."""
    count = len(hiding)
    said = "; ".join(
        f"hunk {hunk_id} of {escape_hidden(path)} hides {hidden_summary(found)} "
        f"({what_they_do(found)})"
        for hunk_id, (path, found) in hiding.items()
    )
    one = count == 1
    return (
        f"apply refused: {count} hunk{'' if one else 's'} to accept "
        f"{'hides' if one else 'hide'} characters: {said}. Look at {'it' if one else 'them'} "
        f"in the window (vetline review), or pass --accept-flagged to accept "
        f"{'it' if one else 'them'} anyway (the log records what each hides)"
    )
