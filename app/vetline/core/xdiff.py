"""Line edits and hunks between two texts by libgit2's xdiff: git diff's own algorithm, compiled.

The pure-Python diff in `core.linediff` is exact but sits at 1.1–2× `git diff` on big
files; libgit2 runs git's Myers with git's cost heuristics (so its results match git's,
line for line, pathological pairs included) in process, on two in-memory buffers. No
repository is opened and nothing is read or written: only `Patch.create_from` is used.
The import is deferred to the first diff, since loading libgit2 costs more than a
window's first paint can spare.

Hunks are read from the patch text libgit2 writes (`Patch.data`), not from its line
objects: one decode, and one split in C into each hunk's piece of the patch, which the
hunk splits into lines only when they are first read (core.hunk_body). No Python code
runs per line, and neither text is split whole.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
import threading
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from vetline.core.linediff import Edit
from vetline.core.model import Hunk, hunks_from_pieces

if TYPE_CHECKING:
    from collections.abc import Callable

_header = attrgetter("old_start", "old_lines", "new_start", "new_lines")
_HUNK_HEADING = re.compile(rb"^@@[^\n]*", re.MULTILINE)


def _load_patch_maker() -> Callable[[str | bytes, str | bytes, int], Any] | None:
    try:
        compiled = _pygit2_compiled_module()
    except ImportError:  # a platform without a pygit2 wheel: the pure-Python diff serves
        return None
    patch = compiled.Patch
    # FORCE_TEXT: a NUL byte must not turn the text into one opaque "binary" change.
    # INDENT_HEURISTIC: git's default since 2.14, so changed blocks sit where git puts them.
    options = compiled.GIT_DIFF_FORCE_TEXT | compiled.GIT_DIFF_INDENT_HEURISTIC

    def make_patch(old: str | bytes, new: str | bytes, context: int) -> Any:
        # pygit2 takes any "z#" argument here, str included (its stubs name bytes only).
        return patch.create_from(old, new, flag=options, context_lines=context, interhunk_lines=0)

    return make_patch


def _pygit2_compiled_module() -> Any:
    """pygit2's compiled module, which holds `Patch` and libgit2's flags: the one part of
    pygit2 a diff needs. Loaded on its own where it can be, since importing the package
    also builds some fifty enum classes, looks up TLS certificates and loads its
    repository and network modules (about 30 ms of CPU, on the window's first paint);
    the package itself is imported where the module cannot be found on its own."""
    with _loading:
        loaded = sys.modules.get(_COMPILED)
        if loaded is not None:
            return loaded
        package = importlib.util.find_spec("pygit2")
        found = (
            importlib.machinery.PathFinder.find_spec(_COMPILED, package.submodule_search_locations)
            if package is not None and package.submodule_search_locations
            else None
        )
        if found is None or found.loader is None:
            return importlib.import_module(_COMPILED)  # raises ImportError without pygit2
        module = importlib.util.module_from_spec(found)
        # Registered as the package would register it, so a later `import pygit2` finds it.
        sys.modules[_COMPILED] = module
        try:
            found.loader.exec_module(module)
        except BaseException:
            del sys.modules[_COMPILED]  # as a failed import leaves nothing behind
            raise
        return module


_COMPILED = "pygit2._pygit2"
_loading = threading.Lock()


_loaded: list[Callable[[str | bytes, str | bytes, int], Any] | None] = []


def _patch_maker() -> Callable[[str | bytes, str | bytes, int], Any] | None:
    if not _loaded:
        _loaded.append(_load_patch_maker())
    return _loaded[0]


def _buffer(text: str) -> str | bytes:
    """What libgit2 is handed for `text`. pygit2 reads an ASCII str's own characters in
    place (its UTF-8 is the very same bytes), so ASCII is not copied; other text is
    encoded, surrogates passing through: the encoding is one-to-one, and only "\n"
    becomes a newline. (A non-ASCII str is not handed over: Python would keep a strict
    UTF-8 copy of it for as long as the text lives, and surrogates would refuse.)"""
    return text if text.isascii() else text.encode("utf-8", "surrogatepass")


def compiled_line_edits(old: str, new: str) -> list[Edit] | None:
    """The edits turning `old` into `new`, line by line as git diff finds them, or None
    where libgit2 cannot be loaded (the caller then diffs in Python).

    Lines are compared with their endings, so "x" at the end of a file differs from a
    terminated "x", as in git.
    """
    make_patch = _patch_maker()
    if make_patch is None:
        return None
    old_buffer, new_buffer = _buffer(old), _buffer(new)  # held while the patch is read
    edits = []
    for old_start, old_lines, new_start, new_lines in map(
        _header, make_patch(old_buffer, new_buffer, 0).hunks
    ):
        # A side with no lines is named by the line before it, as in unified diffs.
        old_first = old_start - 1 if old_lines else old_start
        new_first = new_start - 1 if new_lines else new_start
        edits.append(Edit(old_first, old_first + old_lines, new_first, new_first + new_lines))
    return edits


def compiled_hunks(path: str, old: str, new: str, context: int) -> tuple[Hunk, ...] | None:
    """The hunks `git diff -U<context>` shows between `old` and `new`, or None where
    libgit2 cannot be loaded."""
    make_patch = _patch_maker()
    if make_patch is None:
        return None
    # libgit2's patch points into these buffers (pygit2 keeps no reference to them): they
    # must outlive every read of `patch`, so they are held here, by name.
    old_buffer, new_buffer = _buffer(old), _buffer(new)
    patch = make_patch(old_buffer, new_buffer, context)
    headers = list(map(_header, patch.hunks))
    if not headers:
        return ()
    text = _patch_text(patch.data)
    # Every line of a hunk starts with its kind and ends with "\n"; a hunk starts with an
    # "@@" line, and the file header before the first one has no line starting with "@".
    # So the text split at "\n@@" is the header and then each hunk's piece, kept whole
    # by the hunk until its lines are first read (core.hunk_body).
    pieces = text.split("\n@@")
    del pieces[0]
    pieces[-1] = pieces[-1][:-1]  # as the others, without the newline before the next "@@"
    hunks = hunks_from_pieces(path, headers, pieces)
    del patch, old_buffer, new_buffer  # the patch first: it points into the buffers
    return hunks


def _patch_text(data: bytes) -> str:
    """The patch decoded. Its lines' texts always decode (they were encoded here); an
    "@@" line's section heading may not, since libgit2 cuts it at a byte count, and it is
    not used: it is dropped when it is in the way."""
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return _HUNK_HEADING.sub(b"@@", data).decode("utf-8", "surrogatepass")
