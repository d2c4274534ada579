"""Image items as hunks (stable ids), and image changes said in words."""

from __future__ import annotations

import pytest

from vetline.core.image_items import (
    annotation_hunk,
    describe_sides,
    item_title,
    region_hunk,
    sidecar_path,
    summary,
)
from vetline.core.leash import Leash, Level, image_items
from vetline.core.model import (
    Change,
    FileStatus,
    Hunk,
    HunkKind,
    ImageDiff,
    ImageRegion,
    ImageSide,
    Proposal,
)

PNG = ImageSide("PNG", 800, 600, "RGB", has_alpha=False, lossless=True)


def side(**changes: object) -> ImageSide:
    values: dict[str, object] = {
        "format": "PNG",
        "width": 800,
        "height": 600,
        "mode": "RGB",
        "has_alpha": False,
        "lossless": True,
        "frames": 1,
    }
    values.update(changes)
    return ImageSide(**values)  # type: ignore[arg-type]


def test_size_format_and_alpha_changes_in_words() -> None:
    after = side(format="WEBP", width=1024, height=768, mode="RGBA", has_alpha=True)
    assert describe_sides(PNG, after) == "800×600 → 1024×768, PNG → WebP, alpha added"


@pytest.mark.parametrize(
    ("after", "words"),
    [
        (side(), ""),
        (side(mode="RGBA", has_alpha=True), "alpha added"),
        (side(mode="L"), "colour → greyscale"),
        (side(mode="P"), "colour → palette"),
        (side(format="GIF", mode="P", frames=3), "PNG → GIF, colour → palette, 1 → 3 frames"),
    ],
)
def test_what_else_changes_is_said(after: ImageSide, words: str) -> None:
    assert describe_sides(PNG, after) == words


def test_lossy_and_new_and_deleted_images_are_said() -> None:
    lossless = side(format="WEBP")
    assert describe_sides(lossless, side(format="WEBP", lossless=False)) == "lossless → lossy"
    assert describe_sides(None, side(has_alpha=True)) == "new image: 800×600 PNG, alpha"
    assert describe_sides(PNG, None) == "image deleted (was 800×600 PNG)"


def test_a_region_items_id_follows_its_place_and_content() -> None:
    region = ImageRegion(10, 20, 30, 40, changed_pixels=7, digest="ab" * 32)
    hunk = region_hunk("art/a.png", region)
    assert hunk.kind is HunkKind.IMAGE_REGION
    assert hunk.id == region_hunk("art/a.png", region).id  # stable
    moved = ImageRegion(11, 20, 30, 40, changed_pixels=7, digest="ab" * 32)
    other_pixels = ImageRegion(10, 20, 30, 40, changed_pixels=7, digest="cd" * 32)
    ids = {
        hunk.id,
        region_hunk("art/b.png", region).id,
        region_hunk("art/a.png", moved).id,
        region_hunk("art/a.png", other_pixels).id,
    }
    assert len(ids) == 4


def test_an_annotations_id_follows_its_label_too() -> None:
    box = ImageRegion(1, 2, 3, 4, label="cat", annotation_id="a1")
    relabelled = ImageRegion(1, 2, 3, 4, label="dog", annotation_id="a1")
    assert annotation_hunk("p.png", box).id != annotation_hunk("p.png", relabelled).id
    assert annotation_hunk("p.png", box).kind is HunkKind.ANNOTATION


def test_item_titles_and_the_sidecar_name() -> None:
    region = region_hunk("a.png", ImageRegion(120, 64, 40, 30, changed_pixels=912))
    assert item_title(region, 2) == "Region 2 · 40×30 at 120,64 · 912 px"
    box = annotation_hunk("a.png", ImageRegion(0, 0, 5, 6, label="sun", annotation_id="s"))
    assert item_title(box, 1) == "Box 1 · “sun” · 5×6 at 0,0"
    assert sidecar_path("img/a.png") == "img/a.png.annotations.json"


def test_the_changed_fraction_and_summary() -> None:
    diff = ImageDiff(PNG, PNG, changed_pixels=4_800, visible_pixels=1_000)
    assert diff.changed_fraction == 0.01
    assert summary(diff) == "PNG 800×600: 1.00% of pixels changed (4,800, 1,000 visibly)"
    assert ImageDiff(PNG, side(width=10)).changed_fraction == 1.0
    assert ImageDiff(None, PNG).changed_fraction == 1.0
    assert ImageDiff(None, None).changed_fraction == 0.0
    assert summary(ImageDiff(None, None, problem="x.png: corrupt")) == (
        "cannot read the image: x.png: corrupt"
    )


def test_a_side_the_source_does_not_carry_is_not_called_new() -> None:
    diff = ImageDiff(None, PNG, whole_reason="the base is not in the source", sides_known=False)
    assert summary(diff) == "PNG 800×600 (new side; the base is not in the source)"


def image_proposal(regions: int, boxes: int = 0, text_lines: int = 0) -> Proposal:
    """One image change with `regions` regions and `boxes` proposed boxes; optionally a
    text change of `text_lines` added lines beside it."""
    found = tuple(
        ImageRegion(10 * n, 0, 5, 5, changed_pixels=25, digest=f"{n}") for n in range(regions)
    )
    proposed = tuple(
        ImageRegion(10 * n, 20, 5, 5, label=f"box {n}", annotation_id=f"b{n}") for n in range(boxes)
    )
    diff = ImageDiff(PNG, PNG, 25 * regions, 25 * regions, found, True, annotations=proposed)
    hunks = tuple(region_hunk("art.png", region) for region in found) + tuple(
        annotation_hunk("art.png", box) for box in proposed
    )
    changes = [Change("art.png", FileStatus.BINARY, hunks, image=diff)]
    if text_lines:
        texts = tuple(f"line {n}\n" for n in range(text_lines))
        hunk = Hunk("notes.txt", 0, 0, 1, text_lines, kinds="+" * text_lines, texts=texts)
        changes.append(Change("notes.txt", FileStatus.ADDED, (hunk,)))
    return Proposal("p", "Edit the art", tuple(changes))


def test_each_region_and_box_counts_against_the_leash_as_a_hunk_and_a_line() -> None:
    leash = Leash()
    assert image_items(image_proposal(1)) == 1
    assert leash.check(image_proposal(1), Level.SUGGEST) == []
    assert [v.message for v in leash.check(image_proposal(2), Level.SUGGEST)] == [
        "2 hunks > 1 allowed at level 1 (Suggest)"
    ]
    assert leash.check(image_proposal(2, boxes=1), Level.CHUNK) == []
    assert [v.rule for v in leash.check(image_proposal(3, boxes=1), Level.CHUNK)] == ["hunks"]
    # Levels 3 and 4 have no hunk limit: 200 regions are the most level 3 allows.
    assert leash.check(image_proposal(200), Level.FILE) == []
    assert [v.message for v in leash.check(image_proposal(190, text_lines=11), Level.FILE)] == [
        "2 files > 1 allowed at level 3 (File)",
        "11 changed lines + 190 image items > 200 allowed at level 3 (File)",
    ]
    assert [v.message for v in leash.check(image_proposal(401), Level.REPO)] == [
        "0 changed lines + 401 image items > 400 allowed at level 4 (Repo)"
    ]
