"""What each hunk hides (Trojan Source), known before the hunk can be accepted — found
without loading Unicode's confusables data on the GUI thread.

An all-ASCII hunk hides nothing, and saying so is one pass over its lines. A hunk with
other characters needs the confusables data (a megabyte of JSON: 0.1–0.2 s to load, on
a loaded machine more) to judge look-alike letters, so it is judged in the worker
process, where that load never stalls a key press. Hunks are sent there as soon as
their proposal is queued; until the answer is back, `summary_of` says None, and the
controller holds an accept back (and carries it out when the answer comes).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable

from PySide6.QtCore import QObject, Signal

from vetline.core.hidden_text import (
    citation_words,
    hunk_summaries,
    hunk_summary,
    needs_lookalike_data,
    proposal_words,
    texts_summary,
)
from vetline.core.model import Hunk, Proposal
from vetline.core.session import ReviewItem
from vetline.ui.tasks import BackgroundWork, JobFailed


class HiddenScans(QObject):
    """Hunk id -> what the hunk's added lines hide ("" for nothing), found off the GUI thread."""

    scanned = Signal()  # more hunks are known

    def __init__(
        self,
        gateway: BackgroundWork,
        start: Callable[[Coroutine[object, object, None]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._gateway = gateway
        self._start = start
        self._known: dict[str, str] = {}
        self._asked: set[str] = set()
        self._held: list[list[Hunk]] | None = None  # batches waiting for `release`
        # Proposal id -> (that proposal, what its own words hide).
        self._around: dict[str, tuple[Proposal, str]] = {}

    def hold(self) -> None:
        """Keep requests until `release`: the start queue is scanned after the window's
        first paint, which neither waits for the worker process nor loads its machinery."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Send the requests kept since `hold`, and every later one at once."""
        held, self._held = self._held or [], None
        for batch in held:
            self._start(self._scan(batch))

    def summary_of(self, hunk: Hunk) -> str | None:
        """What `hunk` hides, or None while it is being looked at (it is asked for then)."""
        known = self.known(hunk)
        if known is None:
            self.request([hunk])
        return known

    def known(self, hunk: Hunk) -> str | None:
        """What `hunk` hides if that is known (None: not yet; nothing is asked)."""
        known = self._known.get(hunk.id)
        if known is None and not needs_lookalike_data(hunk):
            known = self._known[hunk.id] = ""  # ASCII only: nothing can hide in it
        return known

    def summary_now(self, hunk: Hunk) -> str:
        """What `hunk` hides, found here and now if it is not known yet (a last resort:
        the controller waits for `summary_of` before any accept)."""
        known = self.summary_of(hunk)
        if known is None:
            known = self._known[hunk.id] = hunk_summary(hunk)
        return known

    def around(self, item: ReviewItem) -> str:
        """What the agent's words around an item hide: its proposal's title, task,
        rationale and answer, and a citation's title, quote and claim ("" for nothing).

        Found here, on the GUI thread: these texts are short, and the confusables data
        loads only for a word that mixes scripts. A proposal's words are judged once, not
        on every key that moves to another of its hunks.
        """
        proposal = item.proposal
        known = self._around.get(proposal.id)
        if known is None or known[0] is not proposal:  # new, or renewed under its id
            known = self._around[proposal.id] = (
                proposal,
                texts_summary(proposal_words(proposal)),
            )
        if item.citation is None:
            return known[1]
        cited = texts_summary(citation_words(item.citation))
        return "; ".join(words for words in (known[1], cited) if words)

    def split(self, whole: Hunk, pieces: Iterable[Hunk]) -> None:
        """`whole` was split into `pieces`: each piece of a hunk that hides nothing hides
        nothing (a piece holds some of its lines, and words never span lines)."""
        if self.known(whole) == "":
            for piece in pieces:
                self._known.setdefault(piece.id, "")
        else:
            self.request(pieces)

    def request(self, hunks: Iterable[Hunk]) -> None:
        """Look at these hunks in the worker process, unless known or asked already.

        An all-ASCII hunk is known at once to hide nothing, and remembered so: the key
        that later steps onto a million-line hunk never passes over its lines again.
        """
        wanted: dict[str, Hunk] = {}
        for hunk in hunks:
            if hunk.id in self._known or hunk.id in self._asked:
                continue
            if needs_lookalike_data(hunk):
                wanted[hunk.id] = hunk
            else:
                self._known[hunk.id] = ""
        if wanted:
            self._asked.update(wanted)
            if self._held is not None:
                self._held.append(list(wanted.values()))
            else:
                self._start(self._scan(list(wanted.values())))

    async def _scan(self, hunks: list[Hunk]) -> None:
        try:
            found = await self._gateway.once(hunk_summaries, hunks)
        except (JobFailed, RuntimeError):
            # The worker failed or is shut down: never leave a hunk unjudged.
            found = hunk_summaries(hunks)
        finally:
            self._asked.difference_update(hunk.id for hunk in hunks)
        self._known.update(found)
        self.scanned.emit()
