"""Codex patches: padded markers read alike, as the Codex tool reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity import write_tree
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
