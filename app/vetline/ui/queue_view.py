"""The queue: proposals → files → hunks, each with its state as an icon and in words.

Rows hold the session's own objects, so clicking a hunk shows it and a verdict
updates only the rows it touches. Item views draw their text as plain text, so
untrusted titles and paths cannot inject markup here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from vetline.core.model import Change, HunkKind, Proposal
from vetline.core.session import ReviewItem
from vetline.ui.controller import ReviewController
from vetline.ui.status import (
    DONE,
    OVER_LEASH,
    PENDING,
    STALE,
    ShownState,
    progress_words,
    shown_state,
)

_PAYLOAD = Qt.ItemDataRole.UserRole + 1  # the Proposal, Change or ReviewItem of a row
_SHOWN_KEY = Qt.ItemDataRole.UserRole + 2  # the ShownState.key its icon shows
_NAME, _STATE = 0, 1


class QueueView(QTreeView):
    """Selecting a row makes its (first) hunk current; the current hunk is always selected."""

    item_chosen = Signal(object)  # ReviewItem

    def __init__(self, controller: ReviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queue")
        self.setAccessibleName("Queue of proposals, files and hunks")
        self.header().setAccessibleName("Queue columns")
        self._controller = controller
        self._model = QStandardItemModel(0, 2, self)
        self._model.setHorizontalHeaderLabels(["Proposal / file / hunk", "State"])
        self.setModel(self._model)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setExpandsOnDoubleClick(False)
        self.setIndentation(self.fontMetrics().averageCharWidth() * 2)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_STATE, QHeaderView.ResizeMode.ResizeToContents)
        self._proposal_rows: dict[str, QStandardItem] = {}
        self._syncing = False
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        controller.queue_rebuilt.connect(self.rebuild)
        controller.states_changed.connect(self.refresh_states)
        controller.cursor_moved.connect(self.follow_cursor)

    # --- building ----------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Rows from the session's items, in queue order; expansion is kept per proposal."""
        expanded = {
            proposal_id
            for proposal_id, row in self._proposal_rows.items()
            if self.isExpanded(row.index())
        }
        first_build = not self._proposal_rows
        self._syncing = True
        self._model.removeRows(0, self._model.rowCount())
        self._proposal_rows.clear()
        session = self._controller.session
        titles = {proposal.id: proposal.title or proposal.id for proposal in session.proposals}
        for proposal in session.proposals:
            proposal_row = _row(_proposal_name(proposal, titles), proposal)
            font = proposal_row[0].font()
            font.setBold(True)
            proposal_row[0].setFont(font)
            self._model.appendRow(proposal_row)
            self._proposal_rows[proposal.id] = proposal_row[0]
            for change in proposal.changes:
                file_row = _row(_file_name(change), change)
                proposal_row[0].appendRow(file_row)
                items = list(session.items_of(proposal, change))
                for number, item in enumerate(items, start=1):
                    file_row[0].appendRow(_row(_hunk_name(item, number), item))
        self._syncing = False
        for proposal_id, row in self._proposal_rows.items():
            if first_build or proposal_id in expanded:
                self.expand(row.index())
                for child in range(row.rowCount()):
                    self.expand(row.child(child).index())
        self.refresh_states()
        self.follow_cursor()

    def refresh_states(self, proposal_ids: Collection[str] | None = None) -> None:
        """Icons, words and counts of the given proposals' rows (None: every row).

        A verdict touches one proposal; re-reading a thousand would cost a frame.
        """
        rows = (
            self._proposal_rows.values()
            if proposal_ids is None
            else [self._proposal_rows[i] for i in proposal_ids if i in self._proposal_rows]
        )
        for proposal_row in rows:
            proposal: Proposal = proposal_row.data(_PAYLOAD)
            proposal_decided = proposal_total = 0
            for file_index in range(proposal_row.rowCount()):
                file_row = proposal_row.child(file_index)
                decided = total = 0
                for hunk_index in range(file_row.rowCount()):
                    hunk_row = file_row.child(hunk_index)
                    item: ReviewItem = hunk_row.data(_PAYLOAD)
                    state = self._state_of(item)
                    _show(hunk_row, state, state.words)
                    decided += item.state.decided
                    total += 1
                change: Change = file_row.data(_PAYLOAD)
                stale = self._controller.is_stale(proposal, change)
                progress = f"{decided}/{total}"
                if stale:
                    _show(file_row, STALE, f"{progress} · {STALE.words}")
                else:
                    _show(file_row, DONE if decided == total else PENDING, progress)
                proposal_decided += decided
                proposal_total += total
            _show(proposal_row, *self._proposal_state(proposal, proposal_decided, proposal_total))

    def follow_cursor(self) -> None:
        """Select the current hunk's row without echoing it back as a choice."""
        current = self._controller.current
        row = self._row_of(current) if current is not None else None
        if row is None:
            return
        index = row.index()
        self._syncing = True
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._syncing = False
        self.scrollTo(index)

    # --- helpers -----------------------------------------------------------------------------

    def _proposal_state(
        self, proposal: Proposal, decided: int, total: int
    ) -> tuple[ShownState, str]:
        """A leash or base problem outranks progress: it is what the reviewer must see."""
        if self._controller.over_leash(proposal):
            return OVER_LEASH, f"{decided}/{total} · {OVER_LEASH.words}"
        if any(self._controller.is_stale(proposal, change) for change in proposal.changes):
            return STALE, f"{decided}/{total} · {STALE.words}"
        return (DONE if decided == total else PENDING), progress_words(decided, total)

    def _state_of(self, item: ReviewItem) -> ShownState:
        return shown_state(
            item,
            stale=self._controller.is_stale(item.proposal, item.change),
            over_leash=self._controller.over_leash(item.proposal),
        )

    def _row_of(self, wanted: ReviewItem) -> QStandardItem | None:
        proposal_row = self._proposal_rows.get(wanted.proposal.id)
        if proposal_row is None:
            return None
        for hunk_row in _hunk_rows(proposal_row):
            if hunk_row.data(_PAYLOAD) is wanted:
                return hunk_row
        return None

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        row = self._model.itemFromIndex(current.siblingAtColumn(_NAME))
        first = next(_hunk_rows(row), None) if row is not None else None
        if first is not None:
            self.item_chosen.emit(first.data(_PAYLOAD))

    def state_words(self) -> list[tuple[str, str]]:
        """(name, state) of every row, depth first: what a screen reader would hear."""
        found: list[tuple[str, str]] = []

        def walk(parent: QStandardItem) -> None:
            for index in range(parent.rowCount()):
                name = parent.child(index, _NAME)
                state = parent.child(index, _STATE)
                found.append((name.text(), state.text()))
                walk(name)

        walk(self._model.invisibleRootItem())
        return found


def _row(name: str, payload: object) -> list[QStandardItem]:
    name_item = QStandardItem(name)
    name_item.setData(payload, _PAYLOAD)
    # A trusted first line, then the name: Qt only guesses "rich text" from the text
    # before the first line break, so an untrusted name can never be read as markup.
    name_item.setToolTip(f"{_kind_of(payload)}\n{name}")
    state_item = QStandardItem("")
    state_item.setData(payload, _PAYLOAD)
    for item in (name_item, state_item):
        item.setEditable(False)
    return [name_item, state_item]


def _show(row: QStandardItem, state: ShownState | None, words: str) -> None:
    """A state's icon on the name, its words in the state column (icon AND words)."""
    key = state.key if state is not None else ""
    if row.data(_SHOWN_KEY) != key:  # setIcon repaints the row even when nothing changed
        row.setData(key, _SHOWN_KEY)
        row.setIcon(state.icon() if state is not None else QIcon())
    state_item = _state_item(row)
    if state_item.text() != words:
        state_item.setText(words)
        row.setData(f"{row.text()}: {words}", Qt.ItemDataRole.AccessibleDescriptionRole)


def _state_item(row: QStandardItem) -> QStandardItem:
    parent = row.parent() or row.model().invisibleRootItem()
    return parent.child(row.row(), _STATE)


def _hunk_rows(row: QStandardItem) -> Iterator[QStandardItem]:
    if isinstance(row.data(_PAYLOAD), ReviewItem):
        yield row
        return
    for index in range(row.rowCount()):
        yield from _hunk_rows(row.child(index, _NAME))


def _proposal_name(proposal: Proposal, titles: dict[str, str]) -> str:
    """The title; a revision says which proposal it revises (the lineage)."""
    name = proposal.title or proposal.id
    if proposal.parent_id is None:
        return name
    parent = titles.get(proposal.parent_id, proposal.parent_id)
    return f"↳ {name} — revision of “{parent}”"


def _file_name(change: Change) -> str:
    if change.old_path and change.old_path != change.path:
        return f"{change.old_path} → {change.path}"
    return change.path


def _hunk_name(item: ReviewItem, number: int) -> str:
    hunk = item.hunk
    if hunk.kind is HunkKind.BINARY and not item.acceptable:
        return "listed only · cannot be accepted"  # a submodule, a link, data not in a patch
    if hunk.kind is not HunkKind.TEXT:
        return f"{hunk.kind.value} · whole file"
    return f"Hunk {number} · +{hunk.added} −{hunk.removed} · line {max(hunk.old_start, 1)}"


def _kind_of(payload: object) -> str:
    if isinstance(payload, Proposal):
        return "Proposal"
    if isinstance(payload, Change):
        return "File"
    return "Hunk"
