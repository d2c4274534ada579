"""The image step every source goes through: a binary change that is an image gets its facts
(`Change.image`) and, when its regions can be accepted apart, one item per region.

Git repositories call `image_change` with both sides' bytes; patches and proposal JSON
go through `add_image_facts`, which finds each side in the patch (a literal, or a delta
against the other side) or, for the base, in the workspace. An image that cannot be
read becomes a `problem` on its own change; the other files are not held up.

Pillow and numpy are imported on the first image, not by every source that has none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from vetline.adapters.images.kinds import is_image
from vetline.core.binary_patch import BinaryPatchError, apply_delta, git_blob_sha1
from vetline.core.errors import InputError
from vetline.core.image_items import region_hunk
from vetline.core.model import Change, Hunk, HunkKind, ImageDiff, Proposal, sha256_hex

ReadFile = Callable[[str], bytes | None]
"""Reads a workspace file by relative path; None when it does not exist."""

# Items that say something besides the content, kept whatever the content's items become.
_OTHER_KINDS = (HunkKind.RENAME, HunkKind.COPY, HunkKind.MODE, HunkKind.ANNOTATION)


def add_image_facts(proposals: Sequence[Proposal], read_file: ReadFile | None) -> list[Proposal]:
    """The proposals with every image change examined (see the module's docstring)."""
    result = []
    for proposal in proposals:
        changes = tuple(_examined(change, read_file) for change in proposal.changes)
        if any(new is not old for new, old in zip(changes, proposal.changes, strict=True)):
            result.append(dataclasses.replace(proposal, changes=changes))
        else:
            result.append(proposal)
    return result


def image_change(change: Change, before: bytes | None, after: bytes | None) -> Change:
    """`change` with its image facts and its content items chosen from them.

    Regions become the items when they can be accepted apart; otherwise the image is
    one BINARY item. Items that are not about content (rename, mode, annotations) stay.
    """
    from vetline.adapters.images.analysis import image_diff

    renamed = change.source_path != change.path
    diff = image_diff(change.path, before, after, renamed=renamed)
    if change.image is not None and change.image.annotations:
        diff = dataclasses.replace(
            diff,
            annotations=change.image.annotations,
            annotated_sha256=change.image.annotated_sha256,
        )
        diff = dataclasses.replace(diff, problem=diff.problem or _boxes_outside(diff))
    return with_items(change, diff)


def with_items(change: Change, diff: ImageDiff) -> Change:
    """The change carrying `diff`, its regions (or one BINARY item) among its other items."""
    others = [hunk for hunk in change.hunks if hunk.kind in _OTHER_KINDS]
    content: list[Hunk] = []
    if diff.regions_are_items:
        content = [region_hunk(change.path, region) for region in diff.regions]
    elif change.is_binary:
        content = [Hunk(change.path, 0, 0, 0, 0, kind=HunkKind.BINARY)]
    notes = [hunk for hunk in others if hunk.kind is HunkKind.ANNOTATION]
    before_notes = [hunk for hunk in others if hunk.kind is not HunkKind.ANNOTATION]
    return dataclasses.replace(change, hunks=(*before_notes, *content, *notes), image=diff)


def annotations_only(change: Change, image: bytes | None) -> Change:
    """An unchanged image with proposed boxes: its facts from `image` (None: not found)."""
    assert change.image is not None
    from vetline.adapters.images.analysis import image_diff

    if image is None:
        diff = dataclasses.replace(change.image, problem=f"{change.path}: no such image")
        return dataclasses.replace(change, image=diff)
    facts = image_diff(change.path, image, image)
    diff = dataclasses.replace(
        change.image,
        before=facts.before,
        after=facts.after,
        problem=facts.problem,
        before_data=image,
        after_data=image,
    )
    problem = diff.problem or _boxes_outside(diff)
    if change.image.annotated_sha256 and sha256_hex(image) != change.image.annotated_sha256:
        problem = problem or f"{change.path} is not the image the boxes were drawn on"
    return dataclasses.replace(change, image=dataclasses.replace(diff, problem=problem))


def _examined(change: Change, read_file: ReadFile | None) -> Change:
    if change.image is not None and not change.is_binary:
        if read_file is None:
            return change  # the boxes are listed; the image is looked at when there is a workspace
        try:
            image = read_file(change.path)
        except InputError as error:
            return dataclasses.replace(
                change, image=dataclasses.replace(change.image, problem=str(error))
            )
        return annotations_only(change, image)
    if not change.is_binary:
        return change
    old, new = change.binary_old, change.binary_new
    whole = [side.data for side in (new, old) if side and side.data and not side.is_delta]
    known = whole[0] if whole else None
    if not is_image(change.path, known):
        return change
    try:
        before, after, base = _sides(change, read_file)
    except _Unknown as unknown:
        return _one_side_known(change, str(unknown))
    except (InputError, BinaryPatchError) as error:
        unreadable = ImageDiff(None, None, problem=str(error))
        if change.image is not None:  # proposed boxes stay, to be seen and decided
            unreadable = dataclasses.replace(
                unreadable,
                annotations=change.image.annotations,
                annotated_sha256=change.image.annotated_sha256,
            )
        return with_items(change, unreadable)
    if base is not None and change.base_sha256 is None:
        # The base was read from disk to be shown: the write must find the same bytes.
        change = dataclasses.replace(change, base_sha256=sha256_hex(base))
    return image_change(change, before, after)


class _Unknown(Exception):  # noqa: N818 - reads as "this side is unknown"
    """A side of the image is not in the source and cannot be read (no workspace)."""


def _sides(
    change: Change, read_file: ReadFile | None
) -> tuple[bytes | None, bytes | None, bytes | None]:
    """(before, after, base read from the workspace or None)."""
    old, new = change.binary_old, change.binary_new
    if new is not None and new.data is None:
        raise _Unknown("the patch carries no content (make it with `git diff --binary`)")
    after = new.data if new is not None and not new.is_delta else None
    before: bytes | None = None
    from_disk: bytes | None = None
    if old is not None:
        if old.data is not None and not old.is_delta:
            before = old.data
        elif old.data is not None and after is not None:
            before = apply_delta(after, old.data)
        else:
            if read_file is None:
                raise _Unknown("the base is not in the source; give --workspace to compare")
            from_disk = read_file(change.source_path)
            if from_disk is None:
                raise InputError(f"{change.source_path}: the base image is not in the workspace")
            _check_base(change, from_disk)
            before = from_disk
    if new is not None and new.is_delta:
        assert new.data is not None
        if before is None:
            raise _Unknown("the patch is a delta against a base that is not in the source")
        after = apply_delta(before, new.data)
    return before, after, from_disk


def _check_base(change: Change, base: bytes) -> None:
    if change.base_sha256 and sha256_hex(base) != change.base_sha256:
        raise InputError(f"{change.source_path} on disk is not the base the proposal was made on")
    blob = change.base_blob_sha1
    if blob and not git_blob_sha1(base).startswith(blob.lower()):
        raise InputError(f"{change.source_path} on disk is not the base the patch was made on")


def _one_side_known(change: Change, reason: str) -> Change:
    """Only the facts a header gives, for the side the source carries whole."""
    from vetline.adapters.images.decode import ImageError, probe

    old, new = change.binary_old, change.binary_new
    sides = []
    for side in (old, new):
        data = side.data if side is not None and not side.is_delta else None
        try:
            sides.append(probe(data, change.path) if data is not None else None)
        except ImageError:
            sides.append(None)
    diff = ImageDiff(sides[0], sides[1], whole_reason=reason, sides_known=False)
    return with_items(change, diff)


def _boxes_outside(diff: ImageDiff) -> str:
    side = diff.after
    if side is None:
        return ""
    for box in diff.annotations:
        if box.x + box.width > side.width or box.y + box.height > side.height:
            label = box.annotation_id or box.label
            return f"box {label!r} reaches past the {side.width}×{side.height} image"
    return ""
