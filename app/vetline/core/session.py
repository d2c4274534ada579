"""A review session: the queue of hunks, the cursor, and every verdict on them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from vetline.core import wholesale
from vetline.core.errors import VetlineError
from vetline.core.hidden_text import hunk_summary
from vetline.core.hunks import split_hunk
from vetline.core.leash import Leash, Level, Violation
from vetline.core.model import Change, Decision, Hunk, HunkKind, ItemKind, Proposal, Verdict
from vetline.core.reading_time import ReadingTime
from vetline.core.review_items import (
    FileOutcome,
    HunkState,
    ReviewItem,
    VerdictSets,
    citation_items_of,
    citation_verdicts_of,
    verdicts_of,
)
from vetline.core.undo_history import UndoHistory, VerdictRecord

# The items and the readings of their verdicts live in core.review_items; they are
# named here too, as the session's own vocabulary, for the modules that import them so.
__all__ = [
    "FileOutcome",
    "HunkState",
    "Recorder",
    "ReviewItem",
    "ReviewSession",
    "SessionError",
    "VerdictSets",
    "citation_verdicts_of",
    "verdicts_of",
]


_STATE_OF_VERDICT = {
    Verdict.ACCEPTED: HunkState.ACCEPTED,
    Verdict.REJECTED: HunkState.REJECTED,
    Verdict.EDITED: HunkState.EDITED,
    Verdict.SKIPPED: HunkState.SKIPPED,
}


class SessionError(VetlineError):
    """A command that does not fit the session's state (said to the reviewer as is)."""


Recorder = Callable[[Decision], int]
"""Appends a decision durably and returns its log sequence number."""


class ReviewSession:
    """The reviewer's progress through a queue of proposals.

    Each verdict is handed to `record` (the decision log) before the session moves
    on; if recording fails, nothing changes. `clock` is a monotonic clock in seconds,
    injected so tests can say how long a hunk was on screen.
    """

    def __init__(
        self,
        proposals: Iterable[Proposal],
        *,
        record: Recorder,
        clock: Callable[[], float],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        reviewer: str = "",
        level: int = Level.CHUNK,
        leash: Leash | None = None,
        reading: ReadingTime | None = None,
    ) -> None:
        self._record = record
        self.reading = reading or ReadingTime()
        self._clock = clock
        self._now = now
        self.reviewer = reviewer
        self.leash = leash or Leash()
        self.level = Level(level)
        self.items: list[ReviewItem] = []
        self.proposals: list[Proposal] = []
        self._violations: dict[str, list[Violation]] = {}
        self._undo = UndoHistory()
        self._decision_seconds: list[float] = []
        self.not_applied_count = 0  # verdicts the writer refused in this session
        # What a hunk hides, in words: the window passes what it has already found
        # (off its GUI thread), so "accept the rest" never scans on it.
        self.hidden_summary: Callable[[Hunk], str] = hunk_summary
        self.cursor = -1
        self._shown_at = clock()
        self.started_at = clock()
        self.add_proposals(proposals)

    # --- the queue ------------------------------------------------------------

    def add_proposals(self, proposals: Iterable[Proposal]) -> None:
        for proposal in proposals:
            self.proposals.append(proposal)
            self._violations[proposal.id] = self.leash.check(proposal, self.level)
            for change in proposal.changes:
                self.items.extend(ReviewItem(proposal, change, hunk) for hunk in change.hunks)
            self.items.extend(citation_items_of(proposal))
        if self.cursor < 0 and self.items:
            self.show(self._first_undecided(0) or 0)

    @property
    def current(self) -> ReviewItem | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def show(self, index: int) -> None:
        """Put item `index` on screen; its time on screen starts now."""
        if not 0 <= index < len(self.items):
            raise SessionError(f"no hunk number {index + 1}")
        self.cursor = index
        self._shown_at = self._clock()

    def move(self, step: int) -> bool:
        """Next (+1) or previous (-1) hunk; False at either end."""
        target = self.cursor + step
        if 0 <= target < len(self.items):
            self.show(target)
            return True
        return False

    def advance(self) -> bool:
        """On to the next undecided hunk after the cursor, wrapping round; False if none."""
        found = self._first_undecided(self.cursor + 1)
        if found is None:
            found = self._first_undecided(0)
        if found is None:
            return False
        self.show(found)
        return True

    def _first_undecided(self, start: int) -> int | None:
        for index in range(start, len(self.items)):
            if not self.items[index].state.decided:
                return index
        return None

    def items_of(self, proposal: Proposal, change: Change | None = None) -> Iterator[ReviewItem]:
        return (
            item
            for item in self.items
            if item.proposal is proposal and (change is None or item.change is change)
        )

    # --- the leash --------------------------------------------------------------

    def set_level(self, level: int) -> None:
        """A new autonomy level re-checks the whole queue."""
        self.level = Level(level)
        self._violations = {p.id: self.leash.check(p, self.level) for p in self.proposals}

    def violations(self, proposal: Proposal) -> list[Violation]:
        return self._violations.get(proposal.id, [])

    def over_leash(self, proposal: Proposal) -> bool:
        return bool(self.violations(proposal))

    def undecided_citations(self, proposal: Proposal) -> list[ReviewItem]:
        return wholesale.undecided_citations(self.items_of(proposal))

    def citations_refusal(self, proposal: Proposal) -> str:
        """Why the leash refuses to accept `proposal`'s hunks wholesale while some of its
        citations are undecided ("" when it does not: the rule is off, or all are decided)."""
        if not self.leash.citations_first:
            return ""  # asked on every key press: the queue is not read for a rule that is off
        return wholesale.citations_refusal(proposal, self.undecided_citations(proposal))

    # --- verdicts -----------------------------------------------------------------

    def accept_current(self, flagged: str = "", unread: bool = False) -> FileOutcome | None:
        """`flagged`: what the hunk hides, when the reviewer was told and confirmed.
        `unread`: the reviewer said to accept without reading (a rubber stamp, whatever
        the time on screen has grown to while they were asked)."""
        item = self._require_current()
        if not item.acceptable:
            raise SessionError(
                f"{item.change.path}: the patch carries no binary data, so it cannot be accepted"
            )
        return self._decide(item, Verdict.ACCEPTED, flagged=flagged, unread=unread)

    def reject_current(self, reason: str = "", kept: str = "") -> FileOutcome | None:
        """`kept`: the id under which the agent's version was kept before this reject."""
        return self._decide(self._require_current(), Verdict.REJECTED, reason=reason, kept=kept)

    def edit_current(self, new_text: str) -> FileOutcome | None:
        """Accept the hunk with its new side replaced by what the reviewer wrote."""
        item = self._require_current()
        if item.hunk.kind is not HunkKind.TEXT:
            raise SessionError("only a text hunk can be edited")
        return self._decide(item, Verdict.EDITED, edited_text=new_text)

    def skip_current(self) -> None:
        item = self._require_current()
        if item.state is HunkState.PENDING:
            self._decide(item, Verdict.SKIPPED)

    def accept_rest_of_proposal(self) -> list[FileOutcome]:
        """Accept every undecided hunk of the current proposal — only within the leash."""
        item = self._require_current()
        refusal = wholesale.accept_rest_refusal(
            item.proposal,
            list(self.items_of(item.proposal)),
            self.violations(item.proposal),
            self.leash,
            self.hidden_summary,
        )
        if refusal:
            raise SessionError(refusal)
        outcomes: list[FileOutcome] = []
        on_screen_ms = self._ms_on_screen()
        for other in list(self.items_of(item.proposal)):
            # A citation is never vouched for wholesale: each is looked at.
            if not other.state.decided and other.acceptable and other.citation is None:
                self.cursor = self.items.index(other)
                # Only the hunk on screen was looked at; the others were never shown.
                shown = on_screen_ms if other is item else 0
                outcome = self._decide(
                    other, Verdict.ACCEPTED, advance=False, ms_on_screen=shown, bulk=True
                )
                if outcome:
                    outcomes.append(outcome)
        self.advance()
        return outcomes

    def split_current(self) -> int:
        """Break the current hunk into smaller ones; returns how many it became."""
        item = self._require_current()
        if item.citation is not None:
            raise SessionError("a citation cannot be split")
        if item.state is not HunkState.PENDING and item.state is not HunkState.SKIPPED:
            raise SessionError("only an undecided hunk can be split")
        pieces = split_hunk(item.hunk)
        if len(pieces) == 1:
            raise SessionError("this hunk has no unchanged lines to split at")
        self.items[self.cursor : self.cursor + 1] = [
            ReviewItem(item.proposal, item.change, piece) for piece in pieces
        ]
        self._shown_at = self._clock()
        return len(pieces)

    def replace_change(self, old: Change, new: Sequence[Change]) -> None:
        """Swap a change re-read from disk for fresh, undecided items.

        Its proposal lists the new changes from then on (and leaves the queue if it
        has none left), so the leash and the queue's files follow what is on disk.
        """
        positions = [i for i, item in enumerate(self.items) if item.change is old]
        if not positions:
            return
        owner = self.items[positions[0]].proposal
        changes = tuple(c for each in owner.changes for c in (new if each is old else (each,)))
        proposal = self._replace_proposal(owner, changes)
        first = positions[0]
        self.items = [
            item
            for item in self.items
            if item.change is not old and (proposal is not None or item.proposal is not owner)
        ]
        if proposal is not None:
            self.items[first:first] = [
                ReviewItem(proposal, change, hunk) for change in new for hunk in change.hunks
            ]
        self._undo.forget_change(old)
        if self.items:
            self.show(min(first, len(self.items) - 1))
        else:
            self.cursor = -1

    def add_changes(self, proposal: Proposal, new: Sequence[Change]) -> None:
        """More files for a proposal in the queue (an agent still editing a repository)."""
        if not new:
            return
        last = max(
            i
            for i, item in enumerate(self.items)
            if item.proposal is proposal and item.citation is None
        )
        grown = self._replace_proposal(proposal, (*proposal.changes, *new))
        assert grown is not None
        self.items[last + 1 : last + 1] = [
            ReviewItem(grown, change, hunk) for change in new for hunk in change.hunks
        ]

    def _replace_proposal(self, old: Proposal, changes: tuple[Change, ...]) -> Proposal | None:
        """`old` with other changes, everywhere the queue refers to it; None if it had to go."""
        position = next(i for i, each in enumerate(self.proposals) if each is old)
        del self._violations[old.id]
        if not changes:
            del self.proposals[position]
            return None
        new = replace(old, changes=changes)
        self.proposals[position] = new
        self._violations[new.id] = self.leash.check(new, self.level)
        for item in self.items:
            if item.proposal is old:
                item.proposal = new
        return new

    def proposal_decided(self, proposal: Proposal) -> bool:
        return all(item.state.decided for item in self.items_of(proposal))

    def next_undo(self) -> tuple[ReviewItem, FileOutcome | None] | None:
        """What `undo_last` would reverse now (the item, and the outcome its verdict
        completed), without undoing it: a writer notes the files before the undo is logged."""
        record = self._undo.newest_in_force()
        return None if record is None else (record.item, record.file_outcome)

    def undo_last(self) -> tuple[ReviewItem, FileOutcome | None] | None:
        """Reverse the newest verdict still in force; returns the item and, if that
        verdict had completed its file, the outcome that was written then."""
        record = self._undo.newest_in_force()
        if record is None:
            return None
        item = record.item
        undo = self._build(item, Verdict.UNDONE, ms_on_screen=self._ms_on_screen())
        self._record(replace(undo, undoes=record.seq))  # durable before anything moves
        self._undo.reverse(record)
        if item in self.items:
            self.show(self.items.index(item))
        return item, record.file_outcome

    @property
    def last_undone_seq(self) -> int | None:
        """The log row of the verdict the last undo reversed (None: no undo yet)."""
        return self._undo.last_undone_seq

    def undo_not_carried_out(self, seq: int) -> None:
        """The last undo could not take effect: the verdict it reversed, logged again at
        `seq` (by the writer, which knows why), stands once more and can be undone."""
        self._undo.reinstate_last_undone(seq)

    def record_not_applied(self, items: Iterable[ReviewItem], reason: str) -> None:
        """The writer could not carry out these verdicts: log that, and make them undecided.

        The verdict stays in the log, followed by a `not_applied` row with the reason,
        so the log says what happened; on screen and in every count the hunks are
        pending again, with the reason shown beside them.
        """
        for item in items:
            if not item.state.decided:
                continue
            decision = self._build(item, Verdict.NOT_APPLIED, ms_on_screen=0, reason=reason)
            item.decision_seq = self._record(decision)
            item.state = HunkState.PENDING
            item.edited_text = None
            item.problem = reason
            self.not_applied_count += 1

    def record_refused(self, items: Iterable[ReviewItem], reason: str) -> None:
        """A review refused as a whole before any verdict took effect (an unsafe path, a
        stale base, a change that cannot be accepted): each item gets a `refused` row with
        the reason, and stays undecided."""
        for item in items:
            decision = self._build(item, Verdict.REFUSED, ms_on_screen=0, reason=reason)
            self._record(replace(decision, bulk=True))
            item.problem = reason

    def _decide(
        self,
        item: ReviewItem,
        verdict: Verdict,
        *,
        reason: str = "",
        edited_text: str | None = None,
        advance: bool = True,
        ms_on_screen: int | None = None,
        bulk: bool = False,
        kept: str = "",
        flagged: str = "",
        unread: bool = False,
    ) -> FileOutcome | None:
        elapsed = self._ms_on_screen() if ms_on_screen is None else ms_on_screen
        decision = self._build(
            item, verdict, ms_on_screen=elapsed, reason=reason, edited_text=edited_text
        )
        # Only a hunk accepted on its own, as shown, can be accepted unread: a bulk accept
        # says so in `bulk`, an edit is work on the text, not a glance at it, and a citation
        # is a judgement of a source, not a change.
        stamped = (
            verdict is Verdict.ACCEPTED
            and item.kind is ItemKind.HUNK
            and not bulk
            and (unread or self.reading.too_fast(elapsed, item.hunk.added + item.hunk.removed))
        )
        if bulk or kept or flagged or stamped:
            decision = replace(
                decision, bulk=bulk, kept=kept, flagged=flagged, rubber_stamp=stamped
            )
        seq = self._record(decision)  # durable before anything moves
        previous = (item.state, item.decision_seq, item.edited_text)
        item.state = _STATE_OF_VERDICT[verdict]
        item.decision_seq = seq
        item.edited_text = edited_text
        item.reason = reason
        item.problem = ""
        outcome = self._file_outcome(item) if item.state.decided else None
        self._undo.add(VerdictRecord(item, seq, *previous, file_outcome=outcome))
        if verdict is not Verdict.SKIPPED and (not bulk or elapsed):
            self._decision_seconds.append(elapsed / 1000)
        if advance and not self.advance():
            self._shown_at = self._clock()
        return outcome

    def _file_outcome(self, item: ReviewItem) -> FileOutcome | None:
        if item.citation is not None:
            return None  # nothing is written for a citation
        siblings = list(self.items_of(item.proposal, item.change))
        if not all(sibling.state.decided for sibling in siblings):
            return None
        verdicts = verdicts_of(siblings)
        return FileOutcome(
            proposal=item.proposal,
            change=item.change,
            accepted=verdicts.taking_effect,
            edited=verdicts.edited_texts,
        )

    def _build(
        self,
        item: ReviewItem,
        verdict: Verdict,
        *,
        ms_on_screen: int,
        reason: str = "",
        edited_text: str | None = None,
    ) -> Decision:
        return Decision(
            proposal_id=item.proposal.id,
            hunk_id=item.item_id,
            hunk_sha256=item.hunk.sha256,
            path=item.change.path if item.citation is None else item.citation.locator,
            verdict=verdict,
            decided_at=self._now().astimezone(UTC).isoformat(timespec="milliseconds"),
            ms_on_screen=ms_on_screen,
            reviewer=self.reviewer,
            level=int(self.level),
            agent=item.proposal.agent.name,
            model=item.proposal.agent.model,
            served_model=item.proposal.agent.served_model,
            added=item.hunk.added,
            removed=item.hunk.removed,
            reason=reason,
            edited_text=edited_text,
            kind=item.kind,
        )

    def accept_asks_first(self) -> bool:
        """Accepting the current hunk now would be a rubber stamp the reviewer asked to be
        asked about (review.ask_unread_above_lines)."""
        item = self.current
        if item is None or item.state.decided:
            return False
        return self.reading.asks(self._ms_on_screen(), item.hunk.added + item.hunk.removed)

    def _ms_on_screen(self) -> int:
        return max(0, round((self._clock() - self._shown_at) * 1000))

    def _require_current(self) -> ReviewItem:
        item = self.current
        if item is None:
            raise SessionError("the queue is empty")
        return item

    def decide_all(
        self,
        accepted: Sequence[str] | None,
        reason: str = "",
        kept: Mapping[str, str] | None = None,
        flagged: Mapping[str, str] | None = None,
    ) -> list[FileOutcome]:
        """A scripted review: hunks in `accepted` (all, if None) accepted, the rest rejected.

        Citations are left undecided: a script cannot vouch for a source. When the leash
        asks for citations first, a proposal that cites anything is refused as a whole.
        `kept` maps a path to the id its agent's version was kept under before rejecting;
        `flagged` maps a hunk id to what it hides, accepted as confirmed (logged with it)."""
        refusals = [why for proposal in self.proposals if (why := self.citations_refusal(proposal))]
        if refusals:
            raise SessionError("; ".join(refusals))
        wanted = None if accepted is None else set(accepted)
        outcomes: list[FileOutcome] = []
        for index, item in enumerate(list(self.items)):
            if item.citation is not None:
                continue
            self.show(index)
            # Nothing is on screen in a scripted review: no screen time, and it says so.
            if wanted is None or item.hunk.id in wanted:
                outcome = self._decide(
                    item,
                    Verdict.ACCEPTED,
                    advance=False,
                    ms_on_screen=0,
                    bulk=True,
                    flagged=(flagged or {}).get(item.hunk.id, ""),
                )
            else:
                outcome = self._decide(
                    item,
                    Verdict.REJECTED,
                    reason=reason,
                    advance=False,
                    ms_on_screen=0,
                    bulk=True,
                    kept=(kept or {}).get(item.change.path, ""),
                )
            if outcome:
                outcomes.append(outcome)
        return outcomes

    # --- progress -----------------------------------------------------------------

    @property
    def decided_count(self) -> int:
        return sum(1 for item in self.items if item.state.decided)

    @property
    def finished(self) -> bool:
        return all(item.state.decided for item in self.items)

    def median_seconds_per_decision(self) -> float | None:
        if not self._decision_seconds:
            return None
        import statistics  # with the first decision: not on the first paint's path

        return statistics.median(self._decision_seconds)

    def seconds_in_session(self) -> float:
        return self._clock() - self.started_at
