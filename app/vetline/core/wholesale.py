"""Whether a proposal's hunks may be accepted wholesale (the rest at once, or by a script),
and if not, why: the words are said to the reviewer as they are."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from vetline.core.hidden_text import joined_summaries
from vetline.core.leash import Leash, Violation
from vetline.core.model import Hunk, Proposal
from vetline.core.review_items import ReviewItem


def undecided_citations(items: Iterable[ReviewItem]) -> list[ReviewItem]:
    return [item for item in items if item.citation is not None and not item.state.decided]


def citations_refusal(proposal: Proposal, undecided: Sequence[ReviewItem]) -> str:
    """Why a leash that asks for citations first refuses to accept `proposal`'s hunks
    wholesale while these of its citations are `undecided` ("" when none is)."""
    if not undecided:
        return ""
    waiting = {id(item.citation) for item in undecided}
    numbers = ", ".join(
        f"[{number}]"
        for number, citation in enumerate(proposal.citations, start=1)
        if id(citation) in waiting
    )
    return (
        f"the leash asks for every citation to be decided first: {len(undecided)} of "
        f"“{proposal.title or proposal.id}” undecided ({numbers}): say of each whether "
        "its source supports the claim"
    )


def accept_rest_refusal(
    proposal: Proposal,
    items: Sequence[ReviewItem],
    violations: Sequence[Violation],
    leash: Leash,
    hidden_summary: Callable[[Hunk], str],
) -> str:
    """Why the undecided hunks among `proposal`'s `items` cannot be accepted at once
    ("" when they can): over the leash, citations first, none left, or some hide
    characters (`hidden_summary` says what a hunk hides)."""
    if violations:
        return "over the leash, review it hunk by hunk: " + "; ".join(
            violation.message for violation in violations
        )
    if leash.citations_first:
        refusal = citations_refusal(proposal, undecided_citations(items))
        if refusal:
            return refusal
    if not any(item.citation is None and not item.state.decided for item in items):
        return "no undecided hunk left to accept: citations are decided one by one"
    hiding = [
        hidden
        for item in items
        if not item.state.decided and item.acceptable and (hidden := hidden_summary(item.hunk))
    ]
    if hiding:
        what = joined_summaries(hiding)
        return (
            f"{len(hiding)} of its hunks hide characters ({what}): accept those one by "
            "one, after looking at them"
        )
    return ""
