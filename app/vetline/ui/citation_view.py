"""A citation on screen: the claim (a cited answer with its markers), and the source beside it.

The answer is the agent's Markdown, shown as plain text, never rendered (a link in it is
text, not something to click); its citation markers such as [1] are marked, the one on
screen most strongly, and clicking one puts its citation on screen. Below, the status in
an icon and a word, where the source came from, for an approximate quote the quote and
the passage one above the other with the differing words marked, and the source text
with the passage highlighted and scrolled into view.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from vetline.core.hidden_text import escape_hidden
from vetline.core.model import Citation, Proposal
from vetline.core.session import ReviewItem
from vetline.ui.controller import ReviewController
from vetline.ui.dialogs import ReviewPrompts, confirm_box
from vetline.ui.plain_text import plain_label
from vetline.ui.sources_panel import SourcesPanel, look_of
from vetline.ui.status import state_icon

if TYPE_CHECKING:
    from vetline.adapters.sources.checker import CheckedCitation
    from vetline.core.citations import CitationCheck

MARKER = re.compile(r"\[([^\[\]\s]{1,24})\]")
LEGEND = (
    "Marked: the words that differ between the quote and the source. Bold on red, "
    "underlined: a number, negation or unit differs (critical)."
)
_MARKER_BACK, _CURRENT_BACK = "#d6e4ff", "#0b3d91"
_PASSAGE = {"verified": "#ccebd5", "approximate": "#fff1c2", "critical": "#ffd6d6"}
_DIFFERENT, _CRITICAL = "#ffe08a", "#ff9b9b"


def markers(answer: str, citations: Sequence[Citation]) -> list[tuple[int, int, int]]:
    """(start, end, citation number) of each marker in `answer` that names a citation:
    by its id, or by its place in the list (1-based)."""
    by_id = {citation.id: number for number, citation in enumerate(citations, start=1)}
    found = []
    for match in MARKER.finditer(answer):
        text = match.group(1)
        number = by_id.get(text)
        if number is None and text.isdigit() and 1 <= int(text) <= len(citations):
            number = int(text)
        if number is not None:
            found.append((match.start(), match.end(), number))
    return found


def escaped(text: str, points: Iterable[int]) -> tuple[str, Callable[[int], int]]:
    """`text` with its hidden characters written as ⟨U+…⟩ (a bidirectional control in a
    source must not reorder what is drawn), and where each of `points` lands in it."""
    cuts = sorted({0, len(text), *(min(max(point, 0), len(text)) for point in points)})
    pieces: list[str] = []
    where: dict[int, int] = {}
    length = 0
    for start, end in itertools.pairwise(cuts):
        where[start] = length
        pieces.append(escape_hidden(text[start:end]))
        length += len(pieces[-1])
    where[cuts[-1]] = length
    return "".join(pieces), lambda point: where[min(max(point, 0), len(text))]


def _no_text_hint(check: CitationCheck | None) -> str:
    if check is None:
        return "Checking the quote against its source…"
    if str(check.status) != "unavailable":
        return ""
    return (
        f"The source could not be read: {check.reason}.\n"
        "Ctrl+Shift+U fetches the cited URLs (after showing their hosts); "
        "G opens the source (a URL after showing its full address)."
    )


def _text_box(parent: QWidget, name: str) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setObjectName(name)
    box.setAccessibleName(name)
    box.setReadOnly(True)
    box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the review keys stay where they were
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return box


def _mark(
    box: QPlainTextEdit, start: int, end: int, background: str, *, strong: bool = False
) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    cursor = QTextCursor(box.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    selection.cursor = cursor
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(background))
    if strong:
        fmt.setFontWeight(QFont.Weight.Bold)
        fmt.setFontUnderline(True)
    selection.format = fmt
    return selection


def _difference_marks(
    box: QPlainTextEdit,
    spans: Iterable[tuple[tuple[int, int], bool]],
    place: Callable[[int], int],
) -> list[QTextEdit.ExtraSelection]:
    """A mark for each differing run of words that is not empty on this side: (its span,
    whether it is critical); `place` turns a span's offset into one in the box's text."""
    return [
        _mark(box, place(a), place(b), _CRITICAL if critical else _DIFFERENT, strong=critical)
        for (a, b), critical in spans
        if b > a
    ]


class CitationView(QWidget):
    """Shows the citation item on screen; `open_source` and `fetch_urls` are commands."""

    def __init__(
        self,
        controller: ReviewController,
        sources: SourcesPanel,
        prompts: ReviewPrompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("citationView")
        self.setAccessibleName("Citation and its source")
        self._controller = controller
        self._sources = sources
        self._prompts = prompts
        self._item: ReviewItem | None = None
        self._marks: list[tuple[int, int, int]] = []
        self.claim_heading = plain_label("", self, "Claim heading")
        bold = self.claim_heading.font()
        bold.setBold(True)
        self.claim_heading.setFont(bold)
        self.answer = _text_box(self, "Cited answer")
        self.answer.viewport().installEventFilter(self)
        self.status_icon = QLabel(self)
        self.status_icon.setAccessibleName("Citation status icon")
        self.status = plain_label("", self, "Citation status", selectable=True)
        self.status.setFont(bold)
        self.origin = plain_label("", self, "Where the source came from", selectable=True)
        self.legend = plain_label(LEGEND, self, "How differences are marked")
        self.comparison = _text_box(self, "Quote and source passage")
        # Two lines, each perhaps wrapped: the rest of the height goes to the source.
        self.comparison.setMaximumHeight(self.fontMetrics().lineSpacing() * 8)
        self.source = _text_box(self, "Source text")
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.claim_heading)
        layout.addWidget(self.answer, 1)
        layout.addLayout(status_row)
        layout.addWidget(self.origin)
        layout.addWidget(self.legend)
        layout.addWidget(self.comparison, 1)
        layout.addWidget(self.source, 3)
        sources.checked.connect(self._on_checked)

    # --- showing ---------------------------------------------------------------------

    def show_item(self, item: ReviewItem) -> None:
        self._item = item
        self._show_claim(item)
        self._show_check(item)

    def number_of(self, item: ReviewItem) -> int:
        citations = item.proposal.citations
        return next(n for n, c in enumerate(citations, start=1) if c is item.citation)

    def _on_checked(self, proposal_id: str) -> None:
        if self._item is not None and self._item.proposal.id == proposal_id:
            self._show_check(self._item)

    def _show_claim(self, item: ReviewItem) -> None:
        proposal, citation = item.proposal, item.citation
        assert citation is not None
        number = self.number_of(item)
        if proposal.answer:
            self.claim_heading.setText(f"Cited answer · citation [{number}] is on screen")
            found = markers(proposal.answer, proposal.citations)
            shown, at = escaped(proposal.answer, [p for s, e, _n in found for p in (s, e)])
            self.answer.setPlainText(shown)  # plain text: Markdown is not rendered
            self._marks = [(at(start), at(end), n) for start, end, n in found]
        else:
            self.claim_heading.setText(f"Claim backed by citation [{number}]")
            self.answer.setPlainText(self._claim_text(item, number))
            self._marks = markers(self.answer.toPlainText(), proposal.citations)
        selections = [
            _mark(
                self.answer,
                start,
                end,
                _CURRENT_BACK if n == number else _MARKER_BACK,
                strong=n == number,
            )
            for start, end, n in self._marks
        ]
        for selection, (_start, _end, n) in zip(selections, self._marks, strict=True):
            if n == number:
                selection.format.setForeground(QColor("#ffffff"))
        self.answer.setExtraSelections(selections)
        current = next((start for start, _end, n in self._marks if n == number), None)
        if current is not None:
            cursor = QTextCursor(self.answer.document())
            cursor.setPosition(current)
            self.answer.setTextCursor(cursor)
            self.answer.centerCursor()

    def _claim_text(self, item: ReviewItem, number: int) -> str:
        citation = item.citation
        assert citation is not None
        lines = [f"[{number}] {citation.claim or '(no claim text given)'}"]
        if citation.hunk_id:
            hunk = next((h for h in item.proposal.hunks if h.id == citation.hunk_id), None)
            if hunk is None:
                lines.append(f"Cited for hunk {citation.hunk_id}, which is not in the proposal.")
            else:
                lines.append(f"Cited for a hunk of {hunk.path} (+{hunk.added} −{hunk.removed}):")
                lines += [text.rstrip("\r\n") for kind, text in hunk.lines if kind == "+"]
        lines.append(f"Quote: “{citation.quote}”")
        return escape_hidden("\n".join(lines))

    def _show_check(self, item: ReviewItem) -> None:
        number = self.number_of(item)
        checked = self._sources.result(item.proposal, number)
        check = checked.check if checked is not None else None
        shape, colour, words = look_of(check)
        size = self.status.fontMetrics().height() * 2
        self.status_icon.setPixmap(state_icon(shape, colour).pixmap(size, size))
        citation = item.citation
        assert citation is not None
        title = escape_hidden(citation.title or citation.locator)
        reason = f": {check.reason}" if check is not None and check.reason else ""
        self.status.setText(f"[{number}] {title} — {words}{reason}")
        origin = checked.origin if checked is not None else ""
        self.origin.setText(f"Source: {escape_hidden(origin)}" if origin else "Source: …")
        approximate = check is not None and str(check.status) == "approximate"
        self.legend.setVisible(approximate)
        self.comparison.setVisible(approximate)
        self.source.setPlaceholderText(_no_text_hint(check))
        if checked is None or check is None:
            self.source.setPlainText("")
            self.comparison.setPlainText("")
            return
        if approximate:
            self._show_comparison(citation.quote, checked, check)
        self._show_source(checked, check)

    def _show_comparison(self, quote: str, checked: CheckedCitation, check: CitationCheck) -> None:
        """The quote above the passage, the differing words marked on both."""
        assert check.source_span is not None
        start, end = check.source_span
        base = checked.excerpt_start
        differences = check.differences
        shown_quote, in_quote = escaped(quote, [p for d in differences for p in d.quote_span])
        shown_passage, in_passage = escaped(
            checked.excerpt[start - base : end - base],
            [p - start for d in differences for p in d.source_span],
        )
        quote_label, source_label = "Quote:   ", "Source:  "
        self.comparison.setPlainText(f"{quote_label}{shown_quote}\n{source_label}{shown_passage}")
        first = len(quote_label)
        second = first + len(shown_quote) + 1 + len(source_label)
        selections = _difference_marks(
            self.comparison,
            [(difference.quote_span, difference.critical) for difference in differences],
            lambda offset: first + in_quote(offset),
        )
        selections += _difference_marks(
            self.comparison,
            [(difference.source_span, difference.critical) for difference in differences],
            lambda offset: second + in_passage(offset - start),
        )
        self.comparison.setExtraSelections(selections)

    def _show_source(self, checked: CheckedCitation, check: CitationCheck) -> None:
        """The source around the passage, the passage highlighted and in view."""
        base = checked.excerpt_start
        spans = [span for span in (check.source_span,) if span is not None]
        spans += [d.source_span for d in check.differences]
        shown, at = escaped(checked.excerpt, [p - base for span in spans for p in span])
        self.source.setPlainText(shown)
        if check.source_span is None:
            self.source.setExtraSelections([])
            return
        start, end = at(check.source_span[0] - base), at(check.source_span[1] - base)
        kind = "critical" if check.critical else str(check.status)
        selections = [_mark(self.source, start, end, _PASSAGE.get(kind, _PASSAGE["approximate"]))]
        selections += _difference_marks(
            self.source,
            [(difference.source_span, difference.critical) for difference in check.differences],
            lambda offset: at(offset - base),
        )
        self.source.setExtraSelections(selections)
        cursor = QTextCursor(self.source.document())
        cursor.setPosition(max(0, start))
        self.source.setTextCursor(cursor)
        self.source.centerCursor()

    # --- clicking a marker -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.answer.viewport() and event.type() == QEvent.Type.MouseButtonRelease:
            assert isinstance(event, QMouseEvent)
            self._choose_marker_at(self.answer.cursorForPosition(event.position().toPoint()))
        return super().eventFilter(watched, event)

    def _choose_marker_at(self, cursor: QTextCursor) -> None:
        item = self._item
        if item is None:
            return
        position = cursor.position()
        number = next((n for s, e, n in self._marks if s <= position <= e), None)
        if number is None:
            return
        citation = item.proposal.citations[number - 1]
        items = self._controller.queue_index.items_of_proposal(item.proposal)
        target = next((each for each in items if each.citation is citation), None)
        if target is not None:
            self._controller.show_item(target)

    # --- commands ----------------------------------------------------------------------

    def _current_citation(self) -> tuple[Proposal, Citation] | None:
        """The citation on screen, or the first one backing the hunk on screen."""
        item = self._controller.current
        if item is None:
            return None
        if item.citation is not None:
            return item.proposal, item.citation
        backing = [c for c in item.proposal.citations if c.hunk_id == item.hunk.id]
        chosen = backing or list(item.proposal.citations[:1])
        return (item.proposal, chosen[0]) if chosen else None

    def open_source(self) -> None:
        """A workspace file in the system's viewer; a URL after showing its full address."""
        from vetline.adapters.sources.checker import source_access
        from vetline.adapters.sources.documents import SourceUnavailableError
        from vetline.adapters.sources.fetch import display_url, is_url
        from vetline.adapters.sources.loader import workspace_source

        found = self._current_citation()
        note = self._controller.note.emit
        if found is None:
            note("No citation here to open")
            return
        _proposal, citation = found
        locator = citation.locator.strip()
        if is_url(locator):
            address = display_url(locator)
            box = confirm_box(
                self,
                "Open this address?",
                f"Open the cited source in the browser?\n\n{address}\n\n"
                "International host names are shown in punycode (xn--…), as they really are.",
                "Open in browser",
                "confirmOpenUrl",
                enter_says_yes=False,
            )
            box.accepted.connect(lambda: QDesktopServices.openUrl(QUrl(address)))
            self._prompts.open_dialog(box)
            return
        if not locator:
            note("This source was given inline with the citation: it is shown here in full")
            return
        root = self._controller.write_root
        access = source_access(self._controller.settings, root, fetch=False)
        try:
            path = workspace_source(citation, access)
        except SourceUnavailableError as error:
            self._controller.problem.emit(f"Cannot open the cited file: {error}")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._controller.problem.emit(f"No viewer opened {escape_hidden(str(path))}")

    def fetch_urls(self) -> None:
        """Show the hosts the cited URLs are on and ask; on yes, fetch and check again."""
        from vetline.adapters.sources.checker import urls_to_fetch

        item = self._controller.current
        urls = urls_to_fetch(item.proposal.citations) if item is not None else []
        if item is None or not urls:
            self._controller.note.emit("No cited URLs to fetch here")
            return
        hosts = list(dict.fromkeys(urlsplit(url).hostname or url for url in urls))
        listed = "\n".join(f"• {host}" for host in hosts)
        box = confirm_box(
            self,
            "Fetch the cited URLs?",
            f"Fetch {len(urls)} cited address(es) from these hosts?\n\n{listed}\n\n"
            "Pages are read as text: nothing in them runs, no cookies are sent or kept.",
            "Fetch",
            "confirmFetch",
        )
        proposal = item.proposal
        box.accepted.connect(lambda: self._sources.fetch(proposal, urls))
        self._prompts.open_dialog(box)
