"""A git working tree's uncommitted changes as one proposal; each verdict staged or restored.

The base of each file is its INDEX content (what `git diff` compares the work tree
to, so hunks staged earlier are not reviewed again); the new side is the WORK TREE.
Every verdict is written at once, both sides computed from the original base so
positions never drift:

* the index holds the base plus the accepted (and edited) hunks: accept stages;
* the work tree holds the base plus every hunk not rejected: reject restores.

Where git converts a file when staging it (core.autocrlf, `eol`/`text` or a filter in
.gitattributes), its hunks are between the index and what `git add` would stage, both
asked of git; a restore writes through git's conversions, as `git restore` does, and
an accept leaves the work tree's bytes alone. Otherwise bytes are read and written raw,
so CRLF files and files without a final newline round-trip exactly. Nothing is committed.

Submodules, nested repositories and symbolic links are listed, never entered or
written: each is one zero-line BINARY item without data (status MODIFIED, ADDED or
DELETED), which a review session will not accept, and whose texts are what `git
diff` shows ("Subproject commit <id>", a link's target). A verdict on it changes
nothing.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.files.intents import missing_folders
from vetline.adapters.files.leftovers import Leftovers
from vetline.adapters.files.transaction import Untidy
from vetline.adapters.files.workspace import FileWrite, Workspace
from vetline.adapters.git.conversion import WorkTreeConversions
from vetline.adapters.git.runner import Git, GitCommandError
from vetline.adapters.git.scan import (
    IndexEntry,
    TrackedFile,
    head_commit,
    index_entries,
    read_object_format,
    scan_changes,
)
from vetline.adapters.git.sides import permission_bits_for, wanted_index, wanted_tree
from vetline.core.errors import InputError, StaleBaseError
from vetline.core.model import Change, Proposal, sha256_hex
from vetline.core.session import ReviewItem, verdicts_of

_IN_PROGRESS = (
    ("MERGE_HEAD", "merge"),
    ("rebase-merge", "rebase"),
    ("rebase-apply", "rebase (or git am)"),
    ("CHERRY_PICK_HEAD", "cherry-pick"),
    ("REVERT_HEAD", "revert"),
)


def load_worktree(repo: Path) -> GitTree:
    """The uncommitted changes of the working tree containing `repo`."""
    if not repo.is_dir():
        raise InputError(f"{repo}: no such folder")
    try:
        top = Git(repo).run("rev-parse", "--show-toplevel")
    except GitCommandError as error:
        raise InputError(f"{repo} is not a git working tree ({error})") from error
    git = Git(Path(os.fsdecode(top.removesuffix(b"\n"))))
    _refuse_operation_in_progress(git)
    return GitTree(git)


def _refuse_operation_in_progress(git: Git) -> None:
    names = [option for name, _ in _IN_PROGRESS for option in ("--git-path", name)]
    paths = git.run("rev-parse", *names).decode("utf-8", "surrogateescape").splitlines()
    for path, (_, what) in zip(paths, _IN_PROGRESS, strict=True):
        if (git.root / path).exists():
            raise InputError(f"{git.root} is in the middle of a {what}; finish or abort it first")
    if git.run("ls-files", "-z", "--unmerged"):
        raise InputError(f"{git.root} has unmerged files (a conflict); resolve them first")


class GitTree:
    """One working tree's uncommitted changes, and the writer of each verdict on them.

    Made by `load_worktree`. `proposals` holds one proposal for the whole tree (none
    when nothing changed). Calls must come one at a time (the UI's write gateway).
    """

    def __init__(self, git: Git) -> None:
        self.root = git.root
        self._git = git
        # The leash's denied paths flag a proposal; they must not stop a reject restoring one.
        self._workspace = Workspace(self.root, deny=())
        self._conversions = WorkTreeConversions(self.root)
        self._object_format = read_object_format(git)
        head = head_commit(git)
        files = scan_changes(git, self._object_format, None, self._conversions)
        self._files = {file.change.path: file for file in files}
        self.proposals: list[Proposal] = []
        if files:
            self.proposals.append(
                Proposal(
                    id=_proposal_id(self.root, head, files),
                    title=f"Uncommitted changes in {self.root.name}",
                    changes=tuple(file.change for file in files),
                    rationale=(
                        f"{len(files)} file{'s' if len(files) != 1 else ''} changed in the work"
                        f" tree since the index (HEAD {head[:12] or 'not born yet'})"
                    ),
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )

    @property
    def changes(self) -> tuple[Change, ...]:
        """The changes as last loaded or re-read."""
        return tuple(self._files[path].change for path in sorted(self._files))

    def sync_items(self, change: Change, items: Iterable[ReviewItem]) -> None:
        """`sync` with the verdicts now in force on `items` (the session's items of `change`)."""
        plan = self.plan_items(change, items)
        if plan is not None:
            self.carry_out(plan)

    def sync(
        self,
        change: Change,
        accepted: Collection[str],
        rejected: Collection[str],
        edited: Mapping[str, str],
    ) -> None:
        """Make the index and the work tree reflect these verdicts on `change`'s hunks.

        Hunks in none of the three stay as the agent left them: unstaged. Ids of
        pieces from `split_hunk` are understood. Raises StaleBaseError, having
        re-read the file (see `reload_change`), when the disk or the index no longer
        holds what was shown or last written; nothing is written then.
        """
        plan = self.plan_sync(change, accepted, rejected, edited)
        if plan is not None:
            self.carry_out(plan)

    def plan_items(self, change: Change, items: Iterable[ReviewItem]) -> SyncPlan | None:
        """`plan_sync` with the verdicts now in force on `items`."""
        verdicts = verdicts_of(items)
        return self.plan_sync(
            change, verdicts.accepted, verdicts.rejected_ids, verdicts.edited_texts
        )

    def plan_sync(
        self,
        change: Change,
        accepted: Collection[str],
        rejected: Collection[str],
        edited: Mapping[str, str],
    ) -> SyncPlan | None:
        """What `sync` would write, checked against the disk and the index (StaleBaseError
        as `sync` raises it); None for a listed-only item, which nothing writes."""
        file = self._tracked(change)
        if file.view_only:
            return None
        both = set(accepted) & set(rejected)
        if both:
            raise ValueError(f"hunks both accepted and rejected: {sorted(both)}")
        index, blobs = wanted_index(file, accepted, rejected, edited, self._object_format)
        tree = self._as_written(file, wanted_tree(file, accepted, rejected, edited))
        before = self._check_not_stale(file)
        index_updates = {path: entry for path, entry in index.items() if entry != file.index[path]}
        tree_writes = self._tree_writes(file, tree, before)
        return SyncPlan(
            file,
            {path: (_entry_text(file.index[path]), _entry_text(entry))
             for path, entry in index.items()},
            index_updates,
            {blob: data for blob, data in blobs.items()
             if any(entry is not None and entry.blob == blob for entry in index_updates.values())},
            tree_writes,
            {path: (_sha_or_none(before[path]), None if wanted is None else sha256_hex(wanted[0]))
             for path, wanted in tree.items()},
            tuple(missing_folders(self.root, (w.path for w in tree_writes if w.data is not None))),
        )  # fmt: skip

    def carry_out(self, plan: SyncPlan, tag: str = "") -> Untidy:
        """Write a plan: the index (one swap), then the work tree (all files or none);
        `tag` (the write's intent) goes into the names of its temp files."""
        for blob, data in plan.blobs.items():
            self._store_blob(data, blob)
        self._update_index(plan.index_updates)
        try:
            untidy = self._workspace.write(plan.tree_writes, tag)
        except BaseException:
            # The work tree is as it was (the writer is all-or-none): so must the index be.
            self._update_index({path: plan.file.index[path] for path in plan.index_updates})
            raise
        plan.file.index.update(plan.index_updates)
        plan.file.tree.update({path: after for path, (_, after) in plan.files.items()})
        return untidy

    def expected_state(
        self, change: Change
    ) -> tuple[dict[str, tuple[str | None, None]], dict[str, tuple[str | None, None]]]:
        """What `change`'s paths hold now as far as Vetline knows, as an intent's "before":
        per path, the work tree's sha256 and the index entry (the "after" not known yet)."""
        file = self._tracked(change)
        files = {path: (sha, None) for path, sha in file.tree.items()}
        return files, {path: (_entry_text(entry), None) for path, entry in file.index.items()}

    # ---- what a crash left (see operations/repository_intents) -------------------

    def keep_journals_in(self, folder: Path) -> None:
        """Journal each work tree write in `folder` (Vetline's own), so a crash half-way
        through one is finished by `finish_interrupted_writes`."""
        self._workspace.journal_dir = folder

    def finish_interrupted_writes(self) -> list[str]:
        return self._workspace.finish_interrupted_writes()

    def clear_leftovers(
        self, files: Mapping[str, tuple[str | None, str | None]], tag: str, *, completed: bool
    ) -> Leftovers:
        return self._workspace.clear_leftovers(files, tag, completed=completed)

    def file_shas(self, paths: Iterable[str]) -> dict[str, str | None]:
        """The sha256 of each work tree file now (None: absent)."""
        return {path: _sha_or_none(self._workspace.read_bytes(path)) for path in paths}

    def index_now(self, paths: Iterable[str]) -> dict[str, str | None]:
        """Each path's index entry now, as "<mode> <object id>" (None: not in the index)."""
        entries = index_entries(self._git, sorted(set(paths)))
        return {path: _entry_text(entry) for path, entry in entries.items()}

    def put_index(self, entries: Mapping[str, str | None]) -> None:
        """Set these index entries ("<mode> <object id>", None: remove), in one swap."""
        self._update_index(
            {
                path: None if text is None else IndexEntry(*text.split(" ", 1))
                for path, text in entries.items()
            }
        )

    def reload_change(self, path: str) -> tuple[Change, ...]:
        """Re-read the changes at `path` (and at the other name of a rename involving it).

        Returns what is there now: usually one change, none when the file now matches
        the index, two when a rename no longer pairs up. Hunks staged or restored by
        earlier verdicts are part of the index or work tree now, so they do not return.
        """
        stale = [
            file
            for file in self._files.values()
            if path in (file.change.path, file.change.source_path)
        ]
        paths = {path} | {p for file in stale for p in (file.change.path, file.change.source_path)}
        for file in stale:
            del self._files[file.change.path]
        fresh = scan_changes(self._git, self._object_format, sorted(paths), self._conversions)
        for file in fresh:
            self._files[file.change.path] = file
        return tuple(file.change for file in fresh)

    def changes_on_reject(self, change: Change) -> bool:
        """Whether rejecting `change` changes the work tree (listed-only items do not)."""
        return not self._tracked(change).view_only

    def agent_version(self, change: Change) -> bytes | None:
        """The work tree's bytes at `change.path` as read (as the agent left them); None
        when the agent deleted the file. Raises StaleBaseError if it was re-read since."""
        file = self._tracked(change)
        return file.disk if file.disk is not None else file.new

    # ---- writing ------------------------------------------------------------------

    def _tracked(self, change: Change) -> TrackedFile:
        file = self._files.get(change.path)
        if file is None or not (file.change is change or file.change == change):
            raise StaleBaseError(
                f"{change.path} was re-read since this change was shown; review it again"
            )
        return file

    def _check_not_stale(self, file: TrackedFile) -> dict[str, bytes | None]:
        """The bytes on disk now, if they and the index are what we expect; else re-read."""
        before = {path: self._workspace.read_bytes(path) for path in file.tree}
        for path, data in before.items():
            if (None if data is None else sha256_hex(data)) != file.tree[path]:
                self.reload_change(file.change.path)
                raise StaleBaseError(
                    f"{path} changed on disk since it was shown; it has been re-read"
                )
        current = index_entries(self._git, sorted(file.index))
        for path, entry in file.index.items():
            if current.get(path) != entry:
                self.reload_change(file.change.path)
                raise StaleBaseError(
                    f"{path} changed in the git index since it was shown; it has been re-read"
                )
        return before

    def _tree_writes(
        self,
        file: TrackedFile,
        wanted: Mapping[str, tuple[bytes, str] | None],
        before: Mapping[str, bytes | None],
    ) -> list[FileWrite]:
        writes = []
        for path, target in wanted.items():
            current = before[path]
            expected = None if current is None else sha256_hex(current)
            if target is None:
                if current is not None:
                    writes.append(FileWrite(path, None, None, expected))
                continue
            data, git_mode = target
            bits = self._permission_bits(path)
            new_bits = permission_bits_for(bits, git_mode)
            if current != data or bits != new_bits:
                writes.append(FileWrite(path, data, new_bits, expected))
        return writes

    def _as_written(
        self, file: TrackedFile, wanted: Mapping[str, tuple[bytes, str] | None]
    ) -> dict[str, tuple[bytes, str] | None]:
        """The work tree's wanted contents as git writes them (through its conversions, as
        `git restore` would); a file whose content stays keeps its bytes as they are."""
        written: dict[str, tuple[bytes, str] | None] = {}
        for path, target in wanted.items():
            if target is None:
                written[path] = None
            elif path == file.change.path and file.disk is not None and target[0] == file.new:
                written[path] = (file.disk, target[1])
            else:
                written[path] = (self._conversions.to_worktree(path, target[0]), target[1])
        return written

    def _permission_bits(self, path: str) -> int | None:
        try:
            return stat.S_IMODE((self.root / path).lstat().st_mode)
        except FileNotFoundError:
            return None

    def _store_blob(self, data: bytes, blob: str) -> None:
        stored = self._git.run("hash-object", "-w", "--no-filters", "--stdin", stdin=data)
        if stored.decode().strip() != blob:
            raise GitCommandError(f"git stored a blob as {stored!r}, expected {blob}")

    def _update_index(self, entries: Mapping[str, IndexEntry | None]) -> None:
        """One `update-index` for all paths: git swaps the index in whole or not at all."""
        if not entries:
            return
        zero = "0" * (64 if self._object_format == "sha256" else 40)
        lines = b"".join(
            (f"0 {zero}" if entry is None else f"{entry.mode} {entry.blob}").encode()
            + b"\t"
            + os.fsencode(path)
            + b"\0"
            for path, entry in entries.items()
        )
        self._git.run("update-index", "-z", "--index-info", stdin=lines)


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """One `sync`, checked and ready: the file's index entries and work tree files,
    each before and after ("<mode> <object id>" and sha256; None: absent)."""

    file: TrackedFile
    index: dict[str, tuple[str | None, str | None]]
    index_updates: dict[str, IndexEntry | None]
    blobs: dict[str, bytes]
    tree_writes: list[FileWrite]
    files: dict[str, tuple[str | None, str | None]]
    folders: tuple[str, ...]  # the folders the work tree write must make, parents first


def _entry_text(entry: IndexEntry | None) -> str | None:
    return None if entry is None else f"{entry.mode} {entry.blob}"


def _sha_or_none(data: bytes | None) -> str | None:
    return None if data is None else sha256_hex(data)


def _proposal_id(root: Path, head: str, files: Sequence[TrackedFile]) -> str:
    """Deterministic: the same tree, HEAD and differences give the same id."""
    digest = hashlib.sha256(os.fsencode(str(root)) + b"\0" + head.encode())
    for file in files:
        change = file.change
        digest.update(
            "\0".join(
                (
                    change.path,
                    change.source_path,
                    file.base_mode or "",
                    file.new_mode or "",
                    change.base_sha256 or "",
                    "" if file.new is None else sha256_hex(file.new),
                    (change.new_text or "") if file.view_only else "",
                )
            ).encode("utf-8", "surrogateescape")
        )
    return digest.hexdigest()[:12]
