"""What a repository's index and work tree should hold for some verdicts on one file's
hunks: the contents, git modes and blobs, computed from the file's base (nothing is written)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from vetline.adapters.git.scan import EXECUTABLE_MODE, IndexEntry, TrackedFile, blob_id
from vetline.core.errors import InputError
from vetline.core.hunks import HunkMismatchError, apply_hunks, split_hunk
from vetline.core.model import Change, Hunk, HunkKind
from vetline.core.text import TextDecodeError, encode

_CONTENT_KINDS = (
    HunkKind.TEXT,
    HunkKind.BINARY,
    HunkKind.IMAGE_REGION,
    HunkKind.CREATE_EMPTY,
    HunkKind.DELETE_EMPTY,
)


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


def _side_content(file: TrackedFile, chosen: Sequence[Hunk], edited: Mapping[str, str]) -> bytes:
    """The base with the chosen units applied, as bytes."""
    change = file.change
    base = file.base or b""
    if change.is_binary:
        if any(hunk.kind is HunkKind.BINARY for hunk in chosen):
            return file.new or b""
        boxes = [hunk.region.box for hunk in chosen if hunk.region is not None]
        if boxes and file.base is not None and file.new is not None:
            from vetline.adapters.images.compose import compose  # numpy and Pillow, when needed
            from vetline.adapters.images.regions import Box

            # Accepted (for the index) or not rejected (for the work tree) regions only.
            return compose(file.base, file.new, [Box(*box) for box in boxes], change.path)
        return base
    text_hunks = [hunk for hunk in chosen if hunk.kind is HunkKind.TEXT]
    if not text_hunks or change.base_text is None:
        return base
    try:
        text = apply_hunks(change.base_text, text_hunks, dict(edited))
        return encode(text, change.encoding)
    except HunkMismatchError as error:  # its message names the path already
        raise InputError(str(error)) from error
    except TextDecodeError as error:
        raise InputError(f"{change.path}: {error}") from error


def wanted_index(
    file: TrackedFile,
    accepted: Collection[str],
    rejected: Collection[str],
    edited: Mapping[str, str],
    object_format: str,
) -> tuple[dict[str, IndexEntry | None], dict[str, bytes]]:
    """Per path, the index entry the verdicts call for; and the blobs those entries need."""
    change = file.change
    staged = set(accepted) | set(edited)
    units = _content_units(change, staged | set(rejected))
    chosen = [unit for unit in units if unit.id in staged]
    kinds = {hunk.kind for hunk in change.hunks if hunk.id in staged}
    at = change.path if HunkKind.RENAME in kinds else change.source_path
    wanted: dict[str, IndexEntry | None] = dict.fromkeys(file.index)
    blobs: dict[str, bytes] = {}
    if file.base is None and not chosen:
        return dict(file.loaded_index), blobs  # a new file nobody accepted stays untracked
    if file.new is None and units and len(chosen) == len(units):
        return wanted, blobs  # the deletion is accepted whole
    data = _side_content(file, chosen, {k: v for k, v in edited.items() if k in staged})
    mode = file.new_mode if HunkKind.MODE in kinds or file.base_mode is None else file.base_mode
    assert mode is not None
    blob = blob_id(data, object_format)
    wanted[at] = IndexEntry(mode, blob)
    loaded = file.loaded_index.get(at)
    if loaded != wanted[at]:
        blobs[blob] = data
    return wanted, blobs


def wanted_tree(
    file: TrackedFile,
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


def permission_bits_for(current: int | None, git_mode: str) -> int:
    """Permission bits that give the file git's mode, keeping the rest as they are."""
    executable = git_mode == EXECUTABLE_MODE
    if current is None:
        return 0o755 if executable else 0o644
    if executable:
        return current | ((current & 0o444) >> 2)  # execute wherever it may be read, as git does
    return current & ~0o111
