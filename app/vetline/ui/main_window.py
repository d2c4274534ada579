"""The review window: queue, diff and details side by side, the leash slider, the decision bar.

The window only arranges widgets and routes each command id to one handler; the
review logic lives in the controller and the keys in `ui.actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QScreen, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vetline.core.hidden_text import escape_hidden, hidden_warning
from vetline.core.image_items import is_svg_text
from vetline.core.leash import Level
from vetline.core.model import Change, HunkKind
from vetline.core.session import ReviewItem
from vetline.core.settings import Settings
from vetline.ui.actions import (
    AutonomySlider,
    DecisionBar,
    Handler,
    add_menus,
    build_actions,
    build_toolbar,
)
from vetline.ui.asking import AskRunner
from vetline.ui.banner import Banner, EmptyState
from vetline.ui.controller import ReviewController
from vetline.ui.details_view import DetailsView
from vetline.ui.dialogs import ReviewPrompts, confirm_box
from vetline.ui.diff_rows import DiffLayout
from vetline.ui.diff_view import DiffView
from vetline.ui.finished_view import FinishedView
from vetline.ui.image_commands import (
    IMAGE_COMMANDS,
    MODE_COMMANDS,
    REGION_STEPS,
    image_handlers,
    sibling_region,
)
from vetline.ui.latency import SettledObjects, prefer_the_gui_thread
from vetline.ui.loading_view import LoadingIndicator
from vetline.ui.log_sharing import LogSharingNotice
from vetline.ui.queue_view import QueueView
from vetline.ui.status import summary_text
from vetline.ui.unread_question import ask_before_unread_accepts
from vetline.ui.watchers import InboxFollower, RepositoryFollower

if TYPE_CHECKING:
    from vetline.adapters.llm.ask import AskResult
    from vetline.ui.ask_panel import AskPanel
    from vetline.ui.citation_view import CitationView
    from vetline.ui.image_view import ImagePairView

WINDOW_TITLE = "Vetline"
SCREEN_SHARE = 0.8  # of the screen's available geometry, for the window's first size
LARGEST_DEFAULT_SIZE = QSize(1600, 1000)  # beyond it, lines are longer than read comfortably
FALLBACK_SIZE = QSize(1280, 800)  # no screen attached yet


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
        self.prompts = ReviewPrompts(self, controller, self.banner.show_problem, self._note)
        self.asker = AskRunner(controller, settings_file, self)
        self.prompts.reviser = self.asker
        self.repository_follower = RepositoryFollower(controller, self)
        self.log_sharing = LogSharingNotice(controller.log, controller.problem.emit, self)
        self.command_actions = build_actions(self, settings.keys, self._handlers())
        for command in IMAGE_COMMANDS:
            self.command_actions[command.id].setEnabled(False)  # until an image is on screen
        # Made on the first image change: it brings numpy and Pillow, which a queue of
        # text hunks never needs before its first paint.
        self._image_view: ImagePairView | None = None
        self._image_on_screen: Change | None = None

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
        self._citation_view: CitationView | None = None  # made for the first citation shown
        self._build_layout()
        self._ask_panel: AskPanel | None = None  # made when first opened: not for the first paint
        self.asker.answered.connect(self._on_answered)
        add_menus(self.menuBar(), self.command_actions)
        self.addToolBar(build_toolbar(self, self.command_actions, self.slider))

        # The change and item tuple on screen: set_file resets scrolling, so on change only.
        self._file_on_screen: tuple[Change, tuple[ReviewItem, ...]] | None = None
        self._flagged_hunk = ""  # the hunk whose hidden characters were last said
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.refresh_summary)
        self._clock.start()
        self._connect(controller)
        self._place_on_screen()
        self.refresh_everything()
        self.settled.freeze_soon()  # the modules and widgets of a started window

    # --- layout ---------------------------------------------------------------------------

    def _place_on_screen(self) -> None:
        """Most of the screen (80%, at most 1600 × 1000), centred on it.

        The queue, the diff and the details share the width, so a window sized from the
        font (as it was) left the diff a narrow strip on a large screen.
        """
        screen: QScreen | None = self.screen()  # None when no screen is attached yet
        if screen is None:
            self.resize(FALLBACK_SIZE)
            return
        room = screen.availableGeometry()
        size = (room.size() * SCREEN_SHARE).boundedTo(LARGEST_DEFAULT_SIZE)
        frame = QRect(QPoint(0, 0), size)
        frame.moveCenter(room.center())
        self.resize(size)
        self.move(frame.topLeft())

    def _build_layout(self) -> None:
        centre = QWidget(self)
        centre.setAccessibleName("Diff area")
        centre_layout = QVBoxLayout(centre)
        gap = self.fontMetrics().averageCharWidth()
        centre_layout.setContentsMargins(gap, gap, gap, gap)
        centre_layout.setSpacing(gap)
        centre_layout.addWidget(self.file_header)
        # The text diff, or the image view for an image change.
        self.view_pages = QStackedWidget(self)
        self.view_pages.setAccessibleName("Diff or image")
        self.view_pages.addWidget(self.diff)
        centre_layout.addWidget(self.view_pages, 1)
        centre_layout.addWidget(self.prompts.panels)  # edit, reject with a reason: beside the hunk
        centre_layout.addWidget(self.decision_bar)
        self.prompts.panels.stand_in_for(self.decision_bar)
        # The diff, or the end of the queue's summary in its place.
        self.centre_pages = QStackedWidget(self)
        self.centre_pages.setAccessibleName("Diff or summary")
        self.centre_pages.addWidget(centre)
        self.centre_pages.addWidget(self.finished)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setAccessibleName("Review panes")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.queue)
        splitter.addWidget(self.centre_pages)
        splitter.addWidget(self.details)
        splitter.setCollapsible(2, True)  # the details give way to a side by side diff
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        self.queue.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        self._panes_sized = False
        # The queue's and details' widths before a side by side diff took their room.
        self._folded: tuple[int, int] | None = None
        self.pages = QStackedWidget(self)
        self.pages.setAccessibleName("Review or welcome")
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(splitter)
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.pages, 1)
        self.setCentralWidget(body)
        gap = self.fontMetrics().averageCharWidth() * 2
        self.workspace_label.setContentsMargins(gap, 0, gap, 0)
        self.loading = LoadingIndicator(self.command_actions["app.stop_loading"], self)
        self.statusBar().addPermanentWidget(self.loading)
        self.statusBar().addPermanentWidget(self.workspace_label)
        self.statusBar().addPermanentWidget(self.summary)
        self.statusBar().setAccessibleName("Status")

    def _connect(self, controller: ReviewController) -> None:
        controller.queue_rebuilt.connect(self.refresh_everything)
        controller.queue_rebuilt.connect(self.settled.freeze_soon)  # a load has settled
        controller.sources_opened.connect(self.show_workspace)
        controller.cursor_moved.connect(self.show_current)
        controller.states_changed.connect(lambda _proposal_ids: self.refresh_summary())
        controller.problem.connect(self.banner.show_problem)
        controller.problems_settled.connect(self.banner.dismiss)
        controller.note.connect(self._note)
        controller.navigated.connect(self._on_navigated)
        controller.confirm_hidden.connect(self._confirm_hidden)
        controller.hidden_scanned.connect(self._flag_current_hidden)
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
        if has_items and not self._panes_sized:
            QTimer.singleShot(0, self._size_panes)
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
        self._show_image(item)
        added, removed = index.file_totals(change)
        self.file_header.setText(f"{escape_hidden(change.path)}   +{added} −{removed}")
        self._flag_hidden(item)
        self.setWindowTitle(window_title(item))
        self.decision_bar.refresh(has_current=True)

    def _show_citation(self, item: ReviewItem) -> None:
        self.citation_view.show_item(item)
        self.view_pages.setCurrentWidget(self.citation_view)
        for command in IMAGE_COMMANDS:
            self.command_actions[command.id].setEnabled(False)
        number, total = self.citation_view.number_of(item), len(item.proposal.citations)
        self.file_header.setText(
            f"Citation [{number}] of {total} · Ctrl+Y the source supports the claim · "
            "Ctrl+N it does not"
        )
        self._flag_hidden(item)
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

    def _size_panes(self) -> None:
        """Share the width once the panes are laid out (a hidden splitter ignores sizes)."""
        if self._panes_sized or not self.splitter.isVisible():
            return
        width = self.splitter.width()
        char = self.fontMetrics().averageCharWidth()
        queue, details = max(char * 40, width * 3 // 10), max(char * 32, width // 5)
        self.splitter.setSizes([queue, width - queue - details, details])
        self._panes_sized = True
        self._fit_panes()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._panes_sized:
            QTimer.singleShot(0, self._size_panes)

    # --- command handlers (one per command id) --------------------------------------------

    def _handlers(self) -> dict[str, Handler]:
        controller = self.controller
        return {
            "review.accept_hunk": controller.accept,
            "review.reject_hunk": controller.reject,
            "review.reject_with_reason": self.prompts.reject_with_reason,
            "review.next_hunk": lambda: controller.move(+1),
            "review.previous_hunk": lambda: controller.move(-1),
            "review.undo": controller.undo,
            "review.edit_hunk": self.prompts.edit_hunk,
            "review.split_hunk": controller.split,
            "review.accept_rest": self.prompts.accept_rest,
            # The view is made after the actions (it needs the details pane): looked up late.
            "sources.open_source": lambda: self.citation_view.open_source(),  # noqa: PLW0108
            "sources.fetch_urls": lambda: self.citation_view.fetch_urls(),  # noqa: PLW0108
            "view.toggle_layout": self.toggle_layout,
            "view.expand_context": self._toggle_folds,
            "leash.level_up": lambda: self.slider.step(+1),
            "leash.level_down": lambda: self.slider.step(-1),
            **image_handlers(self._image_command),
            "ask.selection": lambda: self.open_ask(Level.SUGGEST),
            "ask.file": lambda: self.open_ask(Level.CHUNK),
            "ask.files": lambda: self.open_ask(Level.FILE),
            "app.open": self.open_files,
            "app.stop_loading": controller.cancel_loading,
            "app.command_palette": self.show_command_palette,
            "app.shortcuts": self.show_shortcuts,
            "app.stats": self.open_stats,
            "app.quit": lambda: QTimer.singleShot(0, self.close),
        }

    def toggle_layout(self) -> None:
        unified = self.diff.diff_layout() is DiffLayout.UNIFIED
        self.diff.set_layout(DiffLayout.SIDE_BY_SIDE if unified else DiffLayout.UNIFIED)
        self._note("Side by side" if unified else "Unified")
        self._fit_panes()

    def _fit_panes(self) -> None:
        """Side by side needs room for two columns of code: on a narrow window the details
        pane folds away (drag it back, or go unified, to see it again)."""
        if not self._panes_sized:
            return
        sizes = self.splitter.sizes()
        char = self.fontMetrics().averageCharWidth()
        side_by_side = self.diff.diff_layout() is DiffLayout.SIDE_BY_SIDE
        if side_by_side and sizes[2] and sizes[1] < char * 150:
            self._folded = (sizes[0], sizes[2])
            self.splitter.setSizes([sizes[0], sizes[1] + sizes[2], 0])
        elif not side_by_side and not sizes[2] and self._folded is not None:
            queue, details = self._folded
            self.splitter.setSizes([queue, sum(sizes) - queue - details, details])
            self._folded = None

    def _flag_hidden(self, item: ReviewItem) -> None:
        """Say once per hunk when it, its file's name, its proposal's text or its cited
        quote hides characters, before the reviewer decides it."""
        if self._flagged_hunk == item.hunk.id:
            return
        self._flagged_hunk = item.hunk.id
        citation = item.citation
        hidden = "" if citation is not None else self.controller.hidden_in(item)
        if hidden is None:  # still being looked at: said when hidden_scanned comes
            self._flagged_hunk = ""
            return
        around = self.controller.hidden_scans.around(item)
        warning = hidden_warning(hidden, around, asks_again=citation is None)
        if warning:
            self.banner.show_problem(warning)

    def _flag_current_hidden(self) -> None:
        current = self.controller.current
        if current is not None:
            self._flag_hidden(current)

    def _confirm_hidden(self, item: ReviewItem, hidden: str) -> None:
        box = confirm_box(
            self,
            "Accept a hunk that hides characters?",
            f"{escape_hidden(item.change.path)}: this hunk adds characters that hide what it "
            f"does:\n\n{hidden}\n\nAccept it anyway? The log records that it was flagged "
            "and that you confirmed.",
            "Accept anyway",
            "confirmHidden",
            enter_says_yes=False,
        )

        def accept() -> None:
            if self.controller.current is item:  # still the hunk the question was about
                self.controller.accept(confirmed_hidden=hidden)

        box.accepted.connect(accept)
        self.prompts.open_dialog(box)

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

    def open_ask(self, level: Level) -> None:
        """The Ask panel on the hunk on screen (1), its file (2) or files to pick (3)."""
        from vetline.ui.ask_scope import ask_scope

        root = self.controller.write_root or Path.cwd()
        self.ask_panel.open_for(ask_scope(self.controller, level, root))

    def open_stats(self) -> None:
        """The reviewer's numbers, in a window of their own (loaded when first opened)."""
        from vetline.ui.stats_view import open_stats

        open_stats(self)

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

    def open_files(self) -> None:
        self.prompts.choose_files(self.open_paths)

    def open_paths(self, paths: list[str]) -> None:
        workspace = self.controller.workspace
        root = workspace.root if workspace is not None else Path.cwd()
        self.controller.load_sources([str(Path(path).absolute()) for path in paths], root)

    def show_command_palette(self) -> None:
        from vetline.ui.command_palette import CommandPalette  # on demand: not for the first paint

        self.prompts.open_dialog(CommandPalette(self.command_actions, self))

    def show_shortcuts(self) -> None:
        from vetline.ui.shortcut_sheet import ShortcutSheet  # on demand, as the palette

        self.prompts.open_dialog(ShortcutSheet(self.command_actions, self))

    @property
    def citation_view(self) -> CitationView:
        """The citation item's view, made when first needed: not for the first paint."""
        if self._citation_view is None:
            from vetline.ui.citation_view import CitationView

            self._citation_view = CitationView(
                self.controller, self.details.sources, self.prompts, self
            )
            self.view_pages.addWidget(self._citation_view)
        return self._citation_view

    @property
    def image_view(self) -> ImagePairView:
        """The image view, made (and added beside the diff) when first needed."""
        if self._image_view is None:
            from vetline.ui.image_view import ImagePairView

            self._image_view = ImagePairView(self)
            self._image_view.setAccessibleName("Image change: before and after")
            self.view_pages.addWidget(self._image_view)
        return self._image_view

    def _image_mode(self, mode: Callable[[ImagePairView], None]) -> None:
        item = self.controller.current
        if item is not None and is_svg_text(item.change) and self._image_on_screen is None:
            self.image_view.show_svg(item.change)  # drawn for a look, until the next hunk
            self._image_on_screen = item.change
            self.view_pages.setCurrentWidget(self.image_view)
            for command in IMAGE_COMMANDS:
                self.command_actions[command.id].setEnabled(True)
        view = self._image_view
        if view is None or self.view_pages.currentWidget() is not view:
            self._note("This hunk has no image to compare")
            return
        mode(view)
        view.setFocus()

    def _image_command(self, method: str) -> None:
        step = REGION_STEPS.get(method)
        region = sibling_region(self.controller, step) if step else None
        if region is not None:  # the regions are items: J / K's walk, within this image
            self.controller.show_item(region)
            return
        self._image_mode(lambda view: getattr(view, method)())

    def _show_image(self, item: ReviewItem) -> bool:
        """An image change goes to the image view (its region outlined); False otherwise."""
        change = item.change
        image = change.image
        is_image = image is not None and (
            image.before_data is not None or image.after_data is not None
        )
        svg = is_svg_text(change)
        for command in IMAGE_COMMANDS:
            enabled = is_image or (svg and command.id in MODE_COMMANDS)
            self.command_actions[command.id].setEnabled(enabled)
        if not is_image:
            self._image_on_screen = None
            self.view_pages.setCurrentWidget(self.diff)
            return False
        if self._image_on_screen is not change:
            self.image_view.show_change(change)
            self._image_on_screen = change
        region = item.hunk.region
        if region is not None and item.hunk.kind is HunkKind.IMAGE_REGION:
            self.image_view.set_current_box((region.x, region.y, region.width, region.height))
        self.view_pages.setCurrentWidget(self.image_view)
        return True

    def _note(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _on_hunk_clicked(self, index: int) -> None:
        item = self.controller.current
        if item is None:
            return
        siblings = self.controller.queue_index.items_of(item.proposal, item.change)
        if 0 <= index < len(siblings):
            self.controller.show_item(siblings[index])

    def _toggle_folds(self) -> None:
        if not self.diff.toggle_folds_around_current():
            self._note("No hidden lines around this hunk can be shown")

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
            self.open_paths(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        """A write in flight finishes first; the window closes itself right after."""
        self.repository_follower.stop()
        self.log_sharing.stop()
        if self._image_view is not None:
            self._image_view.shutdown()
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
        self._clock.stop()
        self.settled.release()
        super().closeEvent(event)
