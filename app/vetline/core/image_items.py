"""Image items as hunks (a region of changed pixels, a proposed box), and image changes in words."""

from __future__ import annotations

from vetline.core.model import Change, Hunk, HunkKind, ImageDiff, ImageRegion, ImageSide

# Accepted annotation boxes are kept next to their image, in this file.
SIDECAR_SUFFIX = ".annotations.json"


def region_hunk(path: str, region: ImageRegion) -> Hunk:
    """The reviewable item for one region of changed pixels."""
    return Hunk(path, 0, 0, 0, 0, kind=HunkKind.IMAGE_REGION, region=region)


def annotation_hunk(path: str, annotation: ImageRegion) -> Hunk:
    """The reviewable item for one labelled box an agent proposes on the image at `path`."""
    return Hunk(path, 0, 0, 0, 0, kind=HunkKind.ANNOTATION, region=annotation)


def is_svg_text(change: Change) -> bool:
    """A text change to an SVG file whose texts are at hand: reviewed as text, and drawn
    before and after only to be looked at (pixels are never written into an SVG)."""
    return (
        change.image is None
        and change.path.lower().endswith(".svg")
        and (change.base_text is not None or change.new_text is not None)
    )


def sidecar_path(image_path: str) -> str:
    """Where the accepted boxes on `image_path` are written: beside it."""
    return image_path + SIDECAR_SUFFIX


def item_title(hunk: Hunk, number: int) -> str:
    """A short name for an image item, e.g. "Region 2 · 40×30 at 120,64 · 912 px"."""
    region = hunk.region
    if region is None:
        return f"{hunk.kind.value} · whole file"
    where = f"{region.width}×{region.height} at {region.x},{region.y}"
    if hunk.kind is HunkKind.ANNOTATION:
        label = region.label or region.annotation_id
        return f"Box {number} · “{label}” · {where}"
    return f"Region {number} · {where} · {region.changed_pixels:,} px"


def describe_sides(before: ImageSide | None, after: ImageSide | None) -> str:
    """What changes besides pixels, in words: "800×600 → 1024×768, PNG → WebP, alpha added".

    Empty when size, format and colour mode stay the same.
    """
    if before is None and after is None:
        return ""
    if before is None:
        assert after is not None
        return f"new image: {_facts(after)}"
    if after is None:
        return f"image deleted (was {_facts(before)})"
    parts = []
    if before.size != after.size:
        parts.append(f"{_size(before)} → {_size(after)}")
    if before.format != after.format:
        parts.append(f"{format_name(before.format)} → {format_name(after.format)}")
    elif before.lossless != after.lossless:
        parts.append("lossless → lossy" if before.lossless else "lossy → lossless")
    if before.has_alpha != after.has_alpha:
        parts.append("alpha added" if after.has_alpha else "alpha removed")
    colours_before, colours_after = colour_kind(before.mode), colour_kind(after.mode)
    if colours_before != colours_after:
        parts.append(f"{colours_before} → {colours_after}")
    if before.frames != after.frames:
        parts.append(f"{before.frames} → {after.frames} frames")
    return ", ".join(parts)


def summary(diff: ImageDiff) -> str:
    """One line for a person: the sides and how much changed."""
    side = diff.after or diff.before
    if diff.problem:
        return f"cannot read the image: {diff.problem}"
    if side is None:
        return "image (not available)"
    if not diff.sides_known:
        which = "new" if diff.after is not None else "old"
        return f"{format_name(side.format)} {_size(side)} ({which} side; {diff.whole_reason})"
    words = describe_sides(diff.before, diff.after)
    if diff.before is None or diff.after is None:
        return words
    head = f"{format_name(side.format)} {_size(side)}"
    if words:
        head += f" ({words})"
    if diff.before.size != diff.after.size:
        return head
    return (
        f"{head}: {diff.changed_fraction:.2%} of pixels changed"
        f" ({diff.changed_pixels:,}, {diff.visible_pixels:,} visibly)"
    )


def format_name(pillow_format: str) -> str:
    """The name people use: WebP rather than WEBP."""
    return {"WEBP": "WebP"}.get(pillow_format, pillow_format)


def colour_kind(mode: str) -> str:
    """Pillow's colour mode in words, ignoring alpha (said separately)."""
    if mode in ("1",):
        return "black and white"
    if mode.startswith(("L", "I", "F")):
        return "greyscale"
    if mode.startswith("P"):
        return "palette"
    if mode == "CMYK":
        return "CMYK"
    return "colour"


def _size(side: ImageSide) -> str:
    return f"{side.width}×{side.height}"


def _facts(side: ImageSide) -> str:
    alpha = ", alpha" if side.has_alpha else ""
    return f"{_size(side)} {format_name(side.format)}{alpha}"
