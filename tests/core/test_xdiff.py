"""The compiled line diff gives git's own hunks, and the pure-Python diff is never worse."""

from __future__ import annotations

import pickle
import random
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.gitrepo import diff_no_index
from vetline.core.hunks import apply_hunks, hunks_from_edits, hunks_from_texts
from vetline.core.linediff import Edit, diff_lines
from vetline.core.model import DiffLine
from vetline.core.text import encode
from vetline.core.xdiff import compiled_hunks, compiled_line_edits

HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
WORDS = st.sampled_from(["alpha", "beta", "", "    indented", "def f():", "    return 1", "}"])
ENDINGS = st.sampled_from(["\n", "\r\n"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Few distinct lines (many repeats, blank lines, indents), maybe no final newline."""
    lines = draw(st.lists(st.tuples(WORDS, ENDINGS), max_size=30))
    text = "".join(word + ending for word, ending in lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n") or "tail"
    return text


def git_headers(tmp: Path, old: str, new: str, context: int) -> list[tuple[int, int, int, int]]:
    (tmp / "old").write_bytes(encode(old))
    (tmp / "new").write_bytes(encode(new))
    out = diff_no_index(tmp / "old", tmp / "new", f"-U{context}")
    return [
        (int(a), int(b or 1), int(c), int(d or 1))
        for a, b, c, d in (match.groups() for match in HEADER.finditer(out))
    ]


def our_headers(old: str, new: str, context: int) -> list[tuple[int, int, int, int]]:
    return [
        (h.old_start, h.old_lines, h.new_start, h.new_lines)
        for h in hunks_from_texts("f", old, new, context=context)
    ]


@given(old=texts(), new=texts(), context=st.integers(0, 3))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_hunks_are_the_ones_git_diff_shows(
    tmp_path: Path, old: str, new: str, context: int
) -> None:
    assert our_headers(old, new, context) == git_headers(tmp_path, old, new, context)


def test_blocks_slide_where_git_s_indent_heuristic_puts_them(tmp_path: Path) -> None:
    # A braced block added between two others could be shown at several offsets; git's
    # default (the indent heuristic) shows it from its "{" to the blank line after it.
    old = "{\n  a\n}\n\n{\n  b\n}\n"
    new = "{\n  a\n}\n\n{\n  n\n}\n\n{\n  b\n}\n"
    (hunk,) = hunks_from_texts("f", old, new, context=0)
    assert hunk.texts == ("{\n", "  n\n", "}\n", "\n")
    assert our_headers(old, new, 3) == git_headers(tmp_path, old, new, 3)


def test_large_code_like_files_match_git(tmp_path: Path) -> None:
    rng = random.Random(7)
    old = [
        f"value_{rng.randrange(10**6)} = {n}\n" if rng.random() < 0.8 else "\n" for n in range(3000)
    ]
    new = list(old)
    for _ in range(300):
        spot = rng.randrange(len(new))
        new[spot : spot + rng.randint(0, 2)] = [f"changed_{rng.randrange(10**6)}\n"]
    old_text, new_text = "".join(old), "".join(new)
    assert our_headers(old_text, new_text, 3) == git_headers(tmp_path, old_text, new_text, 3)


def test_the_pure_python_fallback_is_never_less_minimal_than_the_compiled_diff() -> None:
    rng = random.Random(3)
    for _ in range(50):
        old = [rng.choice("abcd") for _ in range(rng.randrange(200))]
        new = [rng.choice("abce") for _ in range(rng.randrange(200))]
        compiled = compiled_line_edits(
            "".join(f"{x}\n" for x in old), "".join(f"{x}\n" for x in new)
        )
        assert compiled is not None

        def changed(edits: list[Edit]) -> int:
            return sum(e.old_end - e.old_start + e.new_end - e.new_start for e in edits)

        assert changed(diff_lines(old, new)) <= changed(compiled)


def test_nul_bytes_and_undecodable_bytes_are_diffed_as_text() -> None:
    # A NUL would make git call the file binary; undecodable bytes arrive as surrogates.
    old = "a\x00b\nsame\ncaf\udce9\n"
    new = "a\x00c\nsame\ncaf\udce8\n"
    hunks = hunks_from_texts("f", old, new, context=0)
    assert [(h.old_start, h.old_lines) for h in hunks] == [(1, 1), (3, 1)]
    assert apply_hunks(old, hunks) == new


def test_a_two_valued_100k_line_pair_is_diffed_exactly_as_git_does(tmp_path: Path) -> None:
    """Thousands of edits between two repeated lines: git's cost limit keeps this bounded
    (the figure is `pathological_diff_ms` in the benchmark), and the result is git's."""
    rng = random.Random(1)
    old = "".join(rng.choice(("a\n", "b\n")) for _ in range(100_000))
    new = "".join(rng.choice(("a\n", "b\n")) for _ in range(100_000))
    hunks = hunks_from_texts("f", old, new, context=0)
    assert apply_hunks(old, hunks) == new
    ours = [(h.old_start, h.old_lines, h.new_start, h.new_lines) for h in hunks]
    assert ours == git_headers(tmp_path, old, new, 0)


@given(old=texts(), new=texts(), context=st.integers(0, 3))
@settings(max_examples=200)
def test_hunks_read_from_libgit2_s_patch_are_the_ones_built_from_its_edits(
    old: str, new: str, context: int
) -> None:
    """Kinds, texts (endings and a missing last newline included) and ranges alike."""
    edits = compiled_line_edits(old, new)
    assert edits is not None
    assert compiled_hunks("f", old, new, context) == hunks_from_edits("f", old, new, edits, context)


@given(old=texts(), new=texts(), context=st.integers(0, 3))
@settings(max_examples=150)
def test_hunks_not_yet_split_count_travel_and_hash_as_the_built_ones(
    old: str, new: str, context: int
) -> None:
    """A hunk cut from the patch keeps its lines unsplit until they are read: its counts,
    its pickled form and its id must be those of the hunk built line by line."""
    edits = compiled_line_edits(old, new)
    assert edits is not None
    built = hunks_from_edits("f", old, new, edits, context)
    cut = compiled_hunks("f", old, new, context)
    assert cut is not None
    assert [(h.added, h.removed) for h in cut] == [(h.added, h.removed) for h in built]
    travelled = pickle.loads(pickle.dumps(cut))  # noqa: S301 - our own bytes
    assert [h.id for h in travelled] == [h.id for h in built]
    assert travelled == built
    assert [h.lines for h in cut] == [h.lines for h in built]


def test_a_hunk_not_yet_split_travels_as_one_string() -> None:
    """The window's process unpickles a background diff's hunks while keys wait: one
    string a hunk is far less to unpickle than a tuple of every line."""
    old = "".join(f"line {n}\n" for n in range(3000))
    new = old.replace("line 1", "LINE 1")
    hunks = compiled_hunks("f", old, new, 3)
    assert hunks is not None
    unsplit = pickle.dumps(hunks)
    assert all(len(hunk.texts) == len(hunk.kinds) > 0 for hunk in hunks)  # split now
    split = pickle.dumps(hunks)
    assert len(unsplit) < len(split)
    assert pickle.loads(unsplit) == pickle.loads(split)  # noqa: S301 - our own bytes


def test_hunks_keep_surrogates_carriage_returns_and_a_missing_last_newline() -> None:
    old = "caf\udce9\r\nsame\nlast"
    new = "caf\udce8\r\nsame\nlast\nmore"
    hunks = compiled_hunks("f", old, new, 3)
    assert hunks is not None
    assert [hunk.lines for hunk in hunks] == [
        (
            DiffLine("-", "caf\udce9\r\n"),
            DiffLine("+", "caf\udce8\r\n"),
            DiffLine(" ", "same\n"),
            DiffLine("-", "last"),
            DiffLine("+", "last\n"),
            DiffLine("+", "more"),
        )
    ]
    assert apply_hunks(old, hunks) == new


def test_only_newlines_end_lines_whatever_else_a_line_holds() -> None:
    """Form feeds, separators and the like are text inside a line, as git sees them."""
    for inside in ("\x0c", "\x1c", "\x0b", "\r", "\u2028", "\x85"):
        old = f"a\nb{inside}b\nc\n"
        new = f"a\nb{inside}B\nc\nd{inside}\n"
        edits = compiled_line_edits(old, new)
        assert edits is not None
        hunks = compiled_hunks("f", old, new, 3)
        assert hunks == hunks_from_edits("f", old, new, edits, 3)
        assert hunks is not None and hunks[0].texts[1] == f"b{inside}b\n"


# A fresh process: diffs through pygit2's compiled module alone, then imports the package.
ONLY_THE_COMPILED_MODULE = """
import subprocess, sys
from vetline.core.hunks import hunks_from_texts

(hunk,) = hunks_from_texts("f", "a\\nb\\n", "a\\nc\\n")
print(hunk.kinds, "pygit2" in sys.modules)
import pygit2

print(pygit2.Patch is sys.modules["pygit2._pygit2"].Patch)
subprocess.run(["git", "init", "-q", sys.argv[1]], check=True)
print(pygit2.Repository(sys.argv[1]).is_empty)
"""


def test_a_diff_loads_only_pygit2_s_compiled_module_which_the_package_then_reuses(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ONLY_THE_COMPILED_MODULE, str(tmp_path / "repo")],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a budget
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == [" -+ False", "True", "True"]
