"""The line diff is minimal (never more changed lines than git) and hunks apply exactly."""

from __future__ import annotations

import hashlib
import pickle
import random
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.gitrepo import diff_no_index, git
from vetline.core.hunks import HunkMismatchError, apply_hunks, hunks_from_texts, split_hunk
from vetline.core.linediff import diff_lines
from vetline.core.model import Hunk, HunkKind, ImageRegion, hunks_from_pieces
from vetline.core.patch_text import file_patch
from vetline.core.text import decode, encode, split_lines

ENDINGS = st.sampled_from(["\n", "\r\n"])
WORDS = st.sampled_from(["alpha", "beta", "gamma", "", "  indented", "x = 1", "}"])


@st.composite
def texts(draw: st.DrawFn, max_lines: int = 25) -> str:
    """Texts with few distinct lines (so many repeats), mixed endings, maybe no final newline."""
    lines = draw(st.lists(st.tuples(WORDS, ENDINGS), max_size=max_lines))
    text = "".join(word + ending for word, ending in lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n") or "tail"
    return text


def lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for item in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if item == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def changed_lines(a: list[str], b: list[str]) -> int:
    return sum(e.old_end - e.old_start + e.new_end - e.new_start for e in diff_lines(a, b))


@given(
    st.lists(st.sampled_from("abcde"), max_size=40), st.lists(st.sampled_from("abcxy"), max_size=40)
)
@settings(max_examples=400)
def test_line_diff_is_a_shortest_edit_script(a: list[str], b: list[str]) -> None:
    assert changed_lines(a, b) == len(a) + len(b) - 2 * lcs_length(a, b)


@given(
    st.lists(st.sampled_from("abcde"), max_size=40), st.lists(st.sampled_from("abcxy"), max_size=40)
)
def test_edits_rebuild_the_new_side(a: list[str], b: list[str]) -> None:
    rebuilt: list[str] = []
    cursor = 0
    for edit in diff_lines(a, b):
        assert edit.old_start >= cursor
        rebuilt += a[cursor : edit.old_start] + b[edit.new_start : edit.new_end]
        cursor = edit.old_end
    assert rebuilt + a[cursor:] == b


def git_changed_lines(tmp: Path, old: str, new: str) -> int:
    (tmp / "old").write_bytes(encode(old))
    (tmp / "new").write_bytes(encode(new))
    out = diff_no_index(tmp / "old", tmp / "new", "-U0").decode("utf-8", "surrogateescape")
    return sum(
        1 for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))
    )


@given(old=texts(), new=texts())
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_never_less_minimal_than_git(tmp_path: Path, old: str, new: str) -> None:
    ours = sum(h.added + h.removed for h in hunks_from_texts("f", old, new))
    assert ours <= git_changed_lines(tmp_path, old, new)


def code_lines(rng: random.Random, count: int) -> list[str]:
    """Mostly distinct lines, with the blank and brace lines real code repeats."""
    repeated = ["", "}", "    return None", "    else:"]
    return [
        rng.choice(repeated) if rng.random() < 0.25 else f"line_{rng.randrange(10**6)} = {n}"
        for n in range(count)
    ]


@given(
    seed=st.integers(0, 2**32),
    size=st.integers(400, 2_500),
    share=st.sampled_from([0.01, 0.1, 0.3]),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_large_files_cut_at_anchors_stay_exact_and_as_minimal_as_git(
    tmp_path: Path, seed: int, size: int, share: float
) -> None:
    """Past a few hundred lines the diff is cut into pieces at unique lines."""
    rng = random.Random(seed)
    old = code_lines(rng, size)
    new = list(old)
    for _ in range(max(1, int(size * share))):
        spot = rng.randrange(len(new) + 1)
        if rng.random() < 0.5 and spot < len(new):
            del new[spot]
        else:
            new[spot:spot] = code_lines(rng, rng.randint(1, 3))
    old_text, new_text = "\n".join(old) + "\n", "\n".join(new) + "\n"
    rebuilt: list[str] = []
    cursor = 0
    for edit in diff_lines(old, new):
        rebuilt += old[cursor : edit.old_start] + new[edit.new_start : edit.new_end]
        cursor = edit.old_end
    assert rebuilt + old[cursor:] == new
    ours = changed_lines(old, new)
    assert ours <= git_changed_lines(tmp_path, old_text, new_text)


@given(old=texts(), new=texts(), context=st.integers(0, 4))
@settings(max_examples=300)
def test_all_hunks_give_the_new_text_and_none_the_old(old: str, new: str, context: int) -> None:
    hunks = hunks_from_texts("f", old, new, context=context)
    assert apply_hunks(old, hunks) == new
    assert apply_hunks(old, []) == old


@given(old=texts(), new=texts(), data=st.data())
@settings(max_examples=300)
def test_subsets_and_split_pieces_apply_without_overlap(
    old: str, new: str, data: st.DataObject
) -> None:
    pieces = [piece for hunk in hunks_from_texts("f", old, new) for piece in split_hunk(hunk)]
    assert apply_hunks(old, pieces) == new
    chosen = data.draw(st.lists(st.sampled_from(pieces), unique=True) if pieces else st.just([]))
    result = apply_hunks(old, chosen)
    # Lines outside the chosen pieces are the base's, byte for byte.
    assert set(split_lines(result)) <= set(split_lines(old)) | set(split_lines(new))


def test_bytes_outside_hunks_survive_bom_crlf_latin1_and_no_final_newline() -> None:
    raw = (
        b"\xef\xbb\xbfone\r\ntwo\ncaf\xe9\r\n" + b"".join(b"l%d\n" % i for i in range(20)) + b"end"
    )
    base, encoding = decode(raw)
    new = base.replace("l10\n", "ten\n")
    result = encode(apply_hunks(base, hunks_from_texts("f", base, new)), encoding)
    assert result == raw.replace(b"l10\n", b"ten\n")


def test_utf16_round_trips() -> None:
    raw = "\ufeffa\r\nb\r\n".encode("utf-16-le")
    text, encoding = decode(raw)
    assert encoding == "utf-16-le"
    assert encode(text.replace("b", "c"), encoding) == "\ufeffa\r\nc\r\n".encode("utf-16-le")


def test_a_mismatched_context_is_refused_and_names_the_hunk() -> None:
    hunk = hunks_from_texts("f.py", "a\nb\nc\n", "a\nB\nc\n")[0]
    with pytest.raises(HunkMismatchError, match=r"f\.py: hunk [0-9a-f]{12} .*does not match"):
        apply_hunks("a\nX\nc\n", [hunk])


def test_an_ambiguous_relocation_is_refused() -> None:
    hunk = hunks_from_texts("f", "x\ny\n", "x\nz\n", context=1)[0]
    moved = Hunk(hunk.path, 9, hunk.old_lines, 9, hunk.new_lines, hunk.kinds, hunk.texts)
    with pytest.raises(HunkMismatchError, match="matches in 2 places"):
        apply_hunks("x\ny\nq\nx\ny\n", [moved])


def test_a_unique_relocation_is_applied() -> None:
    hunk = hunks_from_texts("f", "x\ny\n", "x\nz\n", context=1)[0]
    moved = Hunk(hunk.path, 9, hunk.old_lines, 9, hunk.new_lines, hunk.kinds, hunk.texts)
    assert apply_hunks("p\nx\ny\n", [moved]) == "p\nx\nz\n"


def test_hunk_ids_are_stable_and_content_addressed() -> None:
    first = hunks_from_texts("f", "a\nb\n", "a\nc\n")[0]
    again = hunks_from_texts("f", "a\nb\n", "a\nc\n")[0]
    other_path = hunks_from_texts("g", "a\nb\n", "a\nc\n")[0]
    assert first.id == again.id
    assert re.fullmatch(r"[0-9a-f]{12}", first.id)
    assert first.id != other_path.id


def test_a_remembered_hash_never_follows_a_changed_or_unpickled_hunk() -> None:
    hunk = hunks_from_texts("f", "a\nb\n", "a\nc\n")[0]
    remembered = hunk.sha256
    changed = replace(hunk, texts=(*hunk.texts[:-1], "d\n"))
    assert changed.sha256 != remembered
    assert changed.sha256 == hunks_from_texts("f", "a\nb\n", "a\nd\n")[0].sha256
    travelled = pickle.loads(pickle.dumps(hunk))  # noqa: S301 - our own bytes
    assert travelled == hunk
    assert travelled.sha256 == remembered == hashlib.sha256(_hashed_bytes(hunk)).hexdigest()


def _hashed_bytes(hunk: Hunk) -> bytes:
    """What a hunk's id is the hash of, written out: its kind, path, range, kinds, texts."""
    head = f"{hunk.kind}\0{hunk.path}\0{hunk.old_start},{hunk.old_lines}\0{hunk.kinds}"
    return (head + "".join("\0" + text for text in hunk.texts)).encode()


def make_repo_file(tmp_path: Path, old: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "f.txt").write_bytes(encode(old))
    git(repo, "add", "f.txt")
    git(repo, "commit", "-qm", "base")
    return repo


@given(data=st.data())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_subset_equals_git_apply_of_the_same_hunks(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    old = data.draw(texts(max_lines=30))
    new = data.draw(texts(max_lines=30))
    hunks = hunks_from_texts("f.txt", old, new)
    chosen = [h for h in hunks if data.draw(st.booleans())]
    repo = make_repo_file(tmp_path_factory.mktemp("subset"), old)
    if chosen:
        patch = file_patch("f.txt", chosen)
        result = subprocess.run(
            ["git", "apply", "--unidiff-zero", "-"],
            cwd=repo,
            input=encode(patch),
            capture_output=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
    expected = (repo / "f.txt").read_bytes()
    assert encode(apply_hunks(old, chosen)) == expected


def test_a_pathological_pair_stays_at_least_as_minimal_as_git(tmp_path: Path) -> None:
    """Thousands of edits between four repeated lines: past the exact search's cost
    limit, where git also settles for a heuristic split."""
    import random

    rng = random.Random(1)
    old = "".join(rng.choice("abcd") + "\n" for _ in range(3000))
    new = "".join(rng.choice("abcd") + "\n" for _ in range(3000))
    hunks = hunks_from_texts("f", old, new)
    assert apply_hunks(old, hunks) == new
    assert sum(h.added + h.removed for h in hunks) <= git_changed_lines(tmp_path, old, new)


@pytest.mark.parametrize(
    ("old", "new", "whitespace_only"),
    [
        ("a\nb\n", "a\n\n  \t\nb\n", True),  # blank lines added
        ("a\n\n \nb\n", "a\nb\n", True),  # blank lines removed
        ("a\nb\n", "a\n  x\nb\n", False),  # a line with a letter added
        ("a\nx = 1\nb\n", "a\nx  =  1\r\nb\n", True),  # spaces and an ending changed
        ("a\nx = 1\nb\n", "a\nx = 2\nb\n", False),
        ("", "one\ntwo\n", False),  # a new file
    ],
)
def test_whitespace_only_is_told_from_one_side_or_both(
    old: str, new: str, whitespace_only: bool
) -> None:
    (hunk,) = hunks_from_texts("f", old, new)
    assert hunk.is_whitespace_only is whitespace_only


def test_a_hunk_cut_from_a_patch_sets_every_field_as_the_constructor_does() -> None:
    piece = " -3,2 +3,2 @@ def f():\n x\n-y\n+z\n\\ No newline at end of file"
    (quick,) = hunks_from_pieces("a.py", [(3, 2, 3, 2)], [piece])
    built = Hunk("a.py", 3, 2, 3, 2, " -+", ("x\n", "y\n", "z"))
    assert (quick.added, quick.removed) == (1, 1)  # counted before its lines are split
    assert (built.added, built.removed) == (1, 1)
    assert quick.id == built.id
    # A field added to Hunk but not to hunks_from_pieces is unset here: reading it fails.
    for name in Hunk.__slots__:
        assert getattr(quick, name) == getattr(built, name), name
    assert quick == built


def test_an_unpickled_hunk_has_every_field_and_remembered_count_of_the_original() -> None:
    region = ImageRegion(1, 2, 3, 4, changed_pixels=5, digest="d", label="a box")
    hunks = (
        Hunk("img.png", 0, 0, 0, 0, kind=HunkKind.IMAGE_REGION, region=region),
        Hunk("a.py", 3, 2, 3, 1, " -", ("x\n", "y\n"), section="def f():"),
    )
    for hunk in hunks:
        hunk.sha256  # noqa: B018 - remembered, so it must travel
        hunk.added  # noqa: B018
        travelled = pickle.loads(pickle.dumps(hunk))  # noqa: S301 - our own bytes
        for name in Hunk.__slots__:
            assert getattr(travelled, name) == getattr(hunk, name), name
        assert type(travelled.kind) is HunkKind
