"""Benchmarks for Vetline's budgets; prints one JSON object (see README.md for the keys)."""

from __future__ import annotations

import argparse
import html
import json
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Citation, Decision, Verdict

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
CHANGE_SHARES = {"1pct": 0.01, "10pct": 0.10}
COMMON_LINES = [
    "",
    "    }",
    "        return result",
    "    pass",
    "}",
    "        # TODO",
    "    else:",
]


def code_like_text(line_count: int, rng: random.Random) -> list[str]:
    """Lines like source code: mostly distinct, with the blank and brace lines code repeats."""
    lines = []
    for index in range(line_count):
        if rng.random() < 0.2:
            lines.append(rng.choice(COMMON_LINES) + "\n")
        else:
            name = f"value_{index}_{rng.randrange(10**6)}"
            lines.append(f"    {name} = compute({rng.randrange(1000)}, '{name[:8]}')\n")
    return lines


def changed_copy(lines: list[str], share: float, rng: random.Random) -> list[str]:
    """Modify, insert and delete about `share` of the lines at random places."""
    out = list(lines)
    for _ in range(max(1, int(len(lines) * share))):
        position = rng.randrange(len(out))
        action = rng.random()
        if action < 0.6:
            out[position] = f"    changed_{rng.randrange(10**9)} = True\n"
        elif action < 0.8:
            out.insert(position, f"    inserted_{rng.randrange(10**9)}()\n")
        else:
            del out[position]
    return out


def median_ms(action: Callable[[], object], repeats: int) -> float:
    return timed_ms(action, repeats)["median"]


def timed_ms(action: Callable[[], object], repeats: int) -> dict[str, float]:
    """Median and spread (fastest, slowest) of `repeats` runs, in milliseconds."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "median": round(statistics.median(timings), 2),
        "min": round(min(timings), 2),
        "max": round(max(timings), 2),
    }


def side_by_side_ms(actions: dict[str, Callable[[], object]], repeats: int) -> dict[str, Any]:
    """Each action timed in turn, round after round, so a load spike hits all alike."""
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            timings[name].append((time.perf_counter() - start) * 1000)
    return {
        name: {
            "median": round(statistics.median(values), 2),
            "min": round(min(values), 2),
            "max": round(max(values), 2),
        }
        for name, values in timings.items()
    }


def git_changed_lines(output: bytes) -> int:
    return sum(
        1
        for line in output.splitlines()
        if line[:1] in (b"+", b"-") and not line.startswith((b"+++ ", b"--- "))
    )


def bench_diff(workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    rng = random.Random(20261124)
    for size_name, size in SIZES.items():
        base_lines = code_like_text(size, rng)
        for share_name, share in CHANGE_SHARES.items():
            new_lines = changed_copy(base_lines, share, rng)
            old_text, new_text = "".join(base_lines), "".join(new_lines)
            old_file, new_file = workdir / "old.txt", workdir / "new.txt"
            old_file.write_text(old_text, encoding="utf-8")
            new_file.write_text(new_text, encoding="utf-8")
            # The 100k pairs hold the tightest goal (1.2×): more rounds steady their median.
            repeats = 21 if size <= 10_000 else 15
            command = ["git", "diff", "--no-index", "--no-color", str(old_file), str(new_file)]
            timings = side_by_side_ms(
                {
                    "git": partial(subprocess.run, command, capture_output=True, check=False),
                    "vetline": partial(hunks_from_texts, "f", old_text, new_text),
                },
                repeats,
            )
            vetline_ms, git_ms = timings["vetline"]["median"], timings["git"]["median"]
            ours = hunks_from_texts("f", old_text, new_text)
            git_output = subprocess.run(command, capture_output=True, check=False).stdout
            results[f"{size_name}_{share_name}"] = {
                "vetline": round(vetline_ms, 2),
                "git": round(git_ms, 2),
                "ratio": round(vetline_ms / git_ms, 2),
                "spread": timings,
                "changed_lines": {
                    "vetline": sum(h.added + h.removed for h in ours),
                    "git": git_changed_lines(git_output),
                },
            }
    return results


def bench_pathological_diff(workdir: Path) -> dict[str, Any]:
    """A 100k-line pair whose lines are drawn from two values, against git on the same."""
    rng = random.Random(1)
    old_text = "".join(rng.choice(("a\n", "b\n")) for _ in range(100_000))
    new_text = "".join(rng.choice(("a\n", "b\n")) for _ in range(100_000))
    old_file, new_file = workdir / "two_old.txt", workdir / "two_new.txt"
    old_file.write_text(old_text, encoding="utf-8")
    new_file.write_text(new_text, encoding="utf-8")
    command = ["git", "diff", "--no-index", "--no-color", str(old_file), str(new_file)]
    timings = side_by_side_ms(
        {
            "git": partial(subprocess.run, command, capture_output=True, check=False),
            "vetline": partial(hunks_from_texts, "f", old_text, new_text),
        },
        5,
    )
    ours = hunks_from_texts("f", old_text, new_text)
    git_output = subprocess.run(command, capture_output=True, check=False).stdout
    return {
        "vetline": timings["vetline"]["median"],
        "git": timings["git"]["median"],
        "ratio": round(timings["vetline"]["median"] / timings["git"]["median"], 2),
        "spread": timings,
        "changed_lines": {
            "vetline": sum(h.added + h.removed for h in ours),
            "git": git_changed_lines(git_output),
        },
    }


def bench_deep_path_write(workdir: Path) -> dict[str, Any]:
    """Writing one new file 1,000 and 2,000 folders deep into an empty workspace."""
    from vetline.adapters.files.workspace import FileWrite, Workspace

    results: dict[str, Any] = {}
    for depth in (1_000, 2_000):
        rel = "/".join(["d"] * depth) + "/leaf.txt"
        timings = []
        for attempt in range(3):
            root = workdir / f"deep_{depth}_{attempt}"
            root.mkdir()
            start = time.perf_counter()
            Workspace(root).write([FileWrite(rel, b"leaf\n", None, None)])
            timings.append((time.perf_counter() - start) * 1000)
            _remove_chain(root, depth)
        results[f"{depth}_folders"] = {
            "median": round(statistics.median(timings), 1),
            "min": round(min(timings), 1),
            "max": round(max(timings), 1),
        }
    # Linear work doubles with the depth; re-resolving every leading path quadruples.
    results["growth_2000_over_1000"] = round(
        results["2000_folders"]["median"] / results["1000_folders"]["median"], 2
    )
    return results


def _remove_chain(root: Path, depth: int) -> None:
    """Remove root/d/d/…/leaf.txt bottom-up (shutil.rmtree recurses once per level)."""
    folders = []
    folder = root
    for _ in range(depth):
        folder /= "d"
        folders.append(folder)
    (folder / "leaf.txt").unlink()
    for each in reversed(folders):
        each.rmdir()
    root.rmdir()


def five_mb_patch(workdir: Path) -> Path:
    """A real multi-file git patch of about 5 MB."""
    from vetline.core.patch_text import file_patch

    rng = random.Random(5)
    parts = []
    size = 0
    index = 0
    while size < 5 * 1024 * 1024:
        base = code_like_text(2_000, rng)
        new = changed_copy(base, 0.10, rng)
        patch = file_patch(
            f"src/module_{index}.py", hunks_from_texts("f", "".join(base), "".join(new))
        )
        parts.append(patch)
        size += len(patch)
        index += 1
    path = workdir / "big.patch"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def bench_parse(workdir: Path) -> float:
    from vetline.adapters.inputs import load_source

    patch = five_mb_patch(workdir)
    return round(median_ms(lambda: load_source(str(patch), None), 5), 1)


def bench_decisions(workdir: Path, count: int = 300) -> float:
    from vetline.adapters.decision_log import DecisionLog

    decision = Decision(
        proposal_id="p",
        hunk_id="h" * 12,
        hunk_sha256="0" * 64,
        path="src/app.py",
        verdict=Verdict.ACCEPTED,
        decided_at="2026-11-24T00:00:00.000+00:00",
        ms_on_screen=1234,
        reviewer="bench",
        level=2,
        added=3,
        removed=1,
    )
    with DecisionLog(workdir / "bench.sqlite3") as log:
        start = time.perf_counter()
        for _ in range(count):
            log.append(decision)
        elapsed = time.perf_counter() - start
    return round(count / elapsed, 1)


_PROSE_VOCABULARY = """
    the of and to in a is that for it as was with be by on not he this are or his from at
    which but have an they you were her she there been one all we their has would when
    river council measured report harbour results patients trial village market study
    reviewers observed recorded quietly northern because afterwards significant data
    temperature samples method analysis increase decrease committee ledger archive
"""
PROSE_WORDS = _PROSE_VOCABULARY.split()


def prose(size: int, rng: random.Random) -> list[str]:
    """Paragraphs of English-like sentences (numbers, curly quotes, dashes) of `size` chars."""
    paragraphs = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            words = [rng.choice(PROSE_WORDS) for _ in range(rng.randint(8, 24))]
            if rng.random() < 0.5:
                words[rng.randrange(len(words))] = str(rng.randrange(1, 5000))
            if rng.random() < 0.2:
                words.insert(rng.randrange(len(words)), "\u2014")
            if rng.random() < 0.2:
                index = rng.randrange(len(words))
                words[index] = f"\u201c{words[index]}\u201d"
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return paragraphs


def source_files(workspace: Path, total_bytes: int, rng: random.Random) -> dict[str, str]:
    """Text, Markdown and HTML files of about `total_bytes` together; their prose by path."""
    texts = {}
    count = 40
    for index in range(count):
        paragraphs = prose(total_bytes // count, rng)
        kind = ("txt", "md", "html")[index % 3]
        if kind == "txt":
            body = "\n\n".join(textwrap.fill(p, 78) for p in paragraphs)
        elif kind == "md":
            body = "\n\n".join(
                f"## Part {n}\n\n{textwrap.fill(p, 78)}" if n % 5 == 0 else textwrap.fill(p, 78)
                for n, p in enumerate(paragraphs)
            )
        else:
            body = (
                "<!doctype html><html><head><script>track()</script></head><body>"
                + "".join(
                    f"<div class='para'><p>{html.escape(p)}</p><script>x({n})</script></div>\n"
                    for n, p in enumerate(paragraphs)
                )
                + "</body></html>"
            )
        name = f"sources/doc{index}.{kind}"
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(body, encoding="utf-8")
        texts[name] = " ".join(paragraphs)
    return texts


def cited_quotes(texts: dict[str, str], rng: random.Random) -> list[Citation]:
    """100 citations: 45 quoted exactly (in other typography), 35 with one word or
    number changed, 20 made of the source's words in an order it does not have."""
    citations = []
    names = sorted(texts)
    for index in range(100):
        name = names[index % len(names)]
        words = texts[name].split(" ")
        start = rng.randrange(len(words) - 40)
        quote_words = words[start : start + rng.randint(12, 40)]
        if index % 20 < 9:
            quote = " ".join(quote_words).replace("\u201c", '"').replace("\u2014", "--")
        elif index % 20 < 16:
            quote_words[len(quote_words) // 2] = rng.choice(["never", "4321", "harbour"])
            quote = " ".join(quote_words)
        else:  # the source's own words, in an order it does not have
            quote = " ".join(rng.choice(PROSE_WORDS) for _ in range(rng.randint(12, 40)))
        citations.append(Citation(f"c{index}", "", name, quote))
    return citations


def bench_citations(workdir: Path) -> float:
    """Median ms to check 100 citations against 10 MB of text, Markdown and HTML files,
    each read, turned into text and normalised once (imports done beforehand)."""
    from vetline.adapters.sources.checker import CitationChecker
    from vetline.adapters.sources.documents import html_text
    from vetline.adapters.sources.loader import SourceAccess

    rng = random.Random(6)
    workspace = workdir / "cited"
    texts = source_files(workspace, 10 * 1024 * 1024, rng)
    citations = cited_quotes(texts, rng)
    html_text("<p>warm</p>")  # the HTML parser loads on first use; start-up is not timed

    def check_all() -> None:
        checker = CitationChecker(SourceAccess(workspace=workspace))
        for _ in checker.check_all(citations):
            pass

    return round(median_ms(check_all, 3), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--only", help="comma-separated keys to run (default: all)")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="vetline-bench-") as folder:
        workdir = Path(folder)
        steps: dict[str, Callable[[], Any]] = {
            "diff_ms": lambda: bench_diff(workdir),
            "pathological_diff_ms": lambda: bench_pathological_diff(workdir),
            "deep_path_write_ms": lambda: bench_deep_path_write(workdir),
            "parse_5mb_patch_ms": lambda: bench_parse(workdir),
            "decisions_per_s": lambda: bench_decisions(workdir),
            "citations_ms": lambda: bench_citations(workdir),
        }
        gui_steps = _gui_steps(wanted)
        steps.update(gui_steps)
        steps.update(_image_steps(wanted))
        for key, step in steps.items():
            if wanted is None or key in wanted:
                print(f"bench: {key}…", file=sys.stderr)
                results[key] = step()
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


GUI_KEYS = (
    "key_to_next_hunk_ms",
    "key_onto_huge_proposal_ms",
    "first_paint_100k_ms",
    "startup_ms",
    "bare_window_startup_ms",
    "repo_100k_open_ms",
    "rss_idle_mb",
    "startup_1000_proposals_ms",
    "rss_1000_proposals_mb",
    "rss_1000_proposals_total_mb",
    "gui_details",
)


def _gui_steps(wanted: set[str] | None) -> dict[str, Callable[[], Any]]:
    """Window benchmarks, run once in their own process (tools/bench_gui.py); each of its
    keys becomes a top-level key here. A failed run reports {"error": ...} per key."""
    script = Path(__file__).with_name("bench_gui.py")
    if not script.exists():
        return {}
    chosen = [key for key in GUI_KEYS if wanted is None or key in wanted]
    found: dict[str, Any] = {}

    def run_once() -> dict[str, Any]:
        if found:
            return found
        command = [sys.executable, str(script)]
        if wanted is not None:
            command += ["--only", ",".join(chosen)]
        try:
            # stderr is left alone: bench_gui's progress reaches the terminal as it happens.
            done = subprocess.run(
                command, stdout=subprocess.PIPE, text=True, timeout=900, check=False
            )
            lines = [line for line in done.stdout.splitlines() if line.strip()]
            if done.returncode != 0 or not lines:
                raise RuntimeError(f"bench_gui.py exited with {done.returncode}")
            found.update(json.loads(lines[-1]))
        except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as error:
            found.update({key: {"error": f"{type(error).__name__}: {error}"} for key in chosen})
        return found

    def step(key: str) -> Any:
        return run_once().get(key, {"error": "bench_gui.py did not report it"})

    return {key: partial(step, key) for key in chosen}


IMAGE_KEYS = ("image_overlay_4k_ms", "image_details")


def _image_steps(wanted: set[str] | None) -> dict[str, Callable[[], Any]]:
    """The image view's 4K overlay (tools/bench_image.py), run once in its own process."""
    script = Path(__file__).with_name("bench_image.py")
    found: dict[str, Any] = {}

    def run_once() -> dict[str, Any]:
        if found:
            return found
        try:
            done = subprocess.run(
                [sys.executable, str(script)],
                stdout=subprocess.PIPE,
                text=True,
                timeout=900,
                check=False,
            )
            lines = [line for line in done.stdout.splitlines() if line.strip()]
            if done.returncode != 0 or not lines:
                raise RuntimeError(f"bench_image.py exited with {done.returncode}")
            found.update(json.loads(lines[-1]))
        except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as error:
            found.update({key: {"error": f"{type(error).__name__}: {error}"} for key in IMAGE_KEYS})
        return found

    def step(key: str) -> Any:
        return run_once().get(key, {"error": "bench_image.py did not report it"})

    chosen = [key for key in IMAGE_KEYS if wanted is None or key in wanted]
    return {key: partial(step, key) for key in chosen}


if __name__ == "__main__":
    raise SystemExit(main())
