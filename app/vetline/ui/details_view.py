"""The details pane: what the proposal is, who made it, the leash verdict, and this hunk.

Everything an agent wrote (title, rationale, task, paths) is untrusted and is set on
labels with plain-text format, so markup in it is shown, never interpreted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from vetline.core.hidden_text import escape_hidden
from vetline.core.leash import Level, image_items
from vetline.core.model import HunkKind, Proposal
from vetline.core.session import HunkState, ReviewItem
from vetline.ui.controller import ReviewController
from vetline.ui.plain_text import plain_label
from vetline.ui.sources_panel import SourcesPanel
from vetline.ui.status import ACCEPTED, OVER_LEASH, STALE, ShownState, shown_state


class _Section(QWidget):
    """A small heading over a plain-text body; hidden while the body is empty."""

    def __init__(self, heading: str, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.heading = plain_label(heading, self, f"{name} heading", selectable=True)
        font = self.heading.font()
        font.setBold(True)
        font.setCapitalization(QFont.Capitalization.AllUppercase)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.heading.setFont(font)
        self.heading.setForegroundRole(self.heading.foregroundRole())
        self.icon = QLabel(self)
        self.icon.setAccessibleName(f"{name} icon")
        self.icon.setTextFormat(Qt.TextFormat.PlainText)
        self.icon.hide()
        self._state: ShownState | None = None
        self.body = plain_label("", self, name, selectable=True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.body, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addLayout(row)

    def set_text(self, text: str, state: ShownState | None = None) -> None:
        self.body.setText(text)
        if state is None:
            self.icon.hide()
        elif state is not self._state:  # a new pixmap repaints the label: only on a change
            size = self.body.fontMetrics().height()
            self.icon.setPixmap(state.icon().pixmap(size, size))
            self.icon.show()
        self._state = state
        self.setVisible(bool(text))


class DetailsView(QScrollArea):
    """Follows the controller's current hunk; re-reads the leash when the level moves."""

    def __init__(self, controller: ReviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("details")
        self.setAccessibleName("Proposal details")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._controller = controller
        page = QWidget(self)
        page.setAccessibleName("Proposal details page")
        self.title = plain_label("", page, "Proposal title", selectable=True)
        title_font = self.title.font()
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        self.title.setFont(title_font)
        self.byline = plain_label("", page, "Agent and model", selectable=True)
        self.byline.setForegroundRole(self.byline.foregroundRole())
        self.task = _Section("Task", "Task", page)
        self.rationale = _Section("Rationale", "Rationale", page)
        self.leash = _Section("Leash", "Leash verdict", page)
        self.hunk = _Section("This hunk", "This hunk", page)
        self.notes = _Section("Note", "Hunk notes", page)
        self.lineage = _Section("Lineage", "Lineage", page)
        layout = QVBoxLayout(page)
        spacing = self.fontMetrics().height()
        layout.setContentsMargins(spacing, spacing, spacing, spacing)
        layout.setSpacing(spacing)
        for widget in (self.title, self.byline, self.lineage, self.leash, self.hunk, self.notes):
            layout.addWidget(widget)
        self.sources = SourcesPanel(controller, page)
        layout.addWidget(self.sources)
        layout.addWidget(self.task)
        layout.addWidget(self.rationale)
        layout.addStretch(1)
        self.setWidget(page)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 34)
        controller.cursor_moved.connect(self.refresh)
        controller.states_changed.connect(lambda _proposal_ids: self.refresh())
        controller.queue_rebuilt.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        item = self._controller.current
        if item is None:
            self.title.setText("No proposal")
            self.byline.setText("")
            sections = (self.task, self.rationale, self.leash, self.hunk, self.notes, self.lineage)
            for section in sections:
                section.set_text("")
            return
        proposal = item.proposal
        # The agent's words: hidden characters in them are shown as ⟨U+…⟩, not drawn.
        self.title.setText(escape_hidden(proposal.title or proposal.id))
        self.byline.setText(escape_hidden(_byline(proposal)))
        self.task.set_text(escape_hidden(proposal.task))
        self.rationale.set_text(escape_hidden(proposal.rationale))
        self.lineage.set_text(self._lineage(proposal))
        self._show_leash(proposal)
        self._show_hunk(item)

    def _show_leash(self, proposal: Proposal) -> None:
        level = Level(self._controller.leash_level(proposal))
        violations = self._controller.violations(proposal)
        if violations:
            warning = [f"Over the leash at level {int(level)} ({level.title}):"]
            warning += [f"• {violation.message}" for violation in violations]
            warning.append("Review it hunk by hunk; accepting the rest at once is refused.")
            self.leash.set_text("\n".join(warning), OVER_LEASH)
            return
        files, hunks, lines = self._controller.queue_index.proposal_totals(proposal)
        pictures = image_items(proposal)  # counted as changed lines too (core.leash)
        images = f" + {_count(pictures, 'image item')}" if pictures else ""
        within = (
            f"Within the leash at level {int(level)} ({level.title}): "
            f"{_count(files, 'file')}, {_count(hunks, 'hunk')}, "
            f"{_count(lines, 'changed line')}{images}."
        )
        waiting = self._controller.session.citations_refusal(proposal)
        if waiting:
            self.leash.set_text(f"{within}\nAccept the rest waits: {waiting}.", OVER_LEASH)
            return
        self.leash.set_text(within, ACCEPTED)

    def _lineage(self, proposal: Proposal) -> str:
        """ "↳ Revision of “<title>”", and the reasons it was rejected for."""
        if proposal.parent_id is None:
            return ""
        session = self._controller.session
        parent = next((p for p in session.proposals if p.id == proposal.parent_id), None)
        if parent is None:
            return f"↳ Revision of proposal {proposal.parent_id}"
        reasons = dict.fromkeys(
            item.reason
            for item in self._controller.queue_index.items_of_proposal(parent)
            if item.state is HunkState.REJECTED and item.reason
        )
        lines = [f"↳ Revision of “{escape_hidden(parent.title or parent.id)}”"]
        lines += [f"rejected because: {reason}" for reason in reasons]
        return "\n".join(lines)

    def _show_hunk(self, item: ReviewItem) -> None:
        controller = self._controller
        if item.citation is not None:
            self._show_citation(item)
            return
        siblings = controller.queue_index.items_of(item.proposal, item.change)
        number = controller.queue_index.index_in_file(item) + 1
        stale = controller.is_hunk_stale(item)
        state = shown_state(item, stale=stale, over_leash=controller.over_leash(item.proposal))
        lines = [
            escape_hidden(item.change.path),
            f"Hunk {number} of {len(siblings)} · +{item.hunk.added} −{item.hunk.removed}",
            f"State: {state.words}",
        ]
        if item.state is HunkState.REJECTED and item.reason:
            lines.append(f"Reason: {item.reason}")
        self.hunk.set_text("\n".join(lines), state)
        in_repository = controller.repository is not None
        notes = _notes(item, stale, in_repository)
        self.notes.set_text("\n".join(notes), STALE if stale else None)

    def _show_citation(self, item: ReviewItem) -> None:
        citation = item.citation
        assert citation is not None
        state = shown_state(item, stale=False, over_leash=False)
        siblings = self._controller.queue_index.items_of(item.proposal, item.change)
        number = self._controller.queue_index.index_in_file(item) + 1
        lines = [
            f"Citation {number} of {len(siblings)}: "
            + escape_hidden(citation.locator or "source given inline"),
            f"State: {state.words}",
        ]
        if item.state is HunkState.REJECTED and item.reason:
            lines.append(f"Reason: {item.reason}")
        self.hunk.set_text("\n".join(lines), state)
        self.notes.set_text(
            "A cited source: Ctrl+Y if it supports the claim, Ctrl+N if it does not. "
            "Nothing is written for a citation."
        )


def _notes(item: ReviewItem, stale: bool, in_repository: bool) -> list[str]:
    notes = []
    if item.problem:
        notes.append(f"Not written: {item.problem}")
    elif stale:
        notes.append(
            "Stale: this hunk's lines changed on disk since the proposal was made, "
            "so accepting it will be refused."
        )
    if in_repository and item.hunk.kind is HunkKind.BINARY and not item.acceptable:
        notes.append(
            "Listed only (a submodule, nested repository or symbolic link): Vetline does not"
            " enter or change it, so it cannot be accepted; rejecting it changes nothing."
        )
    elif item.hunk.kind is HunkKind.IMAGE_REGION:
        notes.append(
            "A region of changed pixels: accepting it takes the new image's pixels inside "
            "it; the rest of the image stays as it is unless its own regions are accepted."
        )
    elif item.hunk.kind is HunkKind.ANNOTATION:
        notes.append("A labelled box the agent proposes; accepted boxes go to a sidecar file.")
    elif item.change.image is not None and item.change.image.whole_reason:
        notes.append(f"One item for the whole image: {item.change.image.whole_reason}.")
    elif item.change.is_binary or item.hunk.kind is HunkKind.BINARY:
        notes.append("Binary file: accepted or rejected as a whole.")
    elif item.hunk.is_whitespace_only:
        notes.append("Whitespace-only change: only spaces, tabs or line endings differ.")
    elif item.hunk.kind is not HunkKind.TEXT:
        notes.append(f"{item.hunk.kind.value.capitalize()}: no lines change.")
    return notes


def _byline(proposal: Proposal) -> str:
    agent = proposal.agent
    who = agent.name or "unknown agent"
    model = " · ".join(part for part in (agent.model_words, agent.provider) if part)
    line = f"by {who}" + (f" · {model}" if model else "")
    if proposal.created_at:
        line += f"\nproposed {_when(proposal.created_at)}"
    return line


def _when(stamp: str) -> str:
    """ "2026-11-20T09:14:03+00:00" as "20 Nov 2026, 09:14 UTC" (as given if unparsable)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return moment.strftime("%d %b %Y, %H:%M UTC").lstrip("0")
    return moment.strftime("%d %b %Y, %H:%M").lstrip("0")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
