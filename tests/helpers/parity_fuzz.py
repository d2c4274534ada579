"""Mutated real patches, applied by git and by Vetline: any exit 0 must give git's tree.

Some cases accept only some of a patch's hunks, as a reviewer does: Vetline is told
which, and git applies the patch with the others cut out of its text.

Shared by the quick run in the test suite and `tools/fuzz_parity.py` for long runs.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.gitrepo import GitRepo
from helpers.parity import Outcome, compare_apply
from vetline.adapters.formats.unified import parse_unified
from vetline.core.errors import VetlineError
from vetline.core.model import FileStatus, HunkKind

Mutation = Callable[[random.Random, list[bytes]], list[bytes]]

_TEXT = "".join(f"line {number}: {'word ' * (number % 7)}\n" for number in range(60))


# A repository as on Windows: CRLF text files on disk, LF in the repository, and a file
# git leaves alone.
CONVERTING_ATTRIBUTES = "*.txt eol=crlf\n*.py text=auto\nlatin1.txt -text\n"


def base_repository(root: Path, *, converting: bool = False) -> GitRepo:
    """A committed tree with the files real patches touch: endings, encodings, modes; with
    `converting`, line-ending attributes and core.autocrlf, checked out as git would."""
    repo = GitRepo.init(root)
    if converting:
        repo.git("config", "core.autocrlf", "true")
        repo.write(".gitattributes", CONVERTING_ATTRIBUTES)
    repo.write("src/app.py", "".join(f"def f{n}():\n    return {n}\n\n" for n in range(40)))
    repo.write("notes.txt", _TEXT)
    repo.write("crlf.txt", _TEXT.replace("\n", "\r\n"))
    repo.write("tail.txt", _TEXT.rstrip("\n"))
    repo.write("latin1.txt", "caf\u00e9\n".encode("latin-1") * 20)
    repo.write("tool.sh", "#!/bin/sh\necho hi\n")
    repo.write("old_name.txt", _TEXT[:400])
    repo.write("gone.txt", "bye\n" * 5)
    repo.commit("base")
    if converting:
        repo.git("rm", "-q", "-r", "--cached", ".")
        repo.git("-c", "core.autocrlf=true", "reset", "-q", "--hard")
    return repo


def real_patches(repo: GitRepo) -> list[bytes]:
    """Diffs git itself writes for changes of every kind, each against the base."""
    edits: list[Callable[[], None]] = [
        lambda: repo.write("src/app.py", repo_text(repo, "src/app.py").replace("return 7", "x")),
        lambda: repo.write(
            "notes.txt", repo_text(repo, "notes.txt").replace("line 3:", "L3:").replace("59", "")
        ),
        lambda: repo.write("crlf.txt", repo_text(repo, "crlf.txt").replace("line 30", "thirty")),
        lambda: repo.write("tail.txt", repo_text(repo, "tail.txt") + "\nmore"),
        lambda: repo.write("latin1.txt", b"caf\xe9!\n" + (repo.read("latin1.txt") or b"")),
        lambda: repo.chmod("tool.sh", 0o755),
        lambda: repo.rename("old_name.txt", "docs/new_name.txt"),
        lambda: repo.remove("gone.txt"),
        lambda: repo.write("fresh/new.txt", "brand\nnew\n"),
    ]
    patches = []
    for edit in edits:
        edit()
        patches.append(repo.diff())
        repo.git("reset", "-q", "--hard")
        repo.git("clean", "-fdq")
    patches.append(_copies(repo))
    repo.chmod("tool.sh", 0o644)
    before = repo.root.parent / f"{repo.root.name}-before"
    shutil.rmtree(before, ignore_errors=True)
    shutil.copytree(repo.root, before, ignore=shutil.ignore_patterns(".git"))
    for edit in edits:
        edit()
    patches.append(repo.diff())
    patches.append(repo.diff("-U1"))
    patches.append(repo.diff("-U0"))
    patches.append(_gnu_diff(before, repo.root))
    base = repo.git("rev-parse", "HEAD").decode().strip()
    repo.commit("every edit")
    patches.append(repo.format_patch(f"{base}..HEAD"))
    repo.git("reset", "-q", "--hard", base)
    repo.git("clean", "-fdq")
    repo.chmod("tool.sh", 0o644)
    shutil.rmtree(before)
    return patches


def _copies(repo: GitRepo) -> bytes:
    """Copies as `git diff -C -C` finds them: one whole, one with hunks from a source the
    same patch edits too."""
    app = repo_text(repo, "src/app.py")
    repo.write("docs/app_copy.py", app.replace("return 3", "return three"))
    repo.write("src/app.py", app.replace("return 30", "return thirty"))
    repo.write("notes_copy.txt", repo_text(repo, "notes.txt"))
    try:
        return repo.diff("-C", "-C")
    finally:
        repo.git("reset", "-q", "--hard")
        repo.git("clean", "-fdq")


def _gnu_diff(old: Path, new: Path) -> bytes:
    """`diff -ruN` between two trees, named as a/ and b/ the way such patches usually are."""
    result = subprocess.run(
        ["diff", "-ruN", "--exclude=.git", old.name, new.name],
        cwd=old.parent,
        capture_output=True,
        check=False,
        env={"LC_ALL": "C", "TZ": "UTC"},
    )
    patch = result.stdout.replace(f"{old.name}/".encode(), b"a/")
    patch = patch.replace(f"{new.name}/".encode(), b"b/")
    # The same text every run: file times, but not the epoch that marks a missing side.
    return re.sub(
        rb"\t(?!1970-01-01 )\d{4}-\d\d-\d\d [\d:.]+ \+0000", b"\t2024-01-01 10:00:00 +0000", patch
    )


def repo_text(repo: GitRepo, path: str) -> str:
    return (repo.read(path) or b"").decode("utf-8", "surrogateescape")


# ---- mutations: each takes the patch's lines (with endings) and returns new ones ----------


def _drop_line(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    index = chooser.randrange(len(lines))
    return lines[:index] + lines[index + 1 :]


def _repeat_line(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    index = chooser.randrange(len(lines))
    return lines[: index + 1] + lines[index:]


def _swap_lines(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    first, second = chooser.randrange(len(lines)), chooser.randrange(len(lines))
    out = list(lines)
    out[first], out[second] = out[second], out[first]
    return out


def _flip_marker(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    marked = [i for i, line in enumerate(lines) if line[:1] in (b" ", b"-", b"+")]
    if not marked:
        return lines
    index = chooser.choice(marked)
    out = list(lines)
    out[index] = chooser.choice([b" ", b"-", b"+"]) + out[index][1:]
    return out


def _nudge_number(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    headers = [i for i, line in enumerate(lines) if line.startswith(b"@@ ")]
    if not headers:
        return lines
    index = chooser.choice(headers)
    numbers = list(re.finditer(rb"\d+", lines[index]))
    match = chooser.choice(numbers)
    value = max(0, int(match.group()) + chooser.choice([-2, -1, 1, 2, 10]))
    out = list(lines)
    out[index] = lines[index][: match.start()] + str(value).encode() + lines[index][match.end() :]
    return out


def _edit_text(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    index = chooser.randrange(len(lines))
    line = lines[index]
    if len(line) < 2:
        return lines
    position = chooser.randrange(1, len(line))
    replacement = chooser.choice([b"x", b" ", b"\t", b"\r", b"", b"/", b"\\", b'"', b"\xe9"])
    out = list(lines)
    out[index] = line[:position] + replacement + line[position + 1 :]
    return out


def _truncate(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    data = b"".join(lines)
    cut = chooser.randrange(len(data))
    return _split(data[:cut])


def _header_variant(chooser: random.Random, lines: list[bytes]) -> list[bytes]:
    """What other tools do to headers: drop the git line, add timestamps, other prefixes,
    other modes, an extra header line."""
    out = list(lines)
    kind = chooser.randrange(6)
    if kind == 0:
        return [line for line in out if not line.startswith(b"diff --git ")]
    if kind == 1:
        stamp = chooser.choice([b"\t2024-01-01 10:00:00.000000000 +0000", b"  2024-01-01 10:00:00"])
        return [
            line.rstrip(b"\n") + stamp + b"\n" if line.startswith((b"--- ", b"+++ ")) else line
            for line in out
        ]
    if kind == 2:
        old, new = chooser.choice([(b"a/", b"b/"), (b"old/", b"new/"), (b"", b"")]), b""
        return [
            line.replace(b" a/", b" " + old[0]).replace(b" b/", b" " + old[1] + new) for line in out
        ]
    if kind == 3:
        mode = chooser.choice([b"100755", b"100777", b"120000", b"160000", b"100600", b"644"])
        return [re.sub(rb"\b100(644|755)\b", mode, line) for line in out]
    if kind == 4:
        index = chooser.randrange(len(out) + 1)
        extra = chooser.choice(
            [b"old mode 100644\n", b"new mode 100755\n", b"copy from x\n", b"\\ No newline\n"]
        )
        return [*out[:index], extra, *out[index:]]
    return [line.replace(b"/dev/null", b"a/epoch\t1970-01-01 00:00:00 +0000") for line in out]


MUTATIONS: tuple[Mutation, ...] = (
    _drop_line,
    _repeat_line,
    _swap_lines,
    _flip_marker,
    _nudge_number,
    _edit_text,
    _truncate,
    _header_variant,
)


def _split(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def mutate(chooser: random.Random, patch: bytes) -> bytes:
    lines = _split(patch)
    for _ in range(chooser.choice([1, 1, 1, 2, 3])):
        if not lines:
            break
        lines = chooser.choice(MUTATIONS)(chooser, lines)
    return b"".join(lines)


_HUNK_HEADER = re.compile(rb"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


def _hunk_spans(lines: list[bytes]) -> list[tuple[int, int]]:
    """Where each hunk's lines are (its header to past its last line, "\\" lines too),
    counted as git counts them, from the numbers in its header."""
    spans = []
    index = 0
    while index < len(lines):
        header = _HUNK_HEADER.match(lines[index])
        if header is None:
            index += 1
            continue
        start = index
        old, new = (int(count) if count is not None else 1 for count in header.groups())
        index += 1
        while index < len(lines) and (old > 0 or new > 0 or lines[index].startswith(b"\\")):
            marker = lines[index][:1]
            old -= marker in (b" ", b"-", b"\n")
            new -= marker in (b" ", b"+", b"\n")
            index += 1
        spans.append((start, index))
    return spans


def partial_acceptance(chooser: random.Random, patch: bytes) -> tuple[bytes, list[str]] | None:
    """Some hunks of each edited file with two or more (at least one kept in each): the
    patch with the others cut out, for git, and the ids of everything kept, for Vetline.
    None when the patch does not parse or has no such file."""
    try:
        proposals = parse_unified(patch, "fuzz.patch")
    except VetlineError:
        return None
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", patch)
    spans = _hunk_spans(lines)
    text_hunks = [
        (change, hunk)
        for proposal in proposals
        for change in proposal.changes
        for hunk in change.hunks
        if hunk.kind is HunkKind.TEXT
    ]
    if len(spans) != len(text_hunks):
        return None  # a hunk the parser reads otherwise than by its header's numbers
    dropped: set[int] = set()
    for change in {change for change, _ in text_hunks}:
        mine = [i for i, (owner, _) in enumerate(text_hunks) if owner is change]
        if change.status is FileStatus.MODIFIED and len(mine) >= 2:
            dropped.update(chooser.sample(mine, chooser.randrange(1, len(mine))))
    if not dropped:
        return None
    cut = {line for i in dropped for line in range(*spans[i])}
    kept_ids = [
        hunk.id
        for proposal in proposals
        for hunk in proposal.hunks
        if hunk.id not in {text_hunks[i][1].id for i in dropped}
    ]
    return b"".join(line for i, line in enumerate(lines) if i not in cut), kept_ids


@dataclass(frozen=True)
class Case:
    number: int
    patch: bytes
    outcome: Outcome
    accepted: tuple[str, ...] = ()  # empty: all of it


def run_cases(
    base: Path, work: Path, runs: int, seed: int, *, in_repository: bool = False
) -> Iterator[Case]:
    """`runs` mutated patches applied by both; the caller judges each outcome.
    `in_repository`: both apply inside a copy of the repository (its attributes and
    config count), not in a folder of its files alone."""
    repo = GitRepo(base)
    patches = real_patches(repo)
    # The files alone, without .git: quicker to copy for every case.
    plain = work / "plain"
    shutil.rmtree(plain, ignore_errors=True)
    ignored = None if in_repository else shutil.ignore_patterns(".git")
    shutil.copytree(base, plain, symlinks=True, ignore=ignored)
    chooser = random.Random(seed)
    for number in range(runs):
        # A quarter are real patches as they are, to have hunks to choose among.
        as_is = chooser.random() < 0.25
        patch = chooser.choice(patches)
        patch = patch if as_is else mutate(chooser, patch)
        chosen = as_is or chooser.random() < 0.5
        partial = partial_acceptance(chooser, patch) if chosen else None
        if partial is None:
            yield Case(number, patch, compare_apply(plain, patch, work / "case"))
            continue
        git_patch, accepted = partial
        outcome = compare_apply(plain, patch, work / "case", *accepted, git_patch=git_patch)
        yield Case(number, patch, outcome, tuple(accepted))
