"""A copied file's items say what they do: the copy names its source, and creates a file."""

from __future__ import annotations

from vetline.adapters.formats.unified import parse_unified
from vetline.ui.diff_rows import note_text
from vetline.ui.hunk_badges import NEW_FILE_BADGE, header_badges

PATCH = (
    b"diff --git a/src/a.py b/src/b.py\nsimilarity index 90%\ncopy from src/a.py\n"
    b"copy to src/b.py\nindex 1111111..2222222 100644\n--- a/src/a.py\n+++ b/src/b.py\n"
    b"@@ -1,2 +1,2 @@\n a\n-b\n+B\n"
)


def test_a_copy_item_names_its_source_and_its_hunks_create_a_file() -> None:
    (change,) = parse_unified(PATCH, "copy.patch")[0].changes
    copy_item, hunk = change.hunks

    assert note_text(copy_item, change) == "Copied: src/a.py → src/b.py (which stays)"
    assert NEW_FILE_BADGE in header_badges(change, hunk, whitespace_only=False)
    assert NEW_FILE_BADGE not in header_badges(change, copy_item, whitespace_only=False)
