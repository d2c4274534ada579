"""Image changes from every source: a git repository, git binary patches, proposal JSON;
accepted regions written exactly, staged or restored; bad images kept to their own file."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from helpers.images import encode, git, picture, rgba
from vetline.adapters.files.workspace import Workspace
from vetline.adapters.formats.json_writer import proposals_to_json
from vetline.adapters.git.tree import load_worktree
from vetline.adapters.inputs import load_bytes, load_source
from vetline.core.errors import StaleBaseError
from vetline.core.model import Change, FileStatus, HunkKind, Proposal

BEFORE = picture(120, 80, seed=7)


def edited(pixels: np.ndarray) -> np.ndarray:
    """Two separate edits: a red block top-left, a blue one bottom-right."""
    after = pixels.copy()
    after[5:15, 8:30] = [255, 0, 0]
    after[60:70, 90:110] = [0, 0, 255]
    return after


AFTER = edited(BEFORE)


def expected(boxes_taken: list[int]) -> np.ndarray:
    """BEFORE with the chosen edits (0: top-left, 1: bottom-right), as RGBA."""
    result = BEFORE.copy()
    if 0 in boxes_taken:
        result[5:15, 8:30] = AFTER[5:15, 8:30]
    if 1 in boxes_taken:
        result[60:70, 90:110] = AFTER[60:70, 90:110]
    return np.dstack([result, np.full(result.shape[:2], 255, np.uint8)])


def region_ids(change: Change) -> list[str]:
    return [hunk.id for hunk in change.hunks if hunk.kind is HunkKind.IMAGE_REGION]


def repository(tmp_path: Path, name: str, before: bytes, after: bytes) -> Path:
    root = tmp_path / "repo"
    (root / name).parent.mkdir(parents=True)
    git(root, "init", "-q")
    (root / name).write_bytes(before)
    (root / "readme.txt").write_text("hello\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / name).write_bytes(after)
    return root


# ---- a git repository: accept stages the composition, reject restores ------------------


def test_a_repository_image_edit_is_reviewed_region_by_region(tmp_path: Path) -> None:
    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    root = repository(tmp_path, "art/logo.png", before, after)
    tree = load_worktree(root)
    (change,) = tree.proposals[0].changes
    assert change.status is FileStatus.BINARY
    assert change.image is not None and change.image.regions_are_items
    assert [region.box for region in change.image.regions] == [(8, 5, 22, 10), (90, 60, 20, 10)]
    first, second = region_ids(change)

    tree.sync(change, accepted={first}, rejected=set(), edited={})
    staged = git(root, "show", ":art/logo.png")
    assert np.array_equal(rgba(staged), expected([0]))
    assert (root / "art/logo.png").read_bytes() == after  # the work tree keeps the agent's

    tree.sync(change, accepted={first}, rejected={second}, edited={})
    assert np.array_equal(rgba((root / "art/logo.png").read_bytes()), expected([0]))
    assert git(root, "status", "--porcelain").decode() == "M  art/logo.png\n"


def test_accepting_every_region_stages_the_agents_bytes_and_rejecting_all_restores(
    tmp_path: Path,
) -> None:
    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    root = repository(tmp_path, "logo.png", before, after)
    tree = load_worktree(root)
    (change,) = tree.proposals[0].changes
    tree.sync(change, accepted=set(region_ids(change)), rejected=set(), edited={})
    assert git(root, "show", ":logo.png") == after

    root2 = repository(tmp_path / "two", "logo.png", before, after)
    tree2 = load_worktree(root2)
    (change2,) = tree2.proposals[0].changes
    tree2.sync(change2, accepted=set(), rejected=set(region_ids(change2)), edited={})
    assert (root2 / "logo.png").read_bytes() == before
    assert git(root2, "status", "--porcelain").decode() == ""


def test_a_resized_image_is_one_item_and_says_why(tmp_path: Path) -> None:
    root = repository(
        tmp_path, "logo.png", encode(BEFORE, "PNG"), encode(picture(100, 80), "PNG", "RGBA")
    )
    (change,) = load_worktree(root).proposals[0].changes
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.BINARY]
    assert change.image is not None
    assert change.image.whole_reason == "the size changes (120×80 → 100×80)"


def test_a_jpeg_edit_is_one_item_with_its_regions_listed(tmp_path: Path) -> None:
    root = repository(
        tmp_path, "photo.jpg", encode(BEFORE, "JPEG", quality=95), encode(AFTER, "JPEG")
    )
    (change,) = load_worktree(root).proposals[0].changes
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.BINARY]
    assert change.image is not None and change.image.regions
    assert "JPEG cannot hold a partly accepted image exactly" in change.image.whole_reason


# ---- git binary patches: literal and delta ---------------------------------------------


def patch_and_workspace(
    tmp_path: Path, name: str, before: bytes, after: bytes
) -> tuple[bytes, Path]:
    root = repository(tmp_path, name, before, after)
    patch = git(root, "diff", "--binary")
    git(root, "checkout", "--", name)  # the workspace holds the base again
    return patch, root


@pytest.mark.parametrize(
    ("name", "fmt", "kind"), [("logo.png", "PNG", "literal"), ("icon.bmp", "BMP", "delta")]
)
def test_a_binary_patch_gives_regions_and_applies_a_subset_exactly(
    tmp_path: Path, name: str, fmt: str, kind: str
) -> None:
    before, after = encode(BEFORE, fmt), encode(AFTER, fmt)
    patch, workspace = patch_and_workspace(tmp_path, name, before, after)
    assert f"\n{kind} ".encode() in patch
    (proposal,) = load_bytes(patch, "change.patch", workspace)
    (change,) = proposal.changes
    _, second = region_ids(change)
    Workspace(workspace).apply_proposal(proposal, {second})
    assert np.array_equal(rgba((workspace / name).read_bytes()), expected([1]))


def test_a_delta_patch_without_a_workspace_is_one_item_saying_what_is_missing(
    tmp_path: Path,
) -> None:
    patch, _ = patch_and_workspace(
        tmp_path, "icon.bmp", encode(BEFORE, "BMP"), encode(AFTER, "BMP")
    )
    (proposal,) = load_bytes(patch, "change.patch", None)
    (change,) = proposal.changes
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.BINARY]
    assert change.image is not None
    assert "give --workspace" in change.image.whole_reason


def test_accepting_all_regions_of_a_patch_writes_the_new_bytes(tmp_path: Path) -> None:
    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    patch, workspace = patch_and_workspace(tmp_path, "logo.png", before, after)
    (proposal,) = load_bytes(patch, "change.patch", workspace)
    Workspace(workspace).apply_proposal(proposal, set(region_ids(proposal.changes[0])))
    assert (workspace / "logo.png").read_bytes() == after


# ---- proposal JSON: new_base64 with base_sha256 ----------------------------------------


def image_proposal(path: str, before: bytes | None, after: bytes | None, **extra: object) -> bytes:
    change: dict[str, object] = {"path": path}
    if before is not None:
        change["base_sha256"] = hashlib.sha256(before).hexdigest()
    change["new_base64"] = None if after is None else base64.b64encode(after).decode()
    change.update(extra)
    return json.dumps({"title": "Recolour the logo", "changes": [change]}).encode()


def test_json_new_base64_is_reviewed_by_regions_and_checked_for_staleness(tmp_path: Path) -> None:
    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    (tmp_path / "logo.png").write_bytes(before)
    (proposal,) = load_bytes(image_proposal("logo.png", before, after), "p.json", tmp_path)
    (change,) = proposal.changes
    first, _ = region_ids(change)
    workspace = Workspace(tmp_path)
    plan = workspace.plan(proposal, {first})
    (tmp_path / "logo.png").write_bytes(encode(BEFORE, "PNG", compress_level=1))
    with pytest.raises(StaleBaseError, match="logo.png changed since the proposal was made"):
        workspace.write(plan)
    (tmp_path / "logo.png").write_bytes(before)
    workspace.write(plan)
    assert np.array_equal(rgba((tmp_path / "logo.png").read_bytes()), expected([0]))


def test_json_can_create_and_delete_binary_files(tmp_path: Path) -> None:
    image = encode(BEFORE, "WEBP", lossless=True)
    (created,) = load_bytes(image_proposal("new.webp", None, image), "p.json", tmp_path)
    assert created.changes[0].image is not None
    assert created.changes[0].image.whole_reason == "the image is new"
    Workspace(tmp_path).apply_proposal(created, {created.hunks[0].id})
    assert (tmp_path / "new.webp").read_bytes() == image
    (deleted,) = load_bytes(image_proposal("new.webp", image, None), "p.json", tmp_path)
    Workspace(tmp_path).apply_proposal(deleted, {deleted.hunks[0].id})
    assert not (tmp_path / "new.webp").exists()


def test_json_image_changes_round_trip_through_the_writer(tmp_path: Path) -> None:
    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    (tmp_path / "logo.png").write_bytes(before)
    boxes = [{"id": "b1", "label": "sun", "box": [1, 2, 3, 4]}]
    source = image_proposal("logo.png", before, after, annotations=boxes)
    (proposal,) = load_bytes(source, "p.json", tmp_path)
    written = json.dumps(proposals_to_json([proposal])).encode()
    (again,) = load_bytes(written, "again.json", tmp_path)
    assert again.hunks == proposal.hunks
    change = json.loads(written)["proposals"][0]["changes"][0]
    assert change["annotations"] == boxes
    assert base64.b64decode(change["new_base64"]) == after


def test_one_bad_image_does_not_hold_up_the_other_files(tmp_path: Path) -> None:
    good = encode(BEFORE, "PNG")
    broken = good[: len(good) // 3]
    document = {
        "title": "Two images and a text",
        "changes": [
            {"path": "bad.png", "new_base64": base64.b64encode(broken).decode()},
            {"path": "good.png", "new_base64": base64.b64encode(good).decode()},
            {"path": "notes.txt", "new": "hello\n"},
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "p.json", tmp_path)
    bad, fine, text = proposal.changes
    assert bad.image is not None and "bad.png (after): the image is corrupt" in bad.image.problem
    assert [hunk.kind for hunk in bad.hunks] == [HunkKind.BINARY]
    assert fine.image is not None and fine.image.after is not None and not fine.image.problem
    assert text.hunks[0].kind is HunkKind.TEXT
    Workspace(tmp_path).apply_proposal(proposal, {fine.hunks[0].id, text.hunks[0].id})
    assert (tmp_path / "good.png").read_bytes() == good
    assert not (tmp_path / "bad.png").exists()


# ---- annotations: one item per box, accepted boxes in a sidecar ---------------------------


def test_proposed_boxes_on_an_unchanged_image_are_items_and_land_in_the_sidecar(
    tmp_path: Path,
) -> None:
    image = encode(BEFORE, "JPEG")
    (tmp_path / "photo.jpg").write_bytes(image)
    boxes = [
        {"id": "cat", "label": "a cat", "box": [10, 10, 30, 20]},
        {"id": "dog", "label": "a dog", "box": [60, 40, 40, 30]},
    ]
    document = {
        "title": "Label the photo",
        "changes": [
            {
                "path": "photo.jpg",
                "base_sha256": hashlib.sha256(image).hexdigest(),
                "annotations": boxes,
            }
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "p.json", tmp_path)
    (change,) = proposal.changes
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.ANNOTATION] * 2
    assert change.image is not None and change.image.after is not None
    assert change.image.after.size == (120, 80) and not change.image.problem
    cat, dog = change.hunks
    Workspace(tmp_path).apply_proposal(proposal, {dog.id})
    sidecar = json.loads((tmp_path / "photo.jpg.annotations.json").read_text())
    assert sidecar == {
        "vetline_annotations": 1,
        "image": "photo.jpg",
        "image_sha256": hashlib.sha256(image).hexdigest(),
        "annotations": [{"id": "dog", "label": "a dog", "box": [60, 40, 40, 30]}],
    }
    assert (tmp_path / "photo.jpg").read_bytes() == image
    Workspace(tmp_path).apply_proposal(proposal, {cat.id})
    sidecar = json.loads((tmp_path / "photo.jpg.annotations.json").read_text())
    assert [entry["id"] for entry in sidecar["annotations"]] == ["dog", "cat"]


def test_a_box_past_the_edge_and_a_changed_image_are_said(tmp_path: Path) -> None:
    image = encode(BEFORE, "PNG")
    (tmp_path / "photo.png").write_bytes(image)
    document = {
        "title": "Label",
        "changes": [
            {
                "path": "photo.png",
                "base_sha256": "0" * 64,
                "annotations": [{"id": "wide", "box": [100, 0, 50, 10]}],
            }
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "p.json", tmp_path)
    image_facts = proposal.changes[0].image
    assert image_facts is not None
    assert image_facts.problem == "box 'wide' reaches past the 120×80 image"
    with pytest.raises(StaleBaseError, match="not the image the boxes were drawn on"):
        Workspace(tmp_path).apply_proposal(proposal, {proposal.hunks[0].id})
    assert not (tmp_path / "photo.png.annotations.json").exists()


def test_a_foreign_file_at_the_sidecar_name_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(encode(BEFORE, "PNG"))
    (tmp_path / "photo.png.annotations.json").write_text('{"mine": true}')
    document = {
        "title": "Label",
        "changes": [{"path": "photo.png", "annotations": [{"id": "a", "box": [0, 0, 1, 1]}]}],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "p.json", tmp_path)
    with pytest.raises(Exception, match="not a Vetline annotations file"):
        Workspace(tmp_path).apply_proposal(proposal, {proposal.hunks[0].id})
    assert (tmp_path / "photo.png.annotations.json").read_text() == '{"mine": true}'


# ---- check --json ------------------------------------------------------------------------


def test_check_json_carries_the_image_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vetline.cli import main

    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    root = repository(tmp_path, "logo.png", before, after)
    assert main(["check", str(root), "--json", "--level", "4"]) == 0
    (file,) = json.loads(capsys.readouterr().out)["proposals"][0]["files"]
    image = file["image"]
    assert image["format"] == "PNG"
    assert image["before_size"] == [120, 80] and image["after_size"] == [120, 80]
    assert image["changed_fraction"] == pytest.approx((220 + 200) / (120 * 80))
    assert [region["box"] for region in image["regions"]] == [[8, 5, 22, 10], [90, 60, 20, 10]]
    assert [region["changed_pixels"] for region in image["regions"]] == [220, 200]
    assert [region["id"] for region in image["regions"]] == [hunk["id"] for hunk in file["hunks"]]
    assert main(["check", str(root), "--level", "4"]) == 0
    text = capsys.readouterr().out
    assert "image: PNG 120×80: 4.38% of pixels changed (420, 420 visibly)" in text
    assert "22×10 at 8,5  220 px changed" in text


def test_load_source_of_a_proposal_file_examines_images(tmp_path: Path) -> None:
    before, after = encode(BEFORE, "GIF", "P"), encode(AFTER, "GIF", "P")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "anim.gif").write_bytes(before)
    source = tmp_path / "p.json"
    source.write_bytes(image_proposal("anim.gif", before, after))
    (proposal,) = load_source(str(source), workspace)
    assert isinstance(proposal, Proposal)
    assert proposal.changes[0].image is not None
    assert proposal.changes[0].image.format == "GIF"
    shutil.rmtree(workspace)


def test_apply_accepts_named_regions_and_rejects_the_rest(tmp_path: Path) -> None:
    from vetline.cli import main

    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "logo.png").write_bytes(before)
    source = tmp_path / "p.json"
    source.write_bytes(image_proposal("logo.png", before, after))
    (proposal,) = load_source(str(source), workspace)
    _, second = region_ids(proposal.changes[0])
    arguments = ["apply", str(source), "--workspace", str(workspace), "--accept", second]
    assert main(arguments) == 0
    assert np.array_equal(rgba((workspace / "logo.png").read_bytes()), expected([1]))


def test_apply_in_a_repository_stages_the_accepted_region(tmp_path: Path) -> None:
    from vetline.cli import main

    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    root = repository(tmp_path, "logo.png", before, after)
    (change,) = load_worktree(root).proposals[0].changes
    first, _ = region_ids(change)
    assert main(["apply", str(root), "--accept", first]) == 0
    assert np.array_equal(rgba(git(root, "show", ":logo.png")), expected([0]))
    # The region not accepted was rejected: the work tree holds the staged picture too.
    assert np.array_equal(rgba((root / "logo.png").read_bytes()), expected([0]))


def test_a_corrupt_image_in_a_repository_is_said_and_the_other_files_are_reviewed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vetline.cli import main

    good = encode(BEFORE, "PNG")
    root = repository(tmp_path, "logo.png", good, good[:200])
    (root / "readme.txt").write_text("hello again\n")
    changes = {change.path: change for change in load_worktree(root).proposals[0].changes}
    broken = changes["logo.png"]
    assert broken.image is not None
    assert "logo.png (after): the image is corrupt" in broken.image.problem
    assert [hunk.kind for hunk in broken.hunks] == [HunkKind.BINARY]
    assert changes["readme.txt"].hunks[0].kind is HunkKind.TEXT
    assert main(["check", str(root), "--json", "--level", "4"]) == 0
    files = json.loads(capsys.readouterr().out)["proposals"][0]["files"]
    image = next(file["image"] for file in files if file["path"] == "logo.png")
    assert "the image is corrupt" in image["problem"]
    assert image["regions"] == [] and image["after_size"] is None


def literal_patch(path: str, before: bytes, after: bytes) -> bytes:
    """A git binary patch carrying both sides whole (literals) and no blob ids."""

    def block(data: bytes) -> bytes:
        packed = zlib.compress(data)
        lines = [f"literal {len(data)}".encode()]
        for start in range(0, len(packed), 52):
            chunk = packed[start : start + 52]
            size = len(chunk)
            letter = chr(ord("A") + size - 1) if size <= 26 else chr(ord("a") + size - 27)
            lines.append(letter.encode() + base64.b85encode(chunk, pad=True))
        return b"\n".join(lines) + b"\n\n"

    header = f"diff --git a/{path} b/{path}\nGIT binary patch\n".encode()
    return header + block(after) + block(before)


def test_a_literal_patch_applied_to_another_base_is_refused_not_mixed(tmp_path: Path) -> None:
    before, after = encode(BEFORE, "PNG"), encode(AFTER, "PNG")
    (tmp_path / "logo.png").write_bytes(before)
    (proposal,) = load_bytes(literal_patch("logo.png", before, after), "p.patch", tmp_path)
    first, second = region_ids(proposal.changes[0])
    other = encode(picture(120, 80, seed=99), "PNG")
    (tmp_path / "logo.png").write_bytes(other)
    with pytest.raises(StaleBaseError, match="not the image the regions were found on"):
        Workspace(tmp_path).apply_proposal(proposal, {first})
    assert (tmp_path / "logo.png").read_bytes() == other
    (tmp_path / "logo.png").write_bytes(before)
    Workspace(tmp_path).apply_proposal(proposal, {second})
    assert np.array_equal(rgba((tmp_path / "logo.png").read_bytes()), expected([1]))


def test_boxes_on_a_folder_or_a_missing_image_are_said_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    document = {
        "title": "Label",
        "changes": [
            {"path": "shots", "annotations": [{"id": "a", "box": [0, 0, 1, 1]}]},
            {"path": "gone.png", "annotations": [{"id": "b", "box": [0, 0, 1, 1]}]},
            {"path": "notes.txt", "new": "kept\n"},
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "p.json", tmp_path)
    folder, missing, text = proposal.changes
    assert folder.image is not None and "shots is a directory" in folder.image.problem
    assert missing.image is not None and missing.image.problem == "gone.png: no such image"
    assert [hunk.kind for hunk in folder.hunks] == [HunkKind.ANNOTATION]
    assert text.hunks[0].kind is HunkKind.TEXT
