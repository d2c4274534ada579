"""The Sources panel: each citation of the proposal on screen, checked against its source.

Checking reads files (and, only when asked, URLs), so it runs on the gateway's worker
process; results are kept per proposal and shown as they arrive. Each status has an
icon and a word, never colour alone, and a critical approximate quote is never green.
Every text here (quotes, titles, addresses) is the agent's, drawn as plain text.

Rows follow the queue both ways: a citation on screen is the selected row, a hunk on
screen selects the citations that back it, and choosing a row puts its citation on
screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from vetline.core.hidden_text import escape_hidden
from vetline.core.model import Citation, Proposal
from vetline.core.session import ReviewItem
from vetline.core.settings import Settings
from vetline.ui.controller import ReviewController
from vetline.ui.plain_text import plain_label
from vetline.ui.status import Shape, state_icon
from vetline.ui.tasks import JobFailed, Superseded

if TYPE_CHECKING:
    from vetline.adapters.sources.checker import CheckedCitation
    from vetline.core.citations import CitationCheck

# By status value: core.citations (and rapidfuzz with it) loads only when there is
# something to check, not with the window.
LOOKS = {
    "verified": (Shape.CHECK, "#1a7f37", "verified: the quote is in the source"),
    "not_found": (Shape.CROSS, "#cf222e", "not found in the source"),
    "unavailable": (Shape.RING, "#6e7781", "source unavailable"),
}
APPROXIMATE = (Shape.TRIANGLE, "#9a6700", "approximate: close, but words differ")
CRITICAL = (Shape.TRIANGLE, "#cf222e", "CRITICAL: a number, negation or unit differs")
CHECKING = (Shape.RING, "#6e7781", "checking…")


def look_of(check: CitationCheck | None) -> tuple[Shape, str, str]:
    """Icon shape, colour and words for a check (None: not back yet)."""
    if check is None:
        return CHECKING
    if check.status == "approximate":
        return CRITICAL if check.critical else APPROXIMATE
    return LOOKS[str(check.status)]


def check_citations_job(
    citations: Sequence[Citation], settings: Settings, workspace: str | None, fetch: bool = False
) -> list[CheckedCitation]:
    """Run in the worker process: every citation checked (URLs only when `fetch`)."""
    from vetline.adapters.sources.checker import checked_citations

    return checked_citations(citations, settings, workspace, fetch=fetch)


class SourcesPanel(QWidget):
    """Lists the current proposal's citations with their status; hidden when it has none."""

    checked = Signal(str)  # results for this proposal id came in (some or all)

    def __init__(self, controller: ReviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sources")
        self.setAccessibleName("Cited sources")
        self._controller = controller
        self._results: dict[str, list[CheckedCitation | None]] = {}  # proposal id -> results
        self._shown: Proposal | None = None
        self._filling = False
        heading = plain_label("SOURCES", self, "Sources heading")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        heading.setFont(font)
        self.list = QListWidget(self)
        self.list.setObjectName("sourcesList")
        self.list.setAccessibleName("Citations and their status")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the review keys stay with the queue
        self.list.setMinimumHeight(self.fontMetrics().height() * 16)  # two or three in sight
        self.list.itemClicked.connect(self._on_row_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.list)
        self.hide()
        controller.cursor_moved.connect(self.refresh)
        controller.queue_rebuilt.connect(self.refresh)
        controller.states_changed.connect(lambda _ids: self._select_for_current())

    def statuses(self) -> list[str]:
        """The words of each row, as a screen reader hears them (tests read these)."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def selected_rows(self) -> list[int]:
        return sorted(self.list.row(item) for item in self.list.selectedItems())

    def result(self, proposal: Proposal, number: int) -> CheckedCitation | None:
        """The check of citation `number` (1-based) of `proposal`, once it is back."""
        results = self._results.get(proposal.id)
        return results[number - 1] if results is not None else None

    def refresh(self) -> None:
        item = self._controller.current
        proposal = item.proposal if item is not None else None
        if proposal is None or not proposal.citations:
            self._shown = None
            self.hide()
            return
        if proposal is not self._shown:
            self._shown = proposal
            if proposal.id not in self._results:
                self._results[proposal.id] = [None] * len(proposal.citations)
                self._controller.start(self._check(proposal, list(proposal.citations), fetch=False))
            self._fill(proposal)
        self._select_for_current()
        self.show()

    def fetch(self, proposal: Proposal, urls: Sequence[str]) -> None:
        """Fetch the cited URLs (already agreed to) and check again, one source at a time:
        each source's citations change status as soon as it is in."""
        self._controller.start(self._fetch_each(proposal, list(urls)))

    async def _fetch_each(self, proposal: Proposal, urls: list[str]) -> None:
        from vetline.adapters.sources.checker import urls_to_fetch

        for url in urls:
            cited = [c for c in proposal.citations if urls_to_fetch([c]) == [url]]
            await self._check(proposal, cited, fetch=True)
        self._controller.note.emit(f"Fetched and checked {len(urls)} cited address(es)")

    async def _check(self, proposal: Proposal, citations: list[Citation], *, fetch: bool) -> None:
        root = self._controller.write_root
        try:
            found = await self._controller.gateway.latest(
                f"citations:{proposal.id}:{fetch}:{[c.id for c in citations]}",
                check_citations_job,
                citations,
                self._controller.settings,
                None if root is None else str(root),
                fetch,
            )
        except Superseded:
            return
        except JobFailed as error:
            self._controller.problem.emit(f"Could not check the citations: {error}")
            return
        if not shiboken6.isValid(self):
            return  # the window closed while the check ran
        results = self._results.setdefault(proposal.id, [None] * len(proposal.citations))
        for citation, checked in zip(citations, found, strict=True):
            for number, each in enumerate(proposal.citations):
                if each is citation:
                    results[number] = checked
        if self._shown is proposal:
            self._fill(proposal)
            self._select_for_current()
        self.checked.emit(proposal.id)

    def _fill(self, proposal: Proposal) -> None:
        self._filling = True
        self.list.clear()
        for number, citation in enumerate(proposal.citations, start=1):
            self.list.addItem(self._row(number, citation, self.result(proposal, number)))
        self._filling = False

    def _select_for_current(self) -> None:
        """The citation on screen, or the citations backing the hunk on screen."""
        item = self._controller.current
        if item is None or item.proposal is not self._shown:
            return
        wanted = [
            number
            for number, citation in enumerate(item.proposal.citations)
            if citation is item.citation
            or (item.citation is None and citation.hunk_id == item.hunk.id)
        ]
        self._filling = True
        self.list.clearSelection()
        for row in wanted:
            self.list.item(row).setSelected(True)
        if wanted:
            self.list.scrollToItem(self.list.item(wanted[0]))
        self._filling = False

    def _on_row_clicked(self, row: QListWidgetItem) -> None:
        """Choosing a citation puts it on screen (its source, its marker in the answer)."""
        if self._filling:
            return
        target = self._item_of(self.list.row(row))
        if target is not None:
            self._controller.show_item(target)
        self._select_for_current()

    def _item_of(self, row: int) -> ReviewItem | None:
        shown = self._shown
        if shown is None or not 0 <= row < len(shown.citations):
            return None
        citation = shown.citations[row]
        items = self._controller.queue_index.items_of_proposal(shown)
        return next((each for each in items if each.citation is citation), None)

    def _row(
        self, number: int, citation: Citation, checked: CheckedCitation | None
    ) -> QListWidgetItem:
        where = escape_hidden(citation.title or citation.locator)
        quote = escape_hidden(citation.quote)
        if len(quote) > 160:
            quote = quote[:157] + "…"
        lines = [f"[{number}] {where}", f"“{quote}”"]
        check = checked.check if checked is not None else None
        shape, colour, words = look_of(check)
        if check is None:
            lines.append(words)
        elif check.status == "approximate":
            lines.append(f"{words} · score {check.score:.2f}")
            lines += [
                f"  quote “{escape_hidden(d.quote)}” · source “{escape_hidden(d.source)}”"
                for d in check.differences[:5]
            ]
        else:
            lines.append(words + (f": {check.reason}" if check.reason else ""))
        origin = checked.origin if checked is not None else citation.locator
        lines.append(f"source: {escape_hidden(origin)}")
        row = QListWidgetItem("\n".join(lines))
        row.setIcon(state_icon(shape, colour))
        return row
