"""The review window: queue, diff and details side by side, the leash slider, the decision bar.

The window builds its widgets and shows the session in them. Their layout is
`ui.window_layout`'s, what each command id does `ui.window_commands`', the views that
take the diff's place `ui.centre_views`', the review logic the controller's and the
keys `ui.actions`'.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow

from vetline.core.hidden_text import escape_hidden
from vetline.core.model import Change
from vetline.core.session import ReviewItem
from vetline.core.settings import Settings
from vetline.ui.actions import AutonomySlider, DecisionBar, add_menus, build_actions, build_toolbar
from vetline.ui.asking import AskRunner
from vetline.ui.banner import Banner, EmptyState
from vetline.ui.centre_views import CentreViews
from vetline.ui.controller import ReviewController
from vetline.ui.details_view import DetailsView
from vetline.ui.dialogs import ReviewPrompts
from vetline.ui.diff_rows import DiffLayout
from vetline.ui.diff_view import DiffView
from vetline.ui.finished_view import FinishedView
from vetline.ui.hidden_flags import HiddenFlags
from vetline.ui.image_commands import IMAGE_COMMANDS
from vetline.ui.latency import SettledObjects, prefer_the_gui_thread
from vetline.ui.log_sharing import LogSharingNotice
from vetline.ui.queue_view import QueueView
from vetline.ui.status import summary_text
from vetline.ui.unread_question import ask_before_unread_accepts
from vetline.ui.watchers import InboxFollower, RepositoryFollower
from vetline.ui.window_commands import command_handlers, open_paths
from vetline.ui.window_layout import ReviewPanes, place_on_screen

if TYPE_CHECKING:
    from vetline.adapters.llm.ask import AskResult
    from vetline.ui.ask_panel import AskPanel
    from vetline.ui.citation_view import CitationView
    from vetline.ui.image_view import ImagePairView

WINDOW_TITLE = "Vetline"


def window_title(item: ReviewItem) -> str:
    """The proposal's title, from the agent: a bidirectional control in it is shown as
    ⟨U+202E⟩, never left to reorder the title bar or the task switcher."""
    return f"{escape_hidden(item.proposal.title or item.proposal.id)} — {WINDOW_TITLE}"


class MainWindow(QMainWindow):
    """One window per review; `controller` holds the session, the window shows it."""

    def __init__(
        self,
        controller: ReviewController,
        settings: Settings,
        *,
        settings_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Vetline review window")
        self.setAcceptDrops(True)
        self.controller = controller
        prefer_the_gui_thread()  # process-wide, as the window's keys are the process's purpose
        self.settled = SettledObjects(self)
        self.banner = Banner(self)
        self.prompts = ReviewPrompts(self, controller, self.banner.show_problem, self.note)
        self.asker = AskRunner(controller, settings_file, self)
        self.prompts.reviser = self.asker
        self.repository_follower = RepositoryFollower(controller, self)
        self.log_sharing = LogSharingNotice(controller.log, controller.problem.emit, self)
        self.command_actions = build_actions(self, settings.keys, command_handlers(self))
        for command in IMAGE_COMMANDS:
            self.command_actions[command.id].setEnabled(False)  # until an image is on screen
        self.queue = QueueView(controller, self)
        self.diff = DiffView(self)
        self.diff.setAccessibleName("Diff of the current file")
        self.diff.set_command_actions(self.command_actions)  # its right-click menu
        self.queue.set_command_actions(self.command_actions)
        if settings["view.layout"] == DiffLayout.SIDE_BY_SIDE.value:
            self.diff.set_layout(DiffLayout.SIDE_BY_SIDE)
        self.file_header = QLabel(self)
        self.file_header.setObjectName("fileHeader")
        self.file_header.setAccessibleName("Current file")
        self.file_header.setTextFormat(Qt.TextFormat.PlainText)
        header_font = self.file_header.font()
        header_font.setBold(True)
        self.file_header.setFont(header_font)
        self.decision_bar = DecisionBar(self.command_actions, self)
        self.details = DetailsView(controller, self)
        self.slider = AutonomySlider(int(controller.session.level), self)
        self.finished = FinishedView(
            controller, self.command_actions["app.open"], self.command_actions["review.undo"], self
        )
        self.empty_state = EmptyState(
            self.command_actions["app.open"], self, self.command_actions["ask.files"]
        )
        self.workspace_label = QLabel(self)
        self.workspace_label.setAccessibleName("Workspace folder")
        self.workspace_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Review progress")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        panes = self.panes = ReviewPanes(self)
        self.view_pages, self.centre_pages = panes.view_pages, panes.centre_pages
        self.splitter, self.pages, self.loading = panes.splitter, panes.pages, panes.loading
        # The citation and image views, made for the first citation or image shown.
        self.centre_views = CentreViews(
            self,
            controller,
            self.view_pages,
            self.diff,
            self.command_actions,
            sources=self.details.sources,
            prompts=self.prompts,
            note=self.note,
        )
        self.hidden_flags = HiddenFlags(self, controller, self.prompts, self.banner.show_problem)
        self._ask_panel: AskPanel | None = None  # made when first opened: not for the first paint
        self.asker.answered.connect(self._on_answered)
        add_menus(self.menuBar(), self.command_actions)
        self.addToolBar(build_toolbar(self, self.command_actions, self.slider))

        # The change and item tuple on screen: set_file resets scrolling, so on change only.
        self._file_on_screen: tuple[Change, tuple[ReviewItem, ...]] | None = None
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.refresh_summary)
        self._clock.start()
        self._connect(controller)
        place_on_screen(self)
        self.refresh_everything()
        self.settled.freeze_soon()  # the modules and widgets of a started window

    def _connect(self, controller: ReviewController) -> None:
        controller.queue_rebuilt.connect(self.refresh_everything)
        controller.queue_rebuilt.connect(self.settled.freeze_soon)  # a load has settled
        controller.sources_opened.connect(self.show_workspace)
        controller.cursor_moved.connect(self.show_current)
        controller.states_changed.connect(lambda _proposal_ids: self.refresh_summary())
        controller.problem.connect(self.banner.show_problem)
        controller.problems_settled.connect(self.banner.dismiss)
        controller.note.connect(self.note)
        controller.navigated.connect(self._on_navigated)
        controller.confirm_hidden.connect(self.hidden_flags.confirm)
        controller.hidden_scanned.connect(self.hidden_flags.flag_current)
        ask_before_unread_accepts(self)
        controller.command_finished.connect(self._show_finished_if_done)
        controller.loading_changed.connect(self.loading.show_loading)
        controller.busy_changed.connect(self.decision_bar.set_busy)
        controller.busy_changed.connect(self.diff.set_busy)
        controller.states_changed.connect(lambda _proposal_ids: self._show_hunk_states())
        self.queue.item_chosen.connect(controller.show_item)
        self.diff.current_hunk_clicked.connect(self._on_hunk_clicked)
        self.diff.accept_clicked.connect(lambda i: self._decide_in_diff(i, "review.accept_hunk"))
        self.diff.reject_clicked.connect(lambda i: self._decide_in_diff(i, "review.reject_hunk"))
        self.prompts.panels.open_changed.connect(self._on_prompt_open)
        self.slider.level_chosen.connect(self._on_level_chosen)

    # --- showing the session --------------------------------------------------------------

    def refresh_everything(self) -> None:
        has_items = bool(self.controller.session.items)
        self.pages.setCurrentIndex(1 if has_items else 0)
        if has_items and not self.panes.sized:
            QTimer.singleShot(0, self.panes.size_once)
        self._file_on_screen = None
        self.show_current()
        self.refresh_summary()

    def show_current(self) -> None:
        """Put the current hunk's file in the diff view and mark the hunk."""
        item = self.controller.current
        if item is None:
            self.view_pages.setCurrentWidget(self.diff)
            self.diff.set_file(None, ())
            self.file_header.setText("")
            self.decision_bar.refresh(has_current=False)
            return
        if item.citation is not None:  # a cited source: the claim and the source, no diff
            self._show_citation(item)
            return
        # O(1) per key press: the index keeps each file's items and totals (a 100k-line file
        # has thousands of hunks, and a key must be painted within a frame).
        index = self.controller.queue_index
        change = item.change
        siblings = index.items_of(item.proposal, change)
        # Not the proposal: a repository re-read elsewhere renews it, not this file's rows.
        # The index makes a new tuple whenever the queue's items change.
        shown = self._file_on_screen
        if shown is None or shown[0] is not change or shown[1] is not siblings:
            self.diff.set_file(change, [sibling.hunk for sibling in siblings])
            self._file_on_screen = (change, siblings)
            self._show_hunk_states()
        self.diff.set_current_hunk(index.index_in_file(item))
        self.centre_views.show_image(item)
        added, removed = index.file_totals(change)
        self.file_header.setText(f"{escape_hidden(change.path)}   +{added} −{removed}")
        self.hidden_flags.flag(item)
        self.setWindowTitle(window_title(item))
        self.decision_bar.refresh(has_current=True)

    def _show_citation(self, item: ReviewItem) -> None:
        self.centre_views.show_citation(item)
        number, total = self.citation_view.number_of(item), len(item.proposal.citations)
        self.file_header.setText(
            f"Citation [{number}] of {total} · Ctrl+Y the source supports the claim · "
            "Ctrl+N it does not"
        )
        self.hidden_flags.flag(item)
        self.setWindowTitle(window_title(item))
        self.decision_bar.refresh(has_current=True)

    def show_workspace(self) -> None:
        """Where accepted hunks are written: always in sight, since it may be the cwd."""
        root = self.controller.write_root
        where = str(root) if root is not None else "none (nothing is written)"
        metrics = self.workspace_label.fontMetrics()
        room = metrics.averageCharWidth() * 48
        shown = metrics.elidedText(where, Qt.TextElideMode.ElideMiddle, room)
        self.workspace_label.setText(f"Workspace: {shown}")
        self.workspace_label.setToolTip(f"Verdicts take effect under\n{where}")
        watching = ""
        if self.controller.reviewer.inbox is not None:
            watching = (
                f"Watching the inbox {self.controller.reviewer.inbox.folder}\n"
                "Proposal files dropped there appear here within a second."
            )
        elif self.controller.repository is not None:
            watching = (
                f"Watching the repository {self.controller.repository.root}\n"
                "Its uncommitted changes appear here as they are made."
            )
        self.empty_state.set_watching(watching)

    def refresh_summary(self) -> None:
        session = self.controller.session
        self.summary.setText(
            summary_text(
                session.decided_count,
                len(session.items),
                session.seconds_in_session(),
                session.median_seconds_per_decision(),
            )
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.panes.sized:
            QTimer.singleShot(0, self.panes.size_once)

    # --- what the window does on its own ------------------------------------------------

    def toggle_layout(self) -> None:
        unified = self.diff.diff_layout() is DiffLayout.UNIFIED
        self.diff.set_layout(DiffLayout.SIDE_BY_SIDE if unified else DiffLayout.UNIFIED)
        self.note("Side by side" if unified else "Unified")
        self.panes.fit()

    def _on_navigated(self) -> None:
        """The reviewer moved on: the diff comes back, and old status words go."""
        self.centre_pages.setCurrentIndex(0)
        self.statusBar().clearMessage()

    def _show_finished_if_done(self) -> None:
        session = self.controller.session
        if session.items and session.finished:
            self.finished.refresh()
            if self.centre_pages.currentIndex() != 1:
                self.banner.dismiss()  # whatever it said was about hunks now decided
            self.centre_pages.setCurrentIndex(1)
        else:
            self.centre_pages.setCurrentIndex(0)

    @property
    def ask_panel(self) -> AskPanel:
        if self._ask_panel is None:
            from vetline.ui.ask_panel import AskPanel

            self._ask_panel = AskPanel(self.controller, self.asker, self.prompts.open_dialog, self)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._ask_panel)
            self._ask_panel.hide()
            self._ask_panel.visibilityChanged.connect(self._on_ask_panel_shown)
        return self._ask_panel

    def _on_prompt_open(self, is_open: bool) -> None:
        """While a question about the hunk is open beside it, no key or button decides."""
        for command_id, action in self.command_actions.items():
            if command_id.startswith("review."):
                action.setEnabled(not is_open)
        if is_open:
            self.diff.set_current_hunk(self.diff.current_hunk())  # it gave up room: keep in sight

    def _on_ask_panel_shown(self, shown: bool) -> None:
        if not shown:
            self.diff.setFocus()  # keys decide again once the panel is closed

    def _on_answered(self, result: AskResult) -> None:
        if result.proposal is not None:
            self.diff.setFocus()  # the answer is on screen: the next key decides it

    @property
    def citation_view(self) -> CitationView:
        """The citation item's view, made when first needed: not for the first paint."""
        return self.centre_views.citation_view

    @property
    def image_view(self) -> ImagePairView:
        """The image view, made (and added beside the diff) when first needed."""
        return self.centre_views.image_view

    def note(self, message: str) -> None:
        """A passing word in the status bar."""
        self.statusBar().showMessage(message, 8000)

    def _on_hunk_clicked(self, index: int) -> None:
        item = self.controller.current
        if item is None:
            return
        siblings = self.controller.queue_index.items_of(item.proposal, item.change)
        if 0 <= index < len(siblings):
            self.controller.show_item(siblings[index])

    def _show_hunk_states(self) -> None:
        shown = self._file_on_screen
        self.diff.set_hunk_states([item.state for item in shown[1]] if shown else [])

    def _decide_in_diff(self, index: int, command_id: str) -> None:
        """An inline Accept / Reject: that hunk becomes current, then the command runs."""
        if self.controller.busy:
            return
        self._on_hunk_clicked(index)
        shown = self._file_on_screen
        if shown and 0 <= index < len(shown[1]) and self.controller.current is shown[1][index]:
            self.command_actions[command_id].trigger()

    def _on_level_chosen(self, level: int) -> None:
        if not self.controller.set_level(level):
            self.slider.set_level(int(self.controller.session.level))  # busy: put it back

    # --- drag and drop, closing -----------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            open_paths(self, paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        """A write in flight finishes first; the window closes itself right after."""
        self.repository_follower.stop()
        self.log_sharing.stop()
        self.centre_views.shutdown()
        for follower in self.controller.findChildren(InboxFollower):
            follower.stop()
        if self.asker.running:  # stopped at once; the window closes when it has ended
            event.ignore()
            self.asker.running_changed.connect(
                lambda _running: QTimer.singleShot(0, self.close),
                Qt.ConnectionType.SingleShotConnection,
            )
            self.asker.cancel()
            return
        if self.controller.has_pending_work():
            event.ignore()
            self.controller.call_when_idle(lambda: QTimer.singleShot(0, self.close))
            return
        self.controller.leave()
        self._clock.stop()
        self.settled.release()
        super().closeEvent(event)
