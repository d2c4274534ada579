"""A proposal's citations as queue items: one reviewable item per citation.

A citation is decided with the same keys as a hunk ("the source supports this claim",
or it does not), so it travels through the queue as a `ReviewItem` whose hunk is a
`HunkKind.CITATION` stand-in: it names the cited locator and carries the quote and the
claim, so its sha256 changes whenever what was vouched for changes. All citations of
one proposal share one stand-in change (never in `Proposal.changes`, never written):
the queue groups them the way it groups a file's hunks.
"""

from __future__ import annotations

from vetline.core.model import Change, Citation, FileStatus, Hunk, HunkKind, Proposal

# The stand-in change's path: no file can have it, so no writer can ever mistake it.
CITATIONS_PATH = ""


def citation_hunk(citation: Citation) -> Hunk:
    """The item a citation is decided as: locator, quote and claim are what it vouches for."""
    return Hunk(
        citation.locator,
        0,
        0,
        0,
        0,
        kinds="   ",  # context, not changed lines: a citation adds and removes nothing
        texts=(citation.quote, citation.claim, citation.hunk_id or ""),
        kind=HunkKind.CITATION,
        section=citation.id,
    )


def citations_change(proposal: Proposal) -> Change | None:
    """The stand-in change holding a proposal's citation items (None: it cites nothing)."""
    if not proposal.citations:
        return None
    hunks = tuple(citation_hunk(citation) for citation in proposal.citations)
    return Change(CITATIONS_PATH, FileStatus.MODIFIED, hunks)


def is_citations_change(change: Change) -> bool:
    return bool(change.hunks) and change.hunks[0].kind is HunkKind.CITATION
