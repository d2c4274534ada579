"""The Sources panel: each citation of the proposal on screen, checked against its source.

Checking reads files (and, only when asked, URLs), so it runs on the gateway's worker
process; results are kept per proposal and shown as they arrive. Each status has an
icon and a word, never colour alone, and a critical approximate quote is never green.
Every text here (quotes, titles, addresses) is the agent's, drawn as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from vetline.core.hidden_text import escape_hidden
from vetline.core.model import Citation, Proposal
from vetline.core.settings import Settings
from vetline.ui.controller import ReviewController
from vetline.ui.plain_text import plain_label
from vetline.ui.status import Shape, state_icon
from vetline.ui.tasks import JobFailed, Superseded

if TYPE_CHECKING:
    from vetline.core.citations import CitationCheck

# By status value: core.citations (and rapidfuzz with it) loads only when there is
# something to check, not with the window.
_LOOKS = {
    "verified": (Shape.CHECK, "#1a7f37", "verified: the quote is in the source"),
    "not_found": (Shape.CROSS, "#cf222e", "not found in the source"),
    "unavailable": (Shape.RING, "#6e7781", "source unavailable"),
}
_APPROXIMATE = (Shape.TRIANGLE, "#9a6700", "approximate: close, but words differ")
_CRITICAL = (Shape.TRIANGLE, "#cf222e", "CRITICAL: a number, negation or unit differs")


def check_citations_job(
    citations: Sequence[Citation], settings: Settings, workspace: str | None
) -> list[CitationCheck]:
    """Run in the worker process: every citation checked, URLs left unfetched."""
    from vetline.adapters.sources.checker import CitationChecker, source_access

    root = Path(workspace) if workspace else None
    checker = CitationChecker(source_access(settings, root, fetch=False))
    return [check for _citation, check in checker.check_all(citations)]


class SourcesPanel(QWidget):
    """Lists the current proposal's citations with their status; hidden when it has none."""

    def __init__(self, controller: ReviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sources")
        self.setAccessibleName("Cited sources")
        self._controller = controller
        self._checks: dict[str, list[CitationCheck]] = {}  # proposal id -> results
        self._shown: Proposal | None = None
        heading = plain_label("SOURCES", self, "Sources heading")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        heading.setFont(font)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Citations and their status")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setMinimumHeight(self.fontMetrics().height() * 16)  # two or three in sight
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.list)
        self.hide()
        controller.cursor_moved.connect(self.refresh)
        controller.queue_rebuilt.connect(self.refresh)

    def statuses(self) -> list[str]:
        """The words of each row, as a screen reader hears them (tests read these)."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def refresh(self) -> None:
        item = self._controller.current
        proposal = item.proposal if item is not None else None
        if proposal is None or not proposal.citations:
            self._shown = None
            self.hide()
            return
        if proposal is not self._shown:
            self._shown = proposal
            if proposal.id not in self._checks:
                self._controller.start(self._check(proposal))
        self._fill(proposal)
        self.show()

    async def _check(self, proposal: Proposal) -> None:
        root = self._controller.write_root
        try:
            checks = await self._controller.gateway.latest(
                f"citations:{proposal.id}",
                check_citations_job,
                list(proposal.citations),
                self._controller.settings,
                None if root is None else str(root),
            )
        except Superseded:
            return
        except JobFailed as error:
            self._controller.problem.emit(f"Could not check the citations: {error}")
            return
        self._checks[proposal.id] = checks
        if self._shown is proposal:
            self._fill(proposal)

    def _fill(self, proposal: Proposal) -> None:
        self.list.clear()
        checks = self._checks.get(proposal.id)
        for number, citation in enumerate(proposal.citations, start=1):
            check = checks[number - 1] if checks is not None else None
            self.list.addItem(self._row(number, citation, check))

    def _row(self, number: int, citation: Citation, check: CitationCheck | None) -> QListWidgetItem:
        where = escape_hidden(citation.title or citation.locator)
        quote = escape_hidden(citation.quote)
        if len(quote) > 160:
            quote = quote[:157] + "…"
        lines = [f"[{number}] {where}", f"“{quote}”"]
        if check is None:
            row = QListWidgetItem("\n".join([*lines, "checking…"]))
            row.setIcon(state_icon(Shape.RING, "#6e7781"))
            return row
        if check.status == "approximate":
            shape, colour, words = _CRITICAL if check.critical else _APPROXIMATE
            lines.append(f"{words} · score {check.score:.2f}")
            lines += [
                f"  quote “{escape_hidden(d.quote)}” · source “{escape_hidden(d.source)}”"
                for d in check.differences[:5]
            ]
        else:
            shape, colour, words = _LOOKS[str(check.status)]
            lines.append(words + (f": {check.reason}" if check.reason else ""))
        lines.append(f"from {escape_hidden(citation.locator)}")
        row = QListWidgetItem("\n".join(lines))
        row.setIcon(state_icon(shape, colour))
        return row
