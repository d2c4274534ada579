"""Reading a git working tree: what differs between its index and its files, as Changes.

Lists the differences (`git diff-files`, untracked files), reads index blobs and
work tree files as raw bytes, takes a file git converts when staging (line endings,
filters) in the form `git add` would stage, pairs deletions with additions as
renames, and builds one Change per file. Submodules,
nested repositories and symbolic links become view-only items (see `tree`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.files.safety import NotRegularFileError, read_regular_file
from vetline.adapters.git.conversion import WorkTreeConversions
from vetline.adapters.git.runner import Git, GitCommandError, read_blobs
from vetline.adapters.images.changes import image_change
from vetline.adapters.images.kinds import is_image
from vetline.core.errors import InputError
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import BinaryData, Change, FileStatus, Hunk, HunkKind, sha256_hex
from vetline.core.text import TextDecodeError, decode, looks_binary_to_git, split_lines

GITLINK_MODE = "160000"
SYMLINK_MODE = "120000"
EXECUTABLE_MODE = "100755"
REGULAR_MODE = "100644"
_NO_MODE = "000000"
# Pairing deleted files with similar new ones costs a diff per pair: keep that bounded.
_MAX_SIMILARITY_PAIRS = 64
_MAX_SIMILARITY_BYTES = 256 * 1024
_MIN_SIMILARITY = 0.5  # git's default for -M
_MAX_PATHS_ON_COMMAND_LINE = 500
# A work tree file is read whole: one bigger than the largest source a window opens by
# default (input.max_source_mb) is refused rather than read into memory.
MAX_FILE_BYTES = 256 << 20


@dataclass(frozen=True, slots=True)
class IndexEntry:
    mode: str  # e.g. "100644"
    blob: str  # object id


@dataclass(slots=True)
class TrackedFile:
    """One listed change and what the index and work tree hold for it, as far as we know."""

    change: Change
    base: bytes | None  # the index bytes at change.source_path; None: not in the index
    new: bytes | None  # the work tree bytes at change.path; None: gone
    base_mode: str | None
    new_mode: str | None
    view_only: bool
    loaded_index: dict[str, IndexEntry | None]  # per path, as loaded
    index: dict[str, IndexEntry | None]  # per path, as loaded or as our last sync wrote
    tree: dict[str, str | None]  # per path, sha256 of the bytes expected on disk
    # The work tree bytes at change.path when git converts them on staging (line endings,
    # a filter); `new` is then what `git add` would stage. None: `new` is on disk as is.
    disk: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Listed:
    """A path git lists as different between the index and the work tree."""

    path: str
    base_mode: str | None
    new_mode: str | None
    blob: str | None


def scan_changes(
    git: Git,
    object_format: str,
    paths: Sequence[str] | None,
    conversions: WorkTreeConversions | None = None,
) -> list[TrackedFile]:
    """Every index / work tree difference (under `paths`, if given), sorted by path;
    `conversions`, git's for this work tree, may be given to save asking for them again."""
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
    index = index_entries(git, [item.path for item in listed])
    in_index = {item.blob: item.path for item in listed if item.blob and _is_file(item.base_mode)}
    _refuse_big_blobs(git, in_index)
    blobs = _read_blobs(git, in_index)
    on_disk = {
        item.path: _read_file(git.root / item.path, item.path)
        for item in listed
        if item.new_mode and _file_or_nothing(item.base_mode) and _file_or_nothing(item.new_mode)
    }
    # Compared with the index as git compares them: what `git add` would stage.
    staged = (conversions or WorkTreeConversions(git.root)).as_staged(
        [path for path, data in on_disk.items() if data is not None]
    )
    files: list[TrackedFile] = []
    deleted: list[tuple[_Listed, bytes]] = []
    added: list[tuple[_Listed, bytes]] = []
    for item in listed:
        if not (_file_or_nothing(item.base_mode) and _file_or_nothing(item.new_mode)):
            files.append(_view_only(git, item, index))
            continue
        base = blobs[item.blob] if item.blob else None
        new = staged.get(item.path, on_disk.get(item.path)) if item.new_mode else None
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
    for file in files:
        raw = on_disk.get(file.change.path)
        if file.change.path in staged and file.new is not None and raw is not None:
            file.disk = raw
            file.tree[file.change.path] = sha256_hex(raw)
    return sorted(files, key=lambda file: file.change.path)


def _diff_files(git: Git, pathspec: Sequence[str]) -> list[_Listed]:
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
    index: Mapping[str, IndexEntry | None],
    object_format: str,
) -> list[TrackedFile]:
    """Deleted files paired with new ones of the same content, or (for a few small text
    files) of similar content, as renames; the rest as they are."""
    pairs: list[tuple[tuple[_Listed, bytes], tuple[_Listed, bytes]]] = []
    by_blob: dict[str, list[tuple[_Listed, bytes]]] = {}
    for old in deleted:
        by_blob.setdefault(blob_id(old[1], object_format), []).append(old)
    unpaired_new = []
    for new in added:
        candidates = by_blob.get(blob_id(new[1], object_format))
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
    index: Mapping[str, IndexEntry | None],
) -> TrackedFile:
    paths = [path] if old_path is None else [old_path, path]
    loaded = {p: index.get(p) for p in paths}
    return TrackedFile(
        change=change_between(path, old_path, base, new, base_mode, new_mode),
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


def change_between(
    path: str,
    old_path: str | None,
    base: bytes | None,
    new: bytes | None,
    base_mode: str | None,
    new_mode: str | None,
) -> Change:
    """The Change from `base` to `new` bytes (None: the side does not exist), as git sees
    it: text hunks, or one binary item, or an image's regions."""
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
    change = Change(
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
    if binary and is_image(path, new if new is not None else base):
        change = image_change(change, base, new)
    return change


def _texts(base: bytes, new: bytes) -> tuple[str, str, str] | None:
    """Both sides decoded in one encoding, or None when either is binary or they differ."""
    if looks_binary_to_git(base) or looks_binary_to_git(new):  # as git diff sees it
        return None
    try:
        base_text, base_encoding = decode(base)
        new_text, new_encoding = decode(new)
    except TextDecodeError:
        return None
    if base_encoding != new_encoding and base and new:
        return None  # hunks cannot carry a change of encoding
    return base_text, new_text, base_encoding if base else new_encoding


def _view_only(git: Git, item: _Listed, index: Mapping[str, IndexEntry | None]) -> TrackedFile:
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
    return TrackedFile(
        change, None, None, item.base_mode, item.new_mode, True, loaded, dict(loaded), {}
    )


def _label(git: Git, path: str, mode: str | None, blob: str | None, *, new_side: bool) -> str:
    """What `git diff` shows for one side of a submodule or link."""
    if mode is None:
        return ""
    if mode == GITLINK_MODE:
        if not new_side:
            return f"Subproject commit {blob}\n"
        try:
            head = Git(git.root / path).run("rev-parse", "-q", "--verify", "HEAD")
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


def index_entries(git: Git, paths: Sequence[str]) -> dict[str, IndexEntry | None]:
    """The stage-0 index entry at each path (None: not in the index)."""
    entries: dict[str, IndexEntry | None] = dict.fromkeys(paths)
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
            entries[path] = IndexEntry(mode, blob)
    return entries


def _read_blobs(git: Git, blobs: Iterable[str]) -> dict[str, bytes]:
    """Blob contents exactly as stored: `cat-file --batch` converts nothing."""
    return read_blobs(git, blobs)


def _refuse_big_blobs(git: Git, paths: Mapping[str, str]) -> None:
    """Refuses, by name, an index blob (id -> path) over MAX_FILE_BYTES, before reading it."""
    if not paths:
        return
    out = git.run("cat-file", "--batch-check", stdin="".join(f"{b}\n" for b in paths).encode())
    for line in out.decode("ascii", "replace").splitlines():
        blob, _, size = line.split(" ") if line.count(" ") == 2 else (line, "", "0")
        if size.isdigit() and int(size) > MAX_FILE_BYTES and blob in paths:
            raise InputError(
                f"{paths[blob]!r}: {int(size) >> 20} MB in the index, more than Vetline reviews"
                f" in one file ({MAX_FILE_BYTES >> 20} MB); stage or restore it with git"
            )


def _read_file(path: Path, name: str) -> bytes | None:
    """The work tree file's bytes (None: gone); a FIFO, device or socket is refused
    unread, as `git diff` stops at it ("unsupported file type")."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"{name!r}: {size >> 20} MB in the work tree, more than Vetline reviews in one"
                f" file ({MAX_FILE_BYTES >> 20} MB); have git ignore it, or stage it with git"
            )
        return read_regular_file(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except NotRegularFileError as error:
        raise InputError(
            f"{name!r}: git tracks a file there, but {error.strerror}; git can neither diff"
            " nor stage it, so the repository cannot be reviewed until it is a file again"
        ) from error


def _disk_mode(path: Path) -> str:
    return EXECUTABLE_MODE if path.stat().st_mode & stat.S_IXUSR else REGULAR_MODE


def _is_file(mode: str | None) -> bool:
    return mode in (REGULAR_MODE, EXECUTABLE_MODE)


def _file_or_nothing(mode: str | None) -> bool:
    """A regular file, or no entry at all (not a submodule or a link)."""
    return mode is None or _is_file(mode)


def read_object_format(git: Git) -> str:
    try:
        return git.run("rev-parse", "--show-object-format").decode().strip() or "sha1"
    except GitCommandError:  # git before 2.25 knows only sha1
        return "sha1"


def head_commit(git: Git) -> str:
    try:
        return git.run("rev-parse", "-q", "--verify", "HEAD").decode().strip()
    except GitCommandError:  # no commit yet
        return ""


def blob_id(data: bytes, object_format: str) -> str:
    """The id git gives a blob with these bytes (what `git hash-object --no-filters` prints)."""
    digest = hashlib.new(object_format, usedforsecurity=False)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()
