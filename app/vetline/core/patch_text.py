"""Hunks written back out as unified-diff text, the form `git apply` reads."""

from __future__ import annotations

from collections.abc import Sequence

from vetline.core.model import Hunk, HunkKind

NO_NEWLINE = "\\ No newline at end of file\n"


def hunk_header(hunk: Hunk) -> str:
    section = f" {hunk.section}" if hunk.section else ""
    return (
        f"@@ -{_range(hunk.old_start, hunk.old_lines)} "
        f"+{_range(hunk.new_start, hunk.new_lines)} @@{section}\n"
    )


def _range(start: int, count: int) -> str:
    return str(start) if count == 1 else f"{start},{count}"


def hunk_text(hunk: Hunk) -> str:
    """The hunk's header and lines; a line with no newline is followed by git's marker."""
    out = [hunk_header(hunk)]
    for kind, text in zip(hunk.kinds, hunk.texts, strict=True):
        out.append(kind + text)
        if not text.endswith("\n"):
            out.append("\n" + NO_NEWLINE)
    return "".join(out)


def file_patch(
    path: str,
    hunks: Sequence[Hunk],
    *,
    old_path: str | None = None,
    created: bool = False,
    deleted: bool = False,
) -> str:
    """A git-style patch of one file holding just `hunks` (text hunks only)."""
    old_name = "/dev/null" if created else f"a/{old_path or path}"
    new_name = "/dev/null" if deleted else f"b/{path}"
    header = [f"diff --git a/{old_path or path} b/{path}\n"]
    if created:
        header.append("new file mode 100644\n")
    if deleted:
        header.append("deleted file mode 100644\n")
    header += [f"--- {old_name}\n", f"+++ {new_name}\n"]
    body = [hunk_text(hunk) for hunk in hunks if hunk.kind is HunkKind.TEXT]
    return "".join(header + body)
