"""The queue as a Qt item model: proposals → files → hunks, each row's text asked for when shown.

A model over the session's own objects rather than a QStandardItem per row: building
thousands of items cost ~180 ms for a 100k-line file before its first paint, and a
verdict re-read every row of its proposal. Here a rebuild is one pass over the
proposals' files, a row's words and icon are computed only when a view paints it,
and a verdict repaints only the rows of the proposals it touched. Every string is
returned as plain data: item views never interpret it as markup.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple, overload

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from vetline.core.citation_items import is_citations_change
from vetline.core.hidden_text import escape_hidden
from vetline.core.image_items import item_title
from vetline.core.model import Change, FileStatus, HunkKind, Proposal
from vetline.core.session import HunkState, ReviewItem
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

NAME, STATE = 0, 1
_HEADERS = ("Proposal / file / hunk", "State")
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
# A set, not HunkState.decided: a property call per hunk adds up over thousands of them.
_DECIDED = frozenset(state for state in HunkState if state.decided)
# Made once: combining flags builds an enum in Python, and a tree view asks every row.
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class _File(NamedTuple):
    proposal_row: int
    row: int  # among its proposal's files
    change: Change
    items: tuple[ReviewItem, ...]


class _Seen(NamedTuple):
    """What a file's rows showed when last refreshed: what a verdict is compared with."""

    flags: tuple[frozenset[str], bool]  # the file's stale hunks; its proposal is over the leash
    states: list[tuple[HunkState, str]]  # each hunk's verdict state and write problem
    decided: int


class _Proposal(NamedTuple):
    proposal: Proposal
    name: str
    files: tuple[int, ...]  # numbers into QueueModel._files


class QueueModel(QAbstractItemModel):
    """Three levels, told apart by an index's internal id.

    0 is a proposal row; 1 + p is a file row of proposal p; 1 + P + f is a hunk row of
    file number f (P proposals in all). So `parent()` needs no per-row object.
    """

    def __init__(self, controller: ReviewController) -> None:
        super().__init__()
        self._controller = controller
        self._proposals: list[_Proposal] = []
        self._files: list[_File] = []
        self._file_of: dict[tuple[int, int], int] = {}  # id(proposal), id(change): file number
        self._row_of: dict[str, int] = {}  # proposal id: its row
        self._seen: dict[int, _Seen] = {}  # file number: what its rows showed
        self._bold = QFont()
        self._bold.setBold(True)

    # --- building -----------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Rows from the session's proposals and items (a model reset: views re-read)."""
        self.beginResetModel()
        index = self._controller.queue_index
        proposals = self._controller.session.proposals
        titles = {proposal.id: proposal.title or proposal.id for proposal in proposals}
        self._proposals, self._files, self._file_of = [], [], {}
        for proposal_row, proposal in enumerate(proposals):
            numbers = []
            for file_row, change in enumerate(_groups(proposal, index.items_of_proposal(proposal))):
                self._file_of[id(proposal), id(change)] = len(self._files)
                numbers.append(len(self._files))
                items = index.items_of(proposal, change)
                self._files.append(_File(proposal_row, file_row, change, items))
            name = _proposal_name(proposal, titles)
            self._proposals.append(_Proposal(proposal, name, tuple(numbers)))
        self._row_of = {entry.proposal.id: row for row, entry in enumerate(self._proposals)}
        self._seen = {number: self._look(number) for number in range(len(self._files))}
        self.endResetModel()

    def refresh_states(self, proposal_ids: Collection[str] | None = None) -> None:
        """The given proposals' rows show new states (None: every row).

        Only the hunk rows whose state changed are announced: a tree view re-reads every
        row of a changed range, and a verdict on a 100k-line file must not re-read 3,000.
        """
        rows = (
            range(len(self._proposals))
            if proposal_ids is None
            else [self._row_of[each] for each in proposal_ids if each in self._row_of]
        )
        for proposal_row in rows:
            entry = self._proposals[proposal_row]
            self._emit_changed(self.index(proposal_row, NAME))
            for number in entry.files:
                file_index = self.index(self._files[number].row, NAME, self.index(proposal_row, 0))
                self._emit_changed(file_index)
                for first, stop in self._changed_rows(number):
                    self.dataChanged.emit(
                        self.index(first, NAME, file_index), self.index(stop - 1, STATE, file_index)
                    )

    def _emit_changed(self, index: QModelIndex) -> None:
        self.dataChanged.emit(index, index.siblingAtColumn(STATE))

    def _look(self, number: int) -> _Seen:
        file = self._files[number]
        proposal = self._proposals[file.proposal_row].proposal
        controller = self._controller
        flags = (controller.stale_hunks(proposal, file.change), controller.over_leash(proposal))
        states = [(item.state, item.problem) for item in file.items]
        return _Seen(flags, states, sum(1 for state, _problem in states if state in _DECIDED))

    def _changed_rows(self, number: int) -> list[tuple[int, int]]:
        """Runs [first, stop) of a file's hunk rows that show something new since last time."""
        before, now = self._seen[number], self._look(number)
        self._seen[number] = now
        if now.flags != before.flags:  # staleness or the leash: every hunk row says it
            return [(0, len(now.states))] if now.states else []
        runs: list[tuple[int, int]] = []
        for row, (state, was) in enumerate(zip(now.states, before.states, strict=True)):
            if state == was:
                continue
            if runs and runs[-1][1] == row:
                runs[-1] = (runs[-1][0], row + 1)
            else:
                runs.append((row, row + 1))
        return runs

    # --- finding rows ------------------------------------------------------------------------

    def index_of(self, item: ReviewItem) -> QModelIndex:
        """The row of a queued hunk (invalid if it has none)."""
        number = self._file_of.get((id(item.proposal), id(item.change)))
        if number is None:
            return QModelIndex()  # queued after the last rebuild: no row yet
        position = self._controller.queue_index.index_in_file(item)
        rows = self._files[number].items
        if not 0 <= position < len(rows) or rows[position] is not item:
            return QModelIndex()  # queued after the last rebuild: no row yet
        return self.createIndex(position, NAME, 1 + len(self._proposals) + number)

    def proposal_id(self, index: _Index) -> str:
        """The id of the proposal a top-level row shows."""
        return self._proposals[index.row()].proposal.id

    def first_item(self, index: _Index) -> ReviewItem | None:
        """The hunk a row stands for: itself, or the first hunk of its file or proposal."""
        level, number = self._level(index)
        if level == "hunk":
            return self._files[number].items[index.row()]
        files = (
            self._proposals[number].files if level == "proposal" else (self._file_number(index),)
        )
        return next((self._files[each].items[0] for each in files if self._files[each].items), None)

    # --- QAbstractItemModel --------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        if not 0 <= column < len(_HEADERS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._proposals) else _ROOT
        level, number = self._level(parent)
        if level == "proposal":
            proposal_row = parent.row()
            if row < len(self._proposals[proposal_row].files):
                return self.createIndex(row, column, 1 + proposal_row)
        elif level == "file":
            number = self._proposals[number].files[parent.row()]
            if row < len(self._files[number].items):
                return self.createIndex(row, column, 1 + len(self._proposals) + number)
        return QModelIndex()

    # Qt gives `parent` two meanings: with no index, the QObject that owns the model.
    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, index: _Index) -> QModelIndex: ...
    def parent(self, index: _Index | None = None) -> QModelIndex | QObject | None:
        if index is None:
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        level, number = self._level(index)
        if level == "proposal":
            return QModelIndex()
        if level == "file":
            return self.createIndex(number, NAME, 0)
        file = self._files[number]
        return self.createIndex(file.row, NAME, 1 + file.proposal_row)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self._proposals)
        if parent.column() != NAME:
            return 0
        level, number = self._level(parent)
        if level == "proposal":
            return len(self._proposals[parent.row()].files)
        if level == "file":
            return len(self._files[self._proposals[number].files[parent.row()]].items)
        return 0

    def hasChildren(self, parent: _Index = _ROOT) -> bool:
        # Asked for every row a tree view lays out: one call, not rowCount + columnCount.
        return self.rowCount(parent) > 0

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return len(_HEADERS)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(_HEADERS):
            return _HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._name(index) if index.column() == NAME else self._shown(index)[1]
        if index.column() != NAME:
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            state = self._shown(index)[0]
            return state.icon() if state is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            # A trusted first line, then the name: Qt only guesses "rich text" from the
            # text before the first line break, so an untrusted name is never markup.
            level, number = self._level(index)
            kind = {"proposal": "Proposal", "file": "File", "hunk": "Hunk"}[level]
            if level == "hunk" and self._files[number].items[index.row()].citation is not None:
                kind = "Citation"
            return f"{kind}\n{self._name(index)}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return f"{self._name(index)}: {self._shown(index)[1]}"
        if role == Qt.ItemDataRole.FontRole and self._level(index)[0] == "proposal":
            return self._bold
        return None

    # --- what a row says -----------------------------------------------------------------------

    def _level(self, index: _Index) -> tuple[str, int]:
        """ "proposal" (and its row), "file" (its proposal's row) or "hunk" (its file number)."""
        tag = index.internalId()
        if tag == 0:
            return "proposal", index.row()
        if tag <= len(self._proposals):
            return "file", tag - 1
        return "hunk", tag - 1 - len(self._proposals)

    def _file_number(self, index: _Index) -> int:
        level, number = self._level(index)
        return self._proposals[number].files[index.row()] if level == "file" else number

    def _name(self, index: _Index) -> str:
        level, number = self._level(index)
        if level == "proposal":
            return self._proposals[number].name
        if level == "file":
            return _file_name(self._files[self._file_number(index)].change)
        return _hunk_name(self._files[number].items[index.row()], index.row() + 1)

    def _shown(self, index: _Index) -> tuple[ShownState | None, str]:
        """The icon and words of a row: a hunk's state, or a file's or proposal's progress."""
        controller = self._controller
        level, number = self._level(index)
        if level == "hunk":
            file = self._files[number]
            item = file.items[index.row()]
            state = shown_state(
                item,
                stale=controller.is_hunk_stale(item),
                over_leash=controller.over_leash(item.proposal),
            )
            return state, state.words
        if level == "file":
            number = self._file_number(index)
            file = self._files[number]
            decided, total = self._file_progress(number)
            proposal = self._proposals[file.proposal_row].proposal
            if controller.is_stale(proposal, file.change):
                return STALE, f"{decided}/{total} · {STALE.words}"
            return (DONE if decided == total else PENDING), f"{decided}/{total}"
        entry = self._proposals[number]
        decided = total = 0
        for each in entry.files:
            file_decided, file_total = self._file_progress(each)
            decided, total = decided + file_decided, total + file_total
        # A leash or base problem outranks progress: it is what the reviewer must see.
        if controller.over_leash(entry.proposal):
            return OVER_LEASH, f"{decided}/{total} · {OVER_LEASH.words}"
        if any(controller.is_stale(entry.proposal, change) for change in entry.proposal.changes):
            return STALE, f"{decided}/{total} · {STALE.words}"
        return (DONE if decided == total else PENDING), progress_words(decided, total)

    def _file_progress(self, number: int) -> tuple[int, int]:
        """Counted once per verdict on the file's proposal, not once per paint."""
        seen = self._seen[number]
        return seen.decided, len(seen.states)


def _proposal_name(proposal: Proposal, titles: dict[str, str]) -> str:
    """The title; a revision says which proposal it revises (the lineage)."""
    # The agent's words: a hidden character in them is shown, never drawn as nothing.
    name = escape_hidden(proposal.title or proposal.id)
    if proposal.parent_id is None:
        return name
    parent = escape_hidden(titles.get(proposal.parent_id, proposal.parent_id))
    return f"↳ {name} — revision of “{parent}”"


def _groups(proposal: Proposal, items: tuple[ReviewItem, ...]) -> list[Change]:
    """The proposal's files, then its citations' stand-in change (one row: "Sources")."""
    cited = next((item.change for item in items if item.citation is not None), None)
    return [*proposal.changes, *(() if cited is None else (cited,))]


def _file_name(change: Change) -> str:
    if is_citations_change(change):
        count = len(change.hunks)
        return f"Sources · {count} citation" + ("" if count == 1 else "s")
    # Names come from the agent: a hidden character in one is shown, never drawn as nothing.
    if change.old_path and change.old_path != change.path:
        return escape_hidden(f"{change.old_path} → {change.path}")
    return escape_hidden(change.path)


def _hunk_name(item: ReviewItem, number: int) -> str:
    hunk = item.hunk
    if item.citation is not None:
        return escape_hidden(f"[{number}] {item.citation.title or item.citation.locator}")
    if hunk.kind is HunkKind.BINARY and not item.acceptable:
        return "listed only · cannot be accepted"  # a submodule, a link, data not in a patch
    if hunk.region is not None:  # a region of changed pixels, or a proposed box
        return escape_hidden(item_title(hunk, number))
    destructive = destructive_label(item)
    if hunk.kind is not HunkKind.TEXT:
        return f"{hunk.kind.value} · {destructive or 'whole file'}"
    label = f" · {destructive}" if destructive else ""
    first = hunk.new_start if item.change.status is FileStatus.ADDED else hunk.old_start
    return f"Hunk {number}{label} · +{hunk.added} −{hunk.removed} · line {max(first, 1)}"


def destructive_label(item: ReviewItem) -> str:
    """Words for a verdict that adds or removes a whole file, said before it is decided."""
    status = item.change.status
    if status is FileStatus.ADDED:
        return "new file"
    if status is FileStatus.DELETED:
        return "deletes the file"
    return ""
