"""Line edits between two texts by libgit2's xdiff: git diff's own algorithm, compiled.

The pure-Python diff in `core.linediff` is exact but sits at 1.1–2× `git diff` on big
files; libgit2 runs git's Myers with git's cost heuristics (so its results match git's,
line for line, pathological pairs included) in process, on two in-memory buffers. No
repository is opened and nothing is read or written: only `Patch.create_from` is used.
The import is deferred to the first diff, since loading libgit2 costs more than a
window's first paint can spare.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from vetline.core.linediff import Edit

if TYPE_CHECKING:
    from collections.abc import Callable


def _load_xdiff() -> Callable[[bytes, bytes], list[Edit]] | None:
    try:
        from pygit2 import Patch
        from pygit2.enums import DiffOption
    except ImportError:  # a platform without a pygit2 wheel: the pure-Python diff serves
        return None
    # FORCE_TEXT: a NUL byte must not turn the text into one opaque "binary" change.
    # INDENT_HEURISTIC: git's default since 2.14, so changed blocks sit where git puts them.
    options = DiffOption.FORCE_TEXT | DiffOption.INDENT_HEURISTIC

    header = attrgetter("old_start", "old_lines", "new_start", "new_lines")

    def xdiff_edits(old: bytes, new: bytes) -> list[Edit]:
        patch = Patch.create_from(old, new, flag=options, context_lines=0, interhunk_lines=0)
        edits = []
        for old_start, old_lines, new_start, new_lines in map(header, patch.hunks):
            # A side with no lines is named by the line before it, as in unified diffs.
            old_first = old_start - 1 if old_lines else old_start
            new_first = new_start - 1 if new_lines else new_start
            edits.append(Edit(old_first, old_first + old_lines, new_first, new_first + new_lines))
        return edits

    return xdiff_edits


_loaded: list[Callable[[bytes, bytes], list[Edit]] | None] = []


def compiled_line_edits(old: str, new: str) -> list[Edit] | None:
    """The edits turning `old` into `new`, line by line as git diff finds them, or None
    where libgit2 cannot be loaded (the caller then diffs in Python).

    Lines are compared with their endings, so "x" at the end of a file differs from a
    terminated "x", as in git. Text is encoded with surrogates passed through: the
    encoding is one-to-one, and only "\\n" becomes a newline byte.
    """
    if not _loaded:
        _loaded.append(_load_xdiff())
    xdiff_edits = _loaded[0]
    if xdiff_edits is None:
        return None
    return xdiff_edits(old.encode("utf-8", "surrogatepass"), new.encode("utf-8", "surrogatepass"))
