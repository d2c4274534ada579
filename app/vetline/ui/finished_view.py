"""The end of the queue: what was decided, what was written, and what to do next."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from vetline.core.session import HunkState
from vetline.ui.controller import ReviewController
from vetline.ui.status import duration_words


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


class FinishedView(QWidget):
    """Shown in place of the diff once every hunk is decided; J, K or a click leave it."""

    def __init__(
        self,
        controller: ReviewController,
        open_action: QAction,
        undo_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("finished")
        self.setAccessibleName("Review finished")
        self._controller = controller
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.figures = QLabel(self)
        self.figures.setAccessibleName("What was decided")
        self.next_steps = QLabel(self)
        self.next_steps.setAccessibleName("What to do next")
        for label in (self.figures, self.next_steps):
            label.setTextFormat(Qt.TextFormat.PlainText)  # paths and titles are not markup
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        for action in (open_action, undo_action):
            button = QPushButton(action.text().replace("&", ""), self)
            button.setAccessibleName(action.text().replace("&", ""))
            button.clicked.connect(action.trigger)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        margin = self.fontMetrics().height() * 2
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(self.fontMetrics().height())
        layout.addWidget(self.title)
        layout.addWidget(self.figures)
        layout.addWidget(self.next_steps)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def refresh(self) -> None:
        controller = self._controller
        session = controller.session
        states = Counter(item.state for item in session.items if item.citation is None)
        cited = Counter(item.state for item in session.items if item.citation is not None)
        total = sum(states.values())
        title = f"All {_count(total, 'hunk')}"
        if cited:
            title += f" and {_count(sum(cited.values()), 'citation')}"
        self.title.setText(f"{title} decided")
        median = session.median_seconds_per_decision()
        lines = [
            f"✓ Accepted: {states[HunkState.ACCEPTED]}",
            f"✗ Rejected: {states[HunkState.REJECTED]}",
            f"✎ Edited: {states[HunkState.EDITED]}",
            *(
                [
                    f"Citations: ✓ {cited[HunkState.ACCEPTED]} supported by their source, "
                    f"✗ {cited[HunkState.REJECTED]} not"
                ]
                if cited
                else []
            ),
            f"⚠ Not applied (refused by the writer, then decided again): "
            f"{session.not_applied_count}",
            "",
            f"Files written: {len(controller.written_paths)}",
            f"Time spent: {duration_words(session.seconds_in_session())}",
            "Median per decision: " + ("none on screen" if median is None else f"{median:.1f} s"),
        ]
        self.figures.setText("\n".join(lines))
        self.next_steps.setText(self._next_steps())

    def _next_steps(self) -> str:
        controller = self._controller
        repository = controller.repository
        if repository is not None:
            where = (
                f"Accepted hunks are staged in {repository.root}: `git diff --cached` shows "
                "them; commit when you are ready. Rejected hunks were restored in the work "
                "tree, and the agent's versions are kept (`vetline kept`)."
            )
        elif controller.write_root is not None:
            where = f"Accepted hunks are written in {controller.write_root}."
        else:
            where = "No workspace was given, so nothing was written; the verdicts are logged."
        if controller.reviewer.inbox is not None:
            where += f" Verdict files went to {controller.reviewer.inbox.folder / 'outbox'}."
        return (
            f"{where}\n\nNext: open more proposals, undo the last verdict, look back at any "
            "hunk with J / K or the queue, or export the log with `vetline log export`."
        )
