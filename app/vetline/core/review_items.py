"""The items of a review (hunks and citations, each with its verdict in force) and the
readings of those verdicts that writers, repositories and inboxes act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from vetline.core.citation_items import citations_change
from vetline.core.model import Change, Citation, Hunk, HunkKind, ItemKind, Proposal


class HunkState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"
    SKIPPED = "skipped"

    @property
    def decided(self) -> bool:
        return self in (HunkState.ACCEPTED, HunkState.REJECTED, HunkState.EDITED)

    @property
    def takes_effect(self) -> bool:
        """The hunk's change goes into the file."""
        return self in (HunkState.ACCEPTED, HunkState.EDITED)


@dataclass(slots=True)
class ReviewItem:
    """One hunk or citation in the queue, with what the reviewer has decided about it.

    A citation item's `hunk` and `change` are stand-ins (core.citation_items): it is
    decided like a hunk, but nothing is ever written for it.
    """

    proposal: Proposal
    change: Change
    hunk: Hunk
    state: HunkState = HunkState.PENDING
    edited_text: str | None = None
    reason: str = ""
    decision_seq: int | None = None  # the log row of the verdict in force
    problem: str = ""  # e.g. why a write was refused; shown next to the hunk
    citation: Citation | None = None  # set for a citation item

    @property
    def item_id(self) -> str:
        """The id the log and the agent know it by: the hunk's, or the citation's own."""
        return self.citation.id if self.citation is not None else self.hunk.id

    @property
    def kind(self) -> ItemKind:
        return ItemKind.HUNK if self.citation is None else ItemKind.CITATION

    @property
    def acceptable(self) -> bool:
        """A binary change whose patch has no data can be looked at, not accepted."""
        if self.hunk.kind is HunkKind.BINARY:
            new = self.change.binary_new
            old = self.change.binary_old
            return (new is not None and new.data is not None) or (
                old is not None and old.data is not None and new is None
            )
        return True


@dataclass(frozen=True, slots=True)
class VerdictSets:
    """The verdicts in force on some items, by hunk id: the one reading of "what was decided"
    for writing a file, staging a repository and answering an inbox."""

    accepted: tuple[str, ...] = ()  # accepted as proposed
    rejected: tuple[tuple[str, str], ...] = ()  # (hunk id, reason)
    edited: tuple[tuple[str, str], ...] = ()  # (hunk id, the text the reviewer wrote)

    @property
    def taking_effect(self) -> frozenset[str]:
        """Hunks whose change goes into the file: accepted, or accepted as edited."""
        return frozenset(self.accepted) | {hunk_id for hunk_id, _ in self.edited}

    @property
    def rejected_ids(self) -> frozenset[str]:
        return frozenset(hunk_id for hunk_id, _ in self.rejected)

    @property
    def edited_texts(self) -> dict[str, str]:
        return dict(self.edited)


def verdicts_of(items: Iterable[ReviewItem]) -> VerdictSets:
    """The verdicts now in force on `items`' hunks, in their order; undecided items and
    citations are left out (`citation_verdicts_of` reads those)."""
    accepted: list[str] = []
    rejected: list[tuple[str, str]] = []
    edited: list[tuple[str, str]] = []
    for item in items:
        if item.citation is not None:
            continue
        if item.state is HunkState.ACCEPTED:
            accepted.append(item.hunk.id)
        elif item.state is HunkState.REJECTED:
            rejected.append((item.hunk.id, item.reason))
        elif item.state is HunkState.EDITED and item.edited_text is not None:
            edited.append((item.hunk.id, item.edited_text))
    return VerdictSets(tuple(accepted), tuple(rejected), tuple(edited))


def citation_verdicts_of(items: Iterable[ReviewItem]) -> VerdictSets:
    """The verdicts in force on `items`' citations, by citation id: accepted means the
    reviewer found that the source supports the claim."""
    citations = [item for item in items if item.citation is not None]
    accepted = tuple(item.item_id for item in citations if item.state is HunkState.ACCEPTED)
    rejected = tuple(
        (item.item_id, item.reason) for item in citations if item.state is HunkState.REJECTED
    )
    return VerdictSets(accepted, rejected)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """All hunks of one file are decided: what to write (the caller writes it)."""

    proposal: Proposal
    change: Change
    accepted: frozenset[str]
    edited: dict[str, str] = field(default_factory=dict)


def citation_items_of(proposal: Proposal) -> list[ReviewItem]:
    """`proposal`'s citations as review items (none when it cites nothing)."""
    change = citations_change(proposal)
    if change is None:
        return []
    return [
        ReviewItem(proposal, change, hunk, citation=citation)
        for hunk, citation in zip(change.hunks, proposal.citations, strict=True)
    ]
