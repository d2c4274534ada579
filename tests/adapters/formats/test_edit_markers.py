"""Codex and SEARCH/REPLACE edits: padded markers read alike, and a mismatch is exit 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.parity import run_vetline, snapshot, write_tree
from vetline.adapters.formats.codex import parse_codex
from vetline.adapters.inputs import workspace_reader

CLEAN = (
    "*** Begin Patch\n*** Update File: app.py\n@@\n-x = 1\n+x = 2\n"
    "*** Delete File: old.txt\n*** Add File: new.txt\n+hello\n*** End Patch\n"
)


@pytest.mark.parametrize(
    "padded",
    [
        CLEAN.replace("*** Begin Patch", " *** Begin Patch  "),
        CLEAN.replace("*** End Patch", " *** End Patch"),
        CLEAN.replace("*** End Patch", "*** End Patch   "),
        CLEAN.replace("*** Update File:", "  *** Update File:"),
        CLEAN.replace("*** Add File:", "\t*** Add File:"),  # after a Delete, not inside a section
        CLEAN.replace("old.txt\n", "old.txt   \n"),
    ],
    ids=["begin", "end-indented", "end-padded", "update", "add", "delete"],
)
def test_padded_codex_markers_read_as_the_clean_patch(tmp_path: Path, padded: str) -> None:
    write_tree(tmp_path, {"app.py": b"x = 1\n", "old.txt": b"bye\n"})
    read = workspace_reader(tmp_path)

    (clean,) = parse_codex(CLEAN, "clean.patch", read)
    (read_back,) = parse_codex(padded, "padded.patch", read)

    assert read_back.changes == clean.changes


def test_an_end_marker_inside_a_file_is_text_not_the_end(tmp_path: Path) -> None:
    write_tree(tmp_path, {"doc.md": b"how:\n*** End Patch\nend\n"})
    patch = (
        "*** Begin Patch\n*** Update File: doc.md\n@@\n how:\n *** End Patch\n-end\n+END\n"
        "*** End Patch\n"
    )

    (proposal,) = parse_codex(patch, "doc.patch", workspace_reader(tmp_path))

    assert proposal.changes[0].new_text == "how:\n*** End Patch\nEND\n"


@pytest.mark.parametrize(
    ("name", "source", "words"),
    [
        (
            "codex.patch",
            "*** Begin Patch\n*** Update File: app.py\n@@\n-x = 9\n+x = 2\n*** End Patch\n",
            "does not match app.py",
        ),
        (
            "edits.md",
            "app.py\n<<<<<<< SEARCH\nx = 9\n=======\nx = 2\n>>>>>>> REPLACE\n",
            "the SEARCH text is not in the file",
        ),
        (
            "edits.md",
            "gone.py\n<<<<<<< SEARCH\nx = 9\n=======\nx = 2\n>>>>>>> REPLACE\n",
            "the file does not exist",
        ),
    ],
    ids=["codex-context", "search-not-found", "search-file-missing"],
)
def test_a_context_mismatch_is_exit_4_in_every_format(
    tmp_path: Path, name: str, source: str, words: str
) -> None:
    workspace = tmp_path / "ws"
    write_tree(workspace, {"app.py": b"x = 1\n"})
    (tmp_path / name).write_text(source, encoding="utf-8")
    before = snapshot(workspace)

    code, _, error = run_vetline(
        "--data-dir",
        str(tmp_path / "data"),
        "apply",
        str(tmp_path / name),
        "--workspace",
        str(workspace),
        "--accept",
        "all",
    )

    assert code == 4, error
    assert words in error
    assert snapshot(workspace) == before
