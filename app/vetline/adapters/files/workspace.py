"""The workspace writer: turns accepted hunks into file contents and writes them all or none.

Every path is checked before it is read or written (no absolute paths, no `..`, no
`.git/`, no control characters, no symbolic link out of the workspace, no denied
pattern). Every base is checked against the bytes the proposal was made on, once
when planning and again just before the files are swapped in.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from vetline.adapters.files.atomic import NEW_FILE_MODE, WorkspaceIOError
from vetline.adapters.files.leftovers import Leftovers, clear_leftovers
from vetline.adapters.files.modes import git_permissions, mode_bits, refuse_special_files
from vetline.adapters.files.safety import NotRegularFileError, PathRules, read_regular_file
from vetline.adapters.files.steps import (
    FileWrite,
    only_case_differs,
    refuse_repeated_paths,
    steps_of,
)
from vetline.adapters.files.transaction import (
    JOURNAL_FOLDER,
    Step,
    Transaction,
    Untidy,
    finish_interrupted_writes,
)
from vetline.core.errors import InputError, StaleBaseError, UnsafePathError
from vetline.core.hidden_text import quoted_name
from vetline.core.hunks import HunkMismatchError, apply_hunks, git_start_guesses, split_hunk
from vetline.core.image_items import sidecar_path
from vetline.core.leash import DEFAULT_DENIED_PATHS
from vetline.core.model import Change, FileStatus, Hunk, HunkKind, Proposal, sha256_hex
from vetline.core.text import TextDecodeError, decode, encode

# NEW_FILE_MODE, WorkspaceIOError and FileWrite live beside; callers import them from here.
__all__ = ["JOURNAL_FOLDER", "NEW_FILE_MODE", "FileWrite", "Workspace", "WorkspaceIOError"]


class GitConversions(Protocol):
    """git's conversions (line endings, filters) for a folder in a git work tree."""

    def to_git(self, path: str, data: bytes, *, keep_line_endings: bool) -> bytes:
        """The bytes as git apply reads the file before patching it."""
        ...

    def to_worktree(self, path: str, data: bytes) -> bytes:
        """The bytes git apply writes at `path` for `data`."""
        ...


# Changes whose hunks apply to a file edited since the proposal, where their context matches.
_PLACED_BY_CONTEXT = frozenset({FileStatus.MODIFIED, FileStatus.RENAMED})


class Workspace:
    """A folder that accepted hunks are written into, and nowhere else."""

    def __init__(
        self,
        root: str | Path,
        deny: Sequence[str] = DEFAULT_DENIED_PATHS,
        journal_dir: Path | None = None,
    ) -> None:
        """`journal_dir`, a folder of Vetline's own, lets a crashed write be finished."""
        self.root = Path(root).absolute()
        self.journal_dir = journal_dir
        if not self.root.is_dir():
            raise InputError(f"the workspace folder does not exist: {self.root}")
        self.deny = tuple(deny)
        self._rules = PathRules(self.root, self.deny)
        # While `plan_in_order` runs: each path as the proposals planned so far leave it
        # (bytes or None for gone, and mode), in place of what is on disk.
        self._planned: dict[str, tuple[bytes | None, int | None]] = {}
        # Set for a folder in a git work tree: a patch is read and written through them.
        self.conversions: GitConversions | None = None

    def check_path(self, rel: str) -> Path:
        """The absolute path of `rel`, or UnsafePathError naming it and the reason."""
        reason = self._rules.refusal(rel)
        if reason:
            raise UnsafePathError(f"refusing the path {quoted_name(rel)}: {reason}")
        return self.root / rel

    def read_bytes(self, rel: str) -> bytes | None:
        """The file's bytes, or None when it does not exist."""
        path = self.check_path(rel)
        try:
            return read_regular_file(path)
        except NotRegularFileError as error:
            raise UnsafePathError(
                f"refusing the path {quoted_name(rel)}: {error.strerror}"
            ) from error
        except FileNotFoundError:
            return None
        except IsADirectoryError as error:
            raise StaleBaseError(f"{rel} is a folder, not a file") from error
        except NotADirectoryError as error:
            raise UnsafePathError(
                f"refusing the path {quoted_name(rel)}: a file stands where it needs a folder"
            ) from error
        except OSError as error:
            raise WorkspaceIOError(f"cannot read {rel}: {error.strerror}") from error

    def plan(
        self,
        proposal: Proposal,
        accepted: Collection[str],
        edited: Mapping[str, str] | None = None,
        *,
        only: Change | None = None,
    ) -> list[FileWrite]:
        """What writing the accepted hunks (of `only`, if given) would put on disk.

        `edited` maps hunk ids to the new-side text the reviewer wrote; it only
        matters for hunks in `accepted`. Raises StaleBaseError when the disk is not
        the base a hunk was made against; nothing is read outside the workspace.
        """
        changes = (only,) if only is not None else proposal.changes
        writes = []
        for change in changes:
            chosen = _accepted_hunks(change, accepted)
            boxes = [hunk for hunk in chosen if hunk.kind is HunkKind.ANNOTATION]
            content = [hunk for hunk in chosen if hunk.kind is not HunkKind.ANNOTATION]
            if content:
                write = self._plan_change(change, content, edited or {})
                if write is not None:
                    writes.append(write)
            if boxes:
                writes.append(self._plan_annotations(change, boxes))
        refuse_repeated_paths(steps_of(writes))
        return writes

    def plan_in_order(
        self, proposals: Sequence[Proposal], accepted: Collection[str]
    ) -> list[FileWrite]:
        """`plan` for several proposals, each on the result of the ones before it (as `git
        am` applies a series that edits one file twice), merged into one write per path
        that expects what is on disk now."""
        before: dict[str, str | None] = {}
        converted: dict[str, bool] = {}
        try:
            for proposal in proposals:
                for write in self.plan(proposal, accepted):
                    converted[write.path] = write.converted
                    moves = [(write.vacates, None, None)] if write.vacates is not None else []
                    for path, data, mode in [(write.path, write.data, write.mode), *moves]:
                        if path not in before:
                            before[path] = _sha_or_none(self.read_bytes(path))
                        self._planned[path] = (data, mode)
            planned = self._planned
        finally:
            self._planned = {}
        return [
            FileWrite(path, data, mode, before[path], converted=converted.get(path, False))
            for path, (data, mode) in planned.items()
            if data is not None or before[path] is not None
        ]

    def write(self, plan: Sequence[FileWrite], tag: str = "") -> Untidy:
        """Write every file of the plan, or — if anything fails — none of them; `tag`
        (the write's intent) goes into the names of its temp files. Returns what could
        not be tidied after a write that took place (false: nothing)."""
        steps = steps_of(plan)
        refuse_repeated_paths(steps)
        for step in steps:
            self.check_path(step.path)
            self.check_expected(step)
        changing = [step for step in steps if step.changes_something]
        transaction = Transaction(
            self.root, self.check_path, self.check_expected, changing, self.journal_dir, tag
        )
        transaction.run()
        return transaction.untidy

    def finish_interrupted_writes(self) -> list[str]:
        """Complete writes to this folder a crash stopped half-way; what was done, in words."""
        if self.journal_dir is None or not self.journal_dir.is_dir():
            return []
        return finish_interrupted_writes(self.root, self.journal_dir, self.check_path)

    def clear_leftovers(
        self,
        files: Mapping[str, tuple[str | None, str | None]],
        tag: str,
        *,
        completed: bool = False,
    ) -> Leftovers:
        """Remove the temp files and backups a write could not (a kill before its journal,
        an I/O error while cleaning up) left beside `files` (leftovers.py)."""
        return clear_leftovers(self.check_path, files, tag, completed=completed)

    def apply_proposal(
        self,
        proposal: Proposal,
        accepted: Collection[str],
        edited: Mapping[str, str] | None = None,
    ) -> list[FileWrite]:
        """Plan and write in one go; returns what was written."""
        plan = self.plan(proposal, accepted, edited)
        self.write(plan)
        return plan

    def restore(self, files: Iterable[tuple[str, bytes | None]], tag: str = "") -> Untidy:
        """Put files back to the given bytes (None: remove), all or none, as `write` does
        (`tag`: the write's intent). An existing file keeps its mode; a file that comes
        back gets NEW_FILE_MODE."""
        return self.write(self.plan_restore(files), tag)

    def plan_restore(self, files: Iterable[tuple[str, bytes | None]]) -> list[FileWrite]:
        """The writes that put files back to the given bytes, each expecting what is
        there now (checked again when written)."""
        plan = []
        for rel, data in files:
            current = self.read_bytes(rel)
            if current is None and data is None:
                continue
            mode = None if data is None else self._mode_or(rel, NEW_FILE_MODE)
            plan.append(FileWrite(rel, data, mode, _sha_or_none(current)))
        return plan

    # ---- planning -------------------------------------------------------------------

    def _plan_change(
        self, change: Change, chosen: list[Hunk], edited: Mapping[str, str]
    ) -> FileWrite | None:
        kinds = {hunk.kind for hunk in chosen}
        source = change.source_path
        target = change.path if _moves(change, kinds) else source
        self.check_path(source)
        self.check_path(target)
        refuse_special_files(change)
        if change.status is FileStatus.COPIED:
            return self._plan_copy(change, chosen, edited)
        data: bytes | None
        if change.is_binary:
            base = self._read_binary_base(change)
            read = self._as_git_reads(change, source, base)
            if HunkKind.BINARY in kinds:
                data = _binary_new_content(change, read)
            elif HunkKind.IMAGE_REGION in kinds:
                data = _composed_image(change, read, chosen)
            else:
                data = read
        else:
            base = self._read_base(change)
            read = self._as_git_reads(change, source, base)
            data = self._new_content(change, read or b"", chosen, edited)
            if change.status is FileStatus.DELETED and _removes_file(change, chosen):
                if data:
                    raise StaleBaseError(
                        f"{source}: the patch deletes this file, but lines it does not"
                        " remove are left in it"
                    )
                data = None
        if data is None and base is None:
            return None
        data, converted = self._as_git_writes(change, target, data)
        # A binary change is one item: accepting it takes its mode change too.
        mode_changes = HunkKind.MODE in kinds or (change.is_binary and HunkKind.BINARY in kinds)
        if base is None or (mode_changes and change.new_mode):
            mode = mode_bits(change.new_mode) or git_permissions(executable=False)
        else:
            # As git apply: the file is written anew, keeping only its executable bit.
            mode = git_permissions(bool(self._mode_or(source, NEW_FILE_MODE) & 0o100))
        if target != source and data is not None and base is not None:
            if self._planned_exists(target) and not only_case_differs(target, source):
                raise StaleBaseError(f"{target} already exists")
            return FileWrite(
                target,
                data,
                mode,
                None,
                vacates=source,
                vacates_sha256=_sha(base),
                converted=converted,
            )
        mode_or_none = None if data is None else mode
        return FileWrite(source, data, mode_or_none, _sha_or_none(base), converted=converted)

    def _plan_copy(
        self, change: Change, chosen: list[Hunk], edited: Mapping[str, str]
    ) -> FileWrite:
        """A new file made as git makes a copy: the source as it is before the patch (it
        stays), with the accepted hunks, and the source's mode unless the mode item says."""
        kinds = {hunk.kind for hunk in chosen}
        if HunkKind.COPY not in kinds:
            raise InputError(
                f"{change.path}: its changes are to a copy of {change.source_path};"
                " accept the copy too, or reject them"
            )
        base = self._planned_bytes(change.source_path)
        if base is None:
            raise StaleBaseError(f"{change.source_path} does not exist any more")
        if self._planned_exists(change.path):
            raise StaleBaseError(f"{change.path} already exists")
        read = self._as_git_reads(change, change.source_path, base) or b""
        data, converted = self._as_git_writes(
            change, change.path, self._new_content(change, read, chosen, edited)
        )
        assert data is not None
        if HunkKind.MODE in kinds and change.new_mode:
            mode = mode_bits(change.new_mode) or git_permissions(executable=False)
        else:
            source_mode = self._mode_or(change.source_path, NEW_FILE_MODE)
            mode = git_permissions(bool(source_mode & 0o100))
        return FileWrite(change.path, data, mode, None, converted=converted)

    def _as_git_reads(self, change: Change, path: str, data: bytes | None) -> bytes | None:
        """A patch's base as git apply reads it: through git's conversions (in a work tree)."""
        if data is None or self.conversions is None or change.base_text is not None:
            return data
        return self.conversions.to_git(path, data, keep_line_endings=_crlf_in_old(change))

    def _as_git_writes(
        self, change: Change, path: str, data: bytes | None
    ) -> tuple[bytes | None, bool]:
        """A patch's result as git apply writes it, and whether it went through git."""
        if data is None or self.conversions is None or change.base_text is not None:
            return data, False
        return self.conversions.to_worktree(path, data), True

    def _plan_annotations(self, change: Change, boxes: Sequence[Hunk]) -> FileWrite:
        """The sidecar beside the image, with the accepted boxes merged into what it holds."""
        from vetline.adapters.images.annotations import sidecar_bytes

        image = change.image
        drawn_on = image.annotated_sha256 if image is not None else None
        if drawn_on and not change.is_binary:
            on_disk = self.read_bytes(change.path)
            if on_disk is None or sha256_hex(on_disk) != drawn_on:
                raise StaleBaseError(f"{change.path} is not the image the boxes were drawn on")
        path = sidecar_path(change.path)
        self.check_path(path)
        current = self.read_bytes(path)
        regions = [hunk.region for hunk in boxes if hunk.region is not None]
        data = sidecar_bytes(change.path, current, regions, drawn_on, path)
        return FileWrite(path, data, self._mode_or(path, NEW_FILE_MODE), _sha_or_none(current))

    def _read_base(self, change: Change) -> bytes | None:
        """The base bytes from disk, checked against the proposal; None for a new file."""
        source = change.source_path
        base = self._planned_bytes(source)
        if change.status is FileStatus.ADDED:
            if base is not None or self._planned_exists(source):
                raise StaleBaseError(f"{source} already exists")
            return None
        if base is None:
            raise StaleBaseError(f"{source} does not exist any more")
        # Edited since, by someone else or by another proposal: each hunk is placed by its
        # own lines and context, exactly, as a patch's are (a hunk whose lines changed fails
        # there). A deletion or a whole-file item needs the very base.
        by_context = change.status in _PLACED_BY_CONTEXT and not change.is_binary
        if change.base_sha256 and sha256_hex(base) != change.base_sha256 and not by_context:
            raise StaleBaseError(f"{source} changed since the proposal was made")
        return base

    def _new_content(
        self, change: Change, base: bytes, chosen: list[Hunk], edited: Mapping[str, str]
    ) -> bytes:
        source = change.source_path
        chosen_ids = {hunk.id for hunk in chosen}
        if HunkKind.DELETE_EMPTY in {hunk.kind for hunk in chosen} and base:
            raise StaleBaseError(f"{source} is no longer empty")
        try:
            base_text, _ = decode(base, change.encoding)
            new_text = apply_hunks(
                base_text,
                [hunk for hunk in chosen if hunk.kind is HunkKind.TEXT],
                {hunk_id: text for hunk_id, text in edited.items() if hunk_id in chosen_ids},
                # A change read from a patch (it has no base text) goes where git puts it.
                patch_starts=git_start_guesses(change.hunks) if change.base_text is None else None,
            )
        except HunkMismatchError as error:  # its message names the path already
            raise StaleBaseError(str(error)) from error
        except TextDecodeError as error:
            raise StaleBaseError(f"{source}: {error}") from error
        try:
            return encode(new_text, change.encoding)
        except TextDecodeError as error:
            raise InputError(f"{change.path}: {error}") from error

    def _read_binary_base(self, change: Change) -> bytes | None:
        # Whether the file may or must exist is the binary patch's to say (its blob ids).
        source = change.source_path
        base = self._planned_bytes(source)
        if change.base_sha256 and (base is None or sha256_hex(base) != change.base_sha256):
            raise StaleBaseError(f"{source} changed since the proposal was made")
        return base

    def _planned_bytes(self, rel: str) -> bytes | None:
        return self._planned[rel][0] if rel in self._planned else self.read_bytes(rel)

    def _planned_exists(self, rel: str) -> bool:
        return self._planned[rel][0] is not None if rel in self._planned else self._exists(rel)

    def _mode_or(self, rel: str, default: int) -> int:
        if rel in self._planned:
            return self._planned[rel][1] or default
        try:
            return stat.S_IMODE((self.root / rel).stat().st_mode)
        except FileNotFoundError:
            return default

    def _exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def _same_file(self, rel: str, other: str) -> bool:
        """Whether two names lead to one file (as "Makefile" and "MakeFile" do on a
        case-insensitive file system)."""
        try:
            mine, theirs = (self.root / rel).lstat(), (self.root / other).lstat()
        except OSError:
            return False
        return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)

    # ---- checks ---------------------------------------------------------------------

    def check_expected(self, step: Step) -> None:
        if step.same_file_as is not None and self._same_file(step.path, step.same_file_as):
            return  # the old name's own step checks the bytes
        current = _sha_or_none(self.read_bytes(step.path))
        if current == step.expected_sha256:
            if step.expected_sha256 is None and self._exists(step.path):
                raise StaleBaseError(f"{step.path} already exists")
            return
        if step.expected_sha256 is None:
            raise StaleBaseError(f"{step.path} already exists")
        if current is None:
            raise StaleBaseError(f"{step.path} was removed since the proposal was made")
        raise StaleBaseError(f"{step.path} changed since the proposal was made")


def _binary_new_content(change: Change, base: bytes | None) -> bytes | None:
    # Imported when first needed: binary patches are rare.
    from vetline.core.binary_patch import binary_new_content as new_content

    return new_content(change, base)


def _composed_image(change: Change, base: bytes | None, chosen: Sequence[Hunk]) -> bytes | None:
    """The base with the accepted regions' changed pixels taken from the new image."""
    from vetline.adapters.images.compose import compose
    from vetline.adapters.images.regions import Box

    after = _binary_new_content(change, base)
    if base is None or after is None:
        raise StaleBaseError(f"{change.path}: regions need both the old and the new image")
    shown = change.image.before_data if change.image is not None else None
    if shown is not None and shown != base:
        # The regions were found against the image shown; any other base would mix.
        raise StaleBaseError(f"{change.source_path} is not the image the regions were found on")
    boxes = [Box(*hunk.region.box) for hunk in chosen if hunk.region is not None]
    return compose(base, after, boxes, change.path)


def _moves(change: Change, kinds: Collection[HunkKind]) -> bool:
    """Whether the content lands at the new name of a rename.

    A binary change without a separate RENAME hunk is one item: accepting it moves it.
    """
    if change.source_path == change.path:
        return False
    if HunkKind.RENAME in kinds:
        return True
    return change.is_binary and not any(hunk.kind is HunkKind.RENAME for hunk in change.hunks)


def _accepted_hunks(change: Change, accepted: Collection[str]) -> list[Hunk]:
    """The change's hunks whose ids are in `accepted`, in order.

    A reviewer may have split a hunk (core.hunks.split_hunk) and accepted some of its
    pieces; splitting is deterministic, so the pieces' ids are found by splitting again.
    """
    chosen = []
    for hunk in change.hunks:
        if hunk.id in accepted:
            chosen.append(hunk)
        else:
            chosen.extend(piece for piece in _split_pieces(hunk) if piece.id in accepted)
    return chosen


def _split_pieces(hunk: Hunk) -> tuple[Hunk, ...]:
    pieces = split_hunk(hunk)
    return pieces if len(pieces) > 1 else ()


def _removes_file(change: Change, chosen: Sequence[Hunk]) -> bool:
    """A deleted file goes when its DELETE_EMPTY hunk or every text hunk is accepted.

    (A deletion hunk has no unchanged lines, so it is never split into pieces.)
    """
    chosen_ids = {hunk.id for hunk in chosen}
    if any(hunk.kind is HunkKind.DELETE_EMPTY for hunk in chosen):
        return True
    text_hunks = [hunk for hunk in change.hunks if hunk.kind is HunkKind.TEXT]
    return bool(text_hunks) and all(hunk.id in chosen_ids for hunk in text_hunks)


def _crlf_in_old(change: Change) -> bool:
    """Whether a patch's old lines end in CRLF: git apply then keeps the file's endings."""
    return any(
        kind in " -" and text.rstrip("\n").endswith("\r")
        for hunk in change.hunks
        for kind, text in zip(hunk.kinds, hunk.texts, strict=True)
    )


def _sha(data: bytes | None) -> str:
    assert data is not None
    return sha256_hex(data)


def _sha_or_none(data: bytes | None) -> str | None:
    return None if data is None else sha256_hex(data)
