"""The bundled demo: a fresh workspace under the data folder, proposals through the parser."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from vetline.adapters.demo import DemoError, demo_workspace, prepare_demo
from vetline.adapters.files.workspace import Workspace
from vetline.adapters.paths import resources_dir
from vetline.core.errors import StaleBaseError
from vetline.core.hunks import split_hunk
from vetline.core.leash import Leash, Level

BUNDLED = resources_dir() / "demo"


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_demo_workspace_is_a_fresh_copy_under_the_data_folder(tmp_path: Path) -> None:
    before = tree_digest(BUNDLED)
    workspace, proposals = prepare_demo(tmp_path)
    assert workspace == tmp_path / "demo" / "workspace" == demo_workspace(tmp_path)
    assert tree_digest(workspace) == tree_digest(BUNDLED / "workspace")
    (workspace / "src" / "pager.py").write_text("changed by a test\n", encoding="utf-8")
    (workspace / "stray.txt").write_text("left over\n", encoding="utf-8")
    workspace_again, _ = prepare_demo(tmp_path)
    assert tree_digest(workspace_again) == tree_digest(BUNDLED / "workspace")
    assert tree_digest(BUNDLED) == before  # the bundled files are never written
    assert len(proposals) == 5


def test_the_demo_proposals_show_every_kind_of_case(tmp_path: Path) -> None:
    workspace, proposals = prepare_demo(tmp_path)
    by_id = {proposal.id: proposal for proposal in proposals}
    leash = Leash()

    pager = by_id["demo-pager-fix"]
    assert [change.path for change in pager.changes] == ["src/pager.py"]
    assert len(pager.hunks) == 2  # the off-by-one and the missing None check
    assert leash.check(pager, Level.CHUNK) == []

    note = by_id["demo-first-law-note"]
    assert note.changes[0].path.endswith(".md")
    assert len(note.hunks) == 1 and len(split_hunk(note.hunks[0])) == 2

    typed = by_id["demo-typed-inventory"]
    messages = [violation.message for violation in leash.check(typed, Level.CHUNK)]
    assert "3 files > 1 allowed at level 2 (Chunk)" in messages
    assert any(message.endswith("> 40 allowed at level 2 (Chunk)") for message in messages)
    assert leash.check(typed, Level.REPO) == []

    stale = by_id["demo-retry-downloads"]
    with pytest.raises(StaleBaseError, match="context does not match the file"):
        Workspace(workspace).plan(stale, {hunk.id for hunk in stale.hunks})
    assert leash.check(stale, Level.CHUNK) == []  # stale is its only problem

    tidy = by_id["demo-trailing-whitespace"]
    assert all(hunk.is_whitespace_only for hunk in tidy.hunks)

    for proposal in proposals:
        assert proposal.title and proposal.rationale and proposal.task and proposal.agent.name


def test_the_fresh_proposals_apply_cleanly(tmp_path: Path) -> None:
    workspace, proposals = prepare_demo(tmp_path)
    fresh = [p for p in proposals if p.id != "demo-retry-downloads"]
    for proposal in fresh:
        Workspace(workspace).plan(proposal, {hunk.id for hunk in proposal.hunks})


def test_an_old_demo_link_is_replaced_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine\n", encoding="utf-8")
    data = tmp_path / "data"
    (data / "demo").mkdir(parents=True)
    demo_workspace(data).symlink_to(elsewhere, target_is_directory=True)
    workspace, _ = prepare_demo(data)
    assert not workspace.is_symlink()
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "mine\n"


def test_missing_demo_files_are_said_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "resources"
    empty.mkdir()
    monkeypatch.setenv("VETLINE_RESOURCES_DIR", str(empty))
    with pytest.raises(DemoError, match="the demo files are missing"):
        prepare_demo(tmp_path / "data")
