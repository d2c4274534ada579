"""A git working tree's uncommitted changes as one proposal; each verdict staged or restored.

The base of each file is its INDEX content (what `git diff` compares the work tree
to, so hunks staged earlier are not reviewed again); the new side is the WORK TREE.
Every verdict is written at once, both sides computed from the original base so
positions never drift:

* the index holds the base plus the accepted (and edited) hunks: accept stages;
* the work tree holds the base plus every hunk not rejected: reject restores.

Bytes are read and written raw (no line-ending conversion, no filters), so CRLF
files and files without a final newline round-trip exactly. Nothing is committed.

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
import subprocess
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.errors import InputError, StaleBaseError, VetlineError
from vetline.adapters.workspace import FileWrite, Workspace
from vetline.core.hunks import HunkMismatchError, apply_hunks, hunks_from_texts, split_hunk
from vetline.core.model import (
    BinaryData,
    Change,
    FileStatus,
    Hunk,
    HunkKind,
    Proposal,
    sha256_hex,
)
from vetline.core.session import HunkState, ReviewItem
from vetline.core.text import TextDecodeError, decode, encode, is_binary, split_lines

GITLINK_MODE = "160000"
SYMLINK_MODE = "120000"
EXECUTABLE_MODE = "100755"
REGULAR_MODE = "100644"
_NO_MODE = "000000"
_IN_PROGRESS = (
    ("MERGE_HEAD", "merge"),
    ("rebase-merge", "rebase"),
    ("rebase-apply", "rebase (or git am)"),
    ("CHERRY_PICK_HEAD", "cherry-pick"),
    ("REVERT_HEAD", "revert"),
)
# Variables that would point git at another repository than the one we were given.
_REPOSITORY_VARIABLES = frozenset(
    {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY"}
)
# Pairing deleted files with similar new ones costs a diff per pair: keep that bounded.
_MAX_SIMILARITY_PAIRS = 64
_MAX_SIMILARITY_BYTES = 256 * 1024
_MIN_SIMILARITY = 0.5  # git's default for -M
_MAX_PATHS_ON_COMMAND_LINE = 500
_CONTENT_KINDS = (HunkKind.TEXT, HunkKind.BINARY, HunkKind.CREATE_EMPTY, HunkKind.DELETE_EMPTY)


class GitCommandError(VetlineError):
    """git refused a command (a held index.lock, a full disk); the message is git's."""


@dataclass(frozen=True, slots=True)
class _IndexEntry:
    mode: str  # e.g. "100644"
    blob: str  # object id


@dataclass(slots=True)
class _TrackedFile:
    """One listed change and what the index and work tree hold for it, as far as we know."""

    change: Change
    base: bytes | None  # the index bytes at change.source_path; None: not in the index
    new: bytes | None  # the work tree bytes at change.path; None: gone
    base_mode: str | None
    new_mode: str | None
    view_only: bool
    loaded_index: dict[str, _IndexEntry | None]  # per path, as loaded
    index: dict[str, _IndexEntry | None]  # per path, as loaded or as our last sync wrote
    tree: dict[str, str | None]  # per path, sha256 of the bytes expected on disk


class _Git:
    """Runs git in one working tree with nothing converted, quoted or globbed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
        # Reads must not refresh (and so rewrite) the index behind the reviewer's back.
        self._env["GIT_OPTIONAL_LOCKS"] = "0"

    def run(self, *args: str, stdin: bytes | None = None, user_conversions: bool = False) -> bytes:
        """git's output; `user_conversions` keeps the user's line-ending settings."""
        options = [] if user_conversions else ["-c", "core.autocrlf=false"]
        command = ["git", "--literal-pathspecs", "-c", "core.quotepath=off", *options, *args]
        try:
            result = subprocess.run(
                command, cwd=self.root, input=stdin, capture_output=True, env=self._env, check=False
            )
        except FileNotFoundError as error:
            raise InputError("git is not installed (or not on PATH)") from error
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise GitCommandError(f"git {args[0]} failed in {self.root}: {message}")
        return result.stdout


def load_worktree(repo: Path) -> GitTree:
    """The uncommitted changes of the working tree containing `repo`."""
    if not repo.is_dir():
        raise InputError(f"{repo}: no such folder")
    try:
        top = _Git(repo).run("rev-parse", "--show-toplevel")
    except GitCommandError as error:
        raise InputError(f"{repo} is not a git working tree ({error})") from error
    git = _Git(Path(os.fsdecode(top.removesuffix(b"\n"))))
    _refuse_operation_in_progress(git)
    return GitTree(git)


def _refuse_operation_in_progress(git: _Git) -> None:
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

    def __init__(self, git: _Git) -> None:
        self.root = git.root
        self._git = git
        # The leash's denied paths flag a proposal; they must not stop a reject restoring one.
        self._workspace = Workspace(self.root, deny=())
        self._object_format = _object_format(git)
        head = _head(git)
        files = _scan(git, self._object_format, None)
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
        accepted: set[str] = set()
        rejected: set[str] = set()
        edited: dict[str, str] = {}
        for item in items:
            if item.state is HunkState.ACCEPTED:
                accepted.add(item.hunk.id)
            elif item.state is HunkState.REJECTED:
                rejected.add(item.hunk.id)
            elif item.state is HunkState.EDITED and item.edited_text is not None:
                edited[item.hunk.id] = item.edited_text
        self.sync(change, accepted, rejected, edited)

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
        file = self._tracked(change)
        if file.view_only:
            return
        both = set(accepted) & set(rejected)
        if both:
            raise ValueError(f"hunks both accepted and rejected: {sorted(both)}")
        index, blobs = _wanted_index(file, accepted, rejected, edited, self._object_format)
        tree = _wanted_tree(file, accepted, rejected, edited)
        before = self._check_not_stale(file)
        index_updates = {path: entry for path, entry in index.items() if entry != file.index[path]}
        for entry in index_updates.values():
            if entry is not None and entry.blob in blobs:
                self._store_blob(blobs[entry.blob], entry.blob)
        tree_writes = self._tree_writes(file, tree, before)
        self._update_index(index_updates)
        try:
            self._workspace.write(tree_writes)
        except BaseException:
            # The work tree is as it was (the writer is all-or-none): so must the index be.
            self._update_index({path: file.index[path] for path in index_updates})
            raise
        file.index.update(index_updates)
        file.tree.update(
            {
                path: None if wanted is None else sha256_hex(wanted[0])
                for path, wanted in tree.items()
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
        fresh = _scan(self._git, self._object_format, sorted(paths))
        for file in fresh:
            self._files[file.change.path] = file
        return tuple(file.change for file in fresh)

    # ---- writing ------------------------------------------------------------------

    def _tracked(self, change: Change) -> _TrackedFile:
        file = self._files.get(change.path)
        if file is None or not (file.change is change or file.change == change):
            raise StaleBaseError(
                f"{change.path} was re-read since this change was shown; review it again"
            )
        return file

    def _check_not_stale(self, file: _TrackedFile) -> dict[str, bytes | None]:
        """The bytes on disk now, if they and the index are what we expect; else re-read."""
        before = {path: self._workspace.read_bytes(path) for path in file.tree}
        for path, data in before.items():
            if (None if data is None else sha256_hex(data)) != file.tree[path]:
                self.reload_change(file.change.path)
                raise StaleBaseError(
                    f"{path} changed on disk since it was shown; it has been re-read"
                )
        current = _index_entries(self._git, sorted(file.index))
        for path, entry in file.index.items():
            if current.get(path) != entry:
                self.reload_change(file.change.path)
                raise StaleBaseError(
                    f"{path} changed in the git index since it was shown; it has been re-read"
                )
        return before

    def _tree_writes(
        self,
        file: _TrackedFile,
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
            new_bits = _permission_bits_for(bits, git_mode)
            if current != data or bits != new_bits:
                writes.append(FileWrite(path, data, new_bits, expected))
        return writes

    def _permission_bits(self, path: str) -> int | None:
        try:
            return stat.S_IMODE((self.root / path).lstat().st_mode)
        except FileNotFoundError:
            return None

    def _store_blob(self, data: bytes, blob: str) -> None:
        stored = self._git.run("hash-object", "-w", "--no-filters", "--stdin", stdin=data)
        if stored.decode().strip() != blob:
            raise GitCommandError(f"git stored a blob as {stored!r}, expected {blob}")

    def _update_index(self, entries: Mapping[str, _IndexEntry | None]) -> None:
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


# ---- what each side should hold ------------------------------------------------------


def _content_units(change: Change, mentioned: Collection[str]) -> list[Hunk]:
    """The items that carry content, with a split hunk's pieces in place of it when the
    verdicts name them (a session splits a hunk into pieces with their own ids)."""
    units: list[Hunk] = []
    for hunk in change.hunks:
        if hunk.kind not in _CONTENT_KINDS:
            continue
        pieces = split_hunk(hunk)
        if len(pieces) > 1 and any(piece.id in mentioned for piece in pieces):
            units.extend(pieces)
        else:
            units.append(hunk)
    return units


def _side_content(file: _TrackedFile, chosen: Sequence[Hunk], edited: Mapping[str, str]) -> bytes:
    """The base with the chosen units applied, as bytes."""
    change = file.change
    base = file.base or b""
    if change.is_binary:
        binary_chosen = any(hunk.kind is HunkKind.BINARY for hunk in chosen)
        return (file.new or b"") if binary_chosen else base
    text_hunks = [hunk for hunk in chosen if hunk.kind is HunkKind.TEXT]
    if not text_hunks or change.base_text is None:
        return base
    try:
        text = apply_hunks(change.base_text, text_hunks, dict(edited))
        return encode(text, change.encoding)
    except (HunkMismatchError, TextDecodeError) as error:
        raise InputError(f"{change.path}: {error}") from error


def _wanted_index(
    file: _TrackedFile,
    accepted: Collection[str],
    rejected: Collection[str],
    edited: Mapping[str, str],
    object_format: str,
) -> tuple[dict[str, _IndexEntry | None], dict[str, bytes]]:
    """Per path, the index entry the verdicts call for; and the blobs those entries need."""
    change = file.change
    staged = set(accepted) | set(edited)
    units = _content_units(change, staged | set(rejected))
    chosen = [unit for unit in units if unit.id in staged]
    kinds = {hunk.kind for hunk in change.hunks if hunk.id in staged}
    at = change.path if HunkKind.RENAME in kinds else change.source_path
    wanted: dict[str, _IndexEntry | None] = dict.fromkeys(file.index)
    blobs: dict[str, bytes] = {}
    if file.base is None and not chosen:
        return dict(file.loaded_index), blobs  # a new file nobody accepted stays untracked
    if file.new is None and units and len(chosen) == len(units):
        return wanted, blobs  # the deletion is accepted whole
    data = _side_content(file, chosen, {k: v for k, v in edited.items() if k in staged})
    mode = file.new_mode if HunkKind.MODE in kinds or file.base_mode is None else file.base_mode
    assert mode is not None
    blob = _blob_id(data, object_format)
    wanted[at] = _IndexEntry(mode, blob)
    loaded = file.loaded_index.get(at)
    if loaded != wanted[at]:
        blobs[blob] = data
    return wanted, blobs


def _wanted_tree(
    file: _TrackedFile,
    accepted: Collection[str],
    rejected: Collection[str],
    edited: Mapping[str, str],
) -> dict[str, tuple[bytes, str] | None]:
    """Per path, the bytes and git mode the work tree should hold (None: no file)."""
    change = file.change
    refused = set(rejected)
    units = _content_units(change, set(accepted) | set(edited) | refused)
    kept = [unit for unit in units if unit.id not in refused]
    kinds = {hunk.kind for hunk in change.hunks if hunk.id in refused}
    at = change.source_path if HunkKind.RENAME in kinds else change.path
    wanted: dict[str, tuple[bytes, str] | None] = dict.fromkeys(file.tree)
    if file.base is None and units and not kept:
        return wanted  # every part of a new file rejected: it goes
    if file.new is None and len(kept) == len(units):
        return wanted  # nothing of a deletion rejected: the file stays deleted
    data = _side_content(file, kept, edited)
    mode = file.base_mode if HunkKind.MODE in kinds or file.new_mode is None else file.new_mode
    assert mode is not None
    wanted[at] = (data, mode)
    return wanted


def _permission_bits_for(current: int | None, git_mode: str) -> int:
    """Permission bits that give the file git's mode, keeping the rest as they are."""
    executable = git_mode == EXECUTABLE_MODE
    if current is None:
        return 0o755 if executable else 0o644
    if executable:
        return current | ((current & 0o444) >> 2)  # execute wherever it may be read, as git does
    return current & ~0o111


# ---- reading ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Listed:
    """A path git lists as different between the index and the work tree."""

    path: str
    base_mode: str | None
    new_mode: str | None
    blob: str | None


def _scan(git: _Git, object_format: str, paths: Sequence[str] | None) -> list[_TrackedFile]:
    """Every index / work tree difference (under `paths`, if given), sorted by path."""
    pathspec = ["--", *paths] if paths is not None else []
    listed = _diff_files(git, pathspec)
    untracked = [
        os.fsdecode(name)
        for name in git.run("ls-files", "-z", "--others", "--exclude-standard", *pathspec).split(
            b"\0"
        )
        if name
    ]
    for name in untracked:
        if name.endswith("/"):  # a nested repository: git lists it as a folder
            listed.append(_Listed(name.rstrip("/"), None, GITLINK_MODE, None))
        elif (git.root / name).is_symlink():
            listed.append(_Listed(name, None, SYMLINK_MODE, None))
        else:
            listed.append(_Listed(name, None, _disk_mode(git.root / name), None))
    index = _index_entries(git, [item.path for item in listed])
    blobs = _read_blobs(
        git, [item.blob for item in listed if item.blob and _is_file(item.base_mode)]
    )
    files: list[_TrackedFile] = []
    deleted: list[tuple[_Listed, bytes]] = []
    added: list[tuple[_Listed, bytes]] = []
    for item in listed:
        if not (_file_or_nothing(item.base_mode) and _file_or_nothing(item.new_mode)):
            files.append(_view_only(git, item, index))
            continue
        base = blobs[item.blob] if item.blob else None
        new = _read_file(git.root / item.path) if item.new_mode else None
        new_mode = item.new_mode if new is not None else None
        if base == new and item.base_mode == new_mode:
            continue  # only its timestamps changed
        if new is None and base is not None:
            deleted.append((item, base))
        elif base is None and new is not None and index.get(item.path) is None:
            added.append((item, new))
        else:
            files.append(_tracked(item.path, None, base, new, item.base_mode, new_mode, index))
    files += _pair_renames(deleted, added, index, object_format)
    _refuse_converted(git, [file for file in files if not file.view_only], object_format)
    return sorted(files, key=lambda file: file.change.path)


def _diff_files(git: _Git, pathspec: Sequence[str]) -> list[_Listed]:
    fields = git.run("diff-files", "-z", "--raw", "--no-abbrev", *pathspec).split(b"\0")
    listed = []
    for header, name in zip(fields[0::2], fields[1::2], strict=False):
        if not header.startswith(b":"):
            continue
        old_mode, new_mode, old_blob, _, _ = header[1:].decode().split(" ")
        listed.append(
            _Listed(
                os.fsdecode(name),
                None if old_mode == _NO_MODE else old_mode,
                None if new_mode == _NO_MODE else new_mode,
                None if old_mode == _NO_MODE else old_blob,
            )
        )
    return listed


def _pair_renames(
    deleted: list[tuple[_Listed, bytes]],
    added: list[tuple[_Listed, bytes]],
    index: Mapping[str, _IndexEntry | None],
    object_format: str,
) -> list[_TrackedFile]:
    """Deleted files paired with new ones of the same content, or (for a few small text
    files) of similar content, as renames; the rest as they are."""
    pairs: list[tuple[tuple[_Listed, bytes], tuple[_Listed, bytes]]] = []
    by_blob: dict[str, list[tuple[_Listed, bytes]]] = {}
    for old in deleted:
        by_blob.setdefault(_blob_id(old[1], object_format), []).append(old)
    unpaired_new = []
    for new in added:
        candidates = by_blob.get(_blob_id(new[1], object_format))
        if candidates:
            pairs.append((candidates.pop(0), new))
        else:
            unpaired_new.append(new)
    unpaired_old = [old for group in by_blob.values() for old in group]
    if len(unpaired_old) * len(unpaired_new) <= _MAX_SIMILARITY_PAIRS:
        scored = sorted(
            (
                (_similarity(old[1], new[1]), i, j)
                for i, old in enumerate(unpaired_old)
                for j, new in enumerate(unpaired_new)
            ),
            reverse=True,
        )
        used_old: set[int] = set()
        used_new: set[int] = set()
        for score, i, j in scored:
            if score >= _MIN_SIMILARITY and i not in used_old and j not in used_new:
                used_old.add(i)
                used_new.add(j)
                pairs.append((unpaired_old[i], unpaired_new[j]))
        unpaired_old = [old for i, old in enumerate(unpaired_old) if i not in used_old]
        unpaired_new = [new for j, new in enumerate(unpaired_new) if j not in used_new]
    files = [
        _tracked(new.path, old.path, old_data, new_data, old.base_mode, new.new_mode, index)
        for (old, old_data), (new, new_data) in pairs
    ]
    files += [
        _tracked(old.path, None, data, None, old.base_mode, None, index)
        for old, data in unpaired_old
    ]
    files += [
        _tracked(new.path, None, None, data, None, new.new_mode, index)
        for new, data in unpaired_new
    ]
    return files


def _similarity(old: bytes, new: bytes) -> float:
    """The share of lines two text files have in common (0 for binary or large files)."""
    if max(len(old), len(new)) > _MAX_SIMILARITY_BYTES:
        return 0.0
    texts = _texts(old, new)
    if texts is None:
        return 0.0
    old_text, new_text, _ = texts
    old_count, new_count = len(split_lines(old_text)), len(split_lines(new_text))
    removed = sum(hunk.removed for hunk in hunks_from_texts("", old_text, new_text, context=0))
    return (old_count - removed) / max(old_count, new_count, 1)


def _tracked(
    path: str,
    old_path: str | None,
    base: bytes | None,
    new: bytes | None,
    base_mode: str | None,
    new_mode: str | None,
    index: Mapping[str, _IndexEntry | None],
) -> _TrackedFile:
    paths = [path] if old_path is None else [old_path, path]
    loaded = {p: index.get(p) for p in paths}
    return _TrackedFile(
        change=_change(path, old_path, base, new, base_mode, new_mode),
        base=base,
        new=new,
        base_mode=base_mode,
        new_mode=new_mode,
        view_only=False,
        loaded_index=loaded,
        index=dict(loaded),
        tree={
            p: None if data is None else sha256_hex(data)
            for p, data in ((path, new), *(((old_path, None),) if old_path else ()))
        },
    )


def _change(
    path: str,
    old_path: str | None,
    base: bytes | None,
    new: bytes | None,
    base_mode: str | None,
    new_mode: str | None,
) -> Change:
    items: list[Hunk] = []
    if old_path is not None:
        items.append(_item(path, HunkKind.RENAME))
    if base_mode and new_mode and base_mode != new_mode:
        items.append(_item(path, HunkKind.MODE))
    texts = _texts(base or b"", new or b"")
    base_text, new_text, encoding = texts or (None, None, "utf-8")
    binary = texts is None and (base or b"") != (new or b"")
    if binary:
        items.append(_item(path, HunkKind.BINARY))
    elif base_text is not None and new_text is not None:
        items += hunks_from_texts(path, base_text, new_text)
    if not binary and base_text == new_text:
        if base is None:
            items.append(_item(path, HunkKind.CREATE_EMPTY))
        elif new is None:
            items.append(_item(path, HunkKind.DELETE_EMPTY))
    if binary:
        status = FileStatus.BINARY
    elif old_path is not None:
        status = FileStatus.RENAMED
    elif base is None:
        status = FileStatus.ADDED
    elif new is None:
        status = FileStatus.DELETED
    else:
        status = FileStatus.MODIFIED
    return Change(
        path=path,
        status=status,
        hunks=tuple(items),
        old_path=old_path,
        base_text=base_text,
        new_text=new_text,
        base_sha256=None if base is None else sha256_hex(base),
        encoding=encoding,
        old_mode=base_mode,
        new_mode=new_mode,
        binary_old=BinaryData(base) if binary and base is not None else None,
        binary_new=BinaryData(new) if binary and new is not None else None,
    )


def _texts(base: bytes, new: bytes) -> tuple[str, str, str] | None:
    """Both sides decoded in one encoding, or None when either is binary or they differ."""
    if is_binary(base) or is_binary(new):
        return None
    try:
        base_text, base_encoding = decode(base)
        new_text, new_encoding = decode(new)
    except TextDecodeError:
        return None
    if base_encoding != new_encoding and base and new:
        return None  # hunks cannot carry a change of encoding
    return base_text, new_text, base_encoding if base else new_encoding


def _view_only(git: _Git, item: _Listed, index: Mapping[str, _IndexEntry | None]) -> _TrackedFile:
    """A submodule, nested repository or symbolic link: shown, never written."""
    old_label = _label(git, item.path, item.base_mode, item.blob, new_side=False)
    new_label = _label(git, item.path, item.new_mode, item.blob, new_side=True)
    if item.base_mode is None:
        status = FileStatus.ADDED
    elif item.new_mode is None:
        status = FileStatus.DELETED
    else:
        status = FileStatus.MODIFIED
    change = Change(
        path=item.path,
        status=status,
        hunks=(_item(item.path, HunkKind.BINARY),),
        base_text=old_label,
        new_text=new_label,
        old_mode=item.base_mode,
        new_mode=item.new_mode,
    )
    loaded = {item.path: index.get(item.path)}
    return _TrackedFile(
        change, None, None, item.base_mode, item.new_mode, True, loaded, dict(loaded), {}
    )


def _label(git: _Git, path: str, mode: str | None, blob: str | None, *, new_side: bool) -> str:
    """What `git diff` shows for one side of a submodule or link."""
    if mode is None:
        return ""
    if mode == GITLINK_MODE:
        if not new_side:
            return f"Subproject commit {blob}\n"
        try:
            head = _Git(git.root / path).run("rev-parse", "-q", "--verify", "HEAD")
        except GitCommandError:
            return "Subproject commit (unknown)\n"
        commit = head.decode().strip()
        return f"Subproject commit {commit}{'-dirty' if commit == blob else ''}\n"
    if mode == SYMLINK_MODE:
        if not new_side:
            target = _read_blobs(git, [blob] if blob else []).get(blob or "", b"")
            return os.fsdecode(target)
        try:
            return str((git.root / path).readlink())
        except OSError:  # no longer a link
            return ""
    return "(a file)\n"


def _item(path: str, kind: HunkKind) -> Hunk:
    return Hunk(path, 0, 0, 0, 0, kind=kind)


def _refuse_converted(git: _Git, files: Sequence[_TrackedFile], object_format: str) -> None:
    """Refuse files git would convert when staging (core.autocrlf, .gitattributes eol,
    filters such as LFS): their raw bytes are not what git compares, so the hunks
    would be wrong, and staging them raw would undo the conversion."""
    on_disk = [
        file
        for file in files
        if file.new is not None and "\n" not in file.change.path  # --stdin-paths is per line
    ]
    if not on_disk:
        return
    names = "".join(f"{file.change.path}\n" for file in on_disk)
    hashed = git.run(
        "hash-object", "--stdin-paths", stdin=os.fsencode(names), user_conversions=True
    ).split()
    converted = [
        file.change.path
        for file, blob in zip(on_disk, hashed, strict=True)
        if file.new is not None and blob.decode() != _blob_id(file.new, object_format)
    ]
    if converted:
        raise InputError(
            f"{git.root}: git converts line endings or runs a filter on "
            f"{', '.join(converted[:5])}{' …' if len(converted) > 5 else ''} when staging "
            "(core.autocrlf or .gitattributes); Vetline stages raw bytes, so it cannot "
            "review them safely. Review them with git itself."
        )


def _index_entries(git: _Git, paths: Sequence[str]) -> dict[str, _IndexEntry | None]:
    """The stage-0 index entry at each path (None: not in the index)."""
    entries: dict[str, _IndexEntry | None] = dict.fromkeys(paths)
    if not paths:
        return entries
    # Past a few hundred names the whole index is cheaper than a long command line.
    pathspec = ["--", *paths] if len(paths) <= _MAX_PATHS_ON_COMMAND_LINE else []
    for record in git.run("ls-files", "-z", "--stage", *pathspec).split(b"\0"):
        if not record:
            continue
        info, name = record.split(b"\t", 1)
        mode, blob, stage = info.decode().split(" ")
        path = os.fsdecode(name)
        if path in entries and stage == "0":
            entries[path] = _IndexEntry(mode, blob)
    return entries


def _read_blobs(git: _Git, blobs: Iterable[str]) -> dict[str, bytes]:
    """Blob contents exactly as stored: `cat-file --batch` converts nothing."""
    wanted = sorted(set(blobs))
    if not wanted:
        return {}
    out = git.run("cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in wanted).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise GitCommandError(f"git has no blob {blob} ({out[position:end]!r})")
        size = int(header[2])
        contents[blob] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return contents


def _read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _disk_mode(path: Path) -> str:
    return EXECUTABLE_MODE if path.stat().st_mode & stat.S_IXUSR else REGULAR_MODE


def _is_file(mode: str | None) -> bool:
    return mode in (REGULAR_MODE, EXECUTABLE_MODE)


def _file_or_nothing(mode: str | None) -> bool:
    """A regular file, or no entry at all (not a submodule or a link)."""
    return mode is None or _is_file(mode)


def _object_format(git: _Git) -> str:
    try:
        return git.run("rev-parse", "--show-object-format").decode().strip() or "sha1"
    except GitCommandError:  # git before 2.25 knows only sha1
        return "sha1"


def _head(git: _Git) -> str:
    try:
        return git.run("rev-parse", "-q", "--verify", "HEAD").decode().strip()
    except GitCommandError:  # no commit yet
        return ""


def _blob_id(data: bytes, object_format: str) -> str:
    """The id git gives a blob with these bytes (what `git hash-object --no-filters` prints)."""
    digest = hashlib.new(object_format, usedforsecurity=False)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _proposal_id(root: Path, head: str, files: Sequence[_TrackedFile]) -> str:
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
