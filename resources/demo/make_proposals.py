"""Writes proposals/*.json from the texts below and the files in workspace/.

The proposals carry whole base and new texts, so they must be regenerated whenever a
workspace file changes: `python resources/demo/make_proposals.py`. Keeping the
texts here, rather than editing JSON by hand, keeps every base byte-exact.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
WS = HERE / "workspace"
OUT = HERE / "proposals"


def read(rel: str) -> str:
    return (WS / rel).read_text(encoding="utf-8")


def write(name: str, proposals: list[dict[str, object]]) -> None:
    doc = {"vetline": 1, "proposals": proposals}
    (OUT / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# 1. pager: two hunks
pager = read("src/pager.py")
pager_new = pager.replace(
    "    start = page * page_size\n", "    start = (page - 1) * page_size\n"
).replace(
    '    """The title shown for an entry; imported entries may have none."""\n    return',
    '    """The title shown for an entry; imported entries may have none."""\n'
    '    if entry is None:\n        return "(untitled)"\n    return',
)
assert pager_new != pager
write(
    "01-pager-fix.json",
    [
        {
            "id": "demo-pager-fix",
            "title": "Fix the off-by-one in paginate() and a crash on missing entries",
            "rationale": "paginate() skipped the first page: page 1 started at index page_size "
            "instead of 0, so the first 20 entries never showed. entry_title() crashed with "
            "AttributeError when the importer passed None for an entry it could not parse.",
            "task": "Users report that the first page of their reading list is missing, and "
            "the import page crashes on broken entries. Fix both.",
            "agent": {"name": "Aider", "model": "claude-sonnet-4", "provider": "Anthropic"},
            "created_at": "2026-11-20T09:14:03+00:00",
            "changes": [{"path": "src/pager.py", "base": pager, "new": pager_new}],
        }
    ],
)

# 2. study note: one hunk with two changes (splittable)
note = read("notes/first-law.md")
note_new = note.replace("    ΔU = Q + W\n", "    ΔU = Q − W\n").replace(
    "    W = nRT ln(V₁ / V₂)\n", "    W = nRT ln(V₂ / V₁)\n"
)
assert note_new.count("−") == 1 and note_new != note
write(
    "02-study-note.json",
    [
        {
            "id": "demo-first-law-note",
            "title": "Correct the first-law sign convention and the isothermal work formula",
            "rationale": "With W defined as the work done BY the system, energy leaves as work, so "
            "ΔU = Q − W (the note had Q + W, which is the convention for work done ON the system). "
            "The isothermal work formula had the volumes swapped: ln(V₁/V₂) is negative for an "
            "expansion, but the note's own check says W must come out positive.",
            "task": "Proof-read my thermodynamics notes for week 3 and fix any physics mistakes.",
            "agent": {"name": "Study buddy", "model": "llama3.1:8b", "provider": "Ollama"},
            "created_at": "2026-11-21T18:40:27+00:00",
            "changes": [{"path": "notes/first-law.md", "base": note, "new": note_new}],
        }
    ],
)

# 3. over the leash: three files, > 40 changed lines
inventory = read("src/inventory.py")
inventory_new = '''"""Stock levels for the shop's inventory."""

from __future__ import annotations


class Inventory:
    """How many of each item (by SKU) the shop has in stock."""

    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def add(self, sku: str, count: int) -> None:
        """Put `count` more of `sku` in stock."""
        if count < 0:
            raise ValueError("count must not be negative")
        self.items[sku] = self.items.get(sku, 0) + count

    def remove(self, sku: str, count: int) -> None:
        """Take `count` of `sku` out of stock; refuses to go below zero."""
        have = self.items.get(sku, 0)
        if count > have:
            raise ValueError(f"only {have} of {sku} in stock")
        self.items[sku] = have - count

    def count(self, sku: str) -> int:
        """How many of `sku` are in stock (0 for an unknown SKU)."""
        return self.items.get(sku, 0)

    def low_stock(self, threshold: int) -> list[str]:
        """SKUs with fewer than `threshold` in stock, sorted."""
        return sorted(sku for sku, count in self.items.items() if count < threshold)

    def total(self) -> int:
        """All items in stock, of every SKU."""
        return sum(self.items.values())

    def restock_order(self, threshold: int, target: int) -> dict[str, int]:
        """How many of each low-stock SKU to order to bring it back up to `target`."""
        if target < threshold:
            raise ValueError("the target must be at least the threshold")
        return {sku: target - self.count(sku) for sku in self.low_stock(threshold)}
'''
report = read("src/report.py")
report_new = '''"""Plain-text stock reports."""

from __future__ import annotations

from inventory import Inventory

DEFAULT_LOW_STOCK = 5


def stock_report(inventory: Inventory, threshold: int = DEFAULT_LOW_STOCK) -> str:
    """One line per SKU, then the SKUs running low (fewer than `threshold`)."""
    lines = ["Stock report", "============"]
    for sku in sorted(inventory.items):
        lines.append(f"{sku}: {inventory.count(sku)}")
    low = inventory.low_stock(threshold)
    if low:
        lines.append("")
        lines.append("Low stock: " + ", ".join(low))
    return "\\n".join(lines)
'''
readme = read("README.md")
readme_new = readme.replace(
    "## Running\n",
    """## Stock reports

`stock_report(inventory)` prints one line per SKU and then the SKUs with
fewer than five in stock:

    Stock report
    ============
    apple: 12
    pear: 3

    Low stock: pear

## Running
""",
)
assert readme_new != readme
write(
    "03-typed-inventory.json",
    [
        {
            "id": "demo-typed-inventory",
            "title": "Add type hints and docstrings across the inventory code",
            "rationale": "The inventory and report modules had no type hints, so mypy skipped "
            "them, and no docstrings. This adds both, names the low-stock default, and "
            "documents the report format in the README.",
            "task": "Make the inventory code pass mypy --strict and document it.",
            "agent": {"name": "Codex CLI", "model": "gpt-5-codex", "provider": "OpenAI"},
            "created_at": "2026-11-22T11:02:51+00:00",
            "changes": [
                {"path": "src/inventory.py", "base": inventory, "new": inventory_new},
                {"path": "src/report.py", "base": report, "new": report_new},
                {"path": "README.md", "base": readme, "new": readme_new},
            ],
        }
    ],
)

# 4. stale: base is an older fetch.py than the workspace's
fetch_old = '''"""Downloads for the reading-list importer."""

from __future__ import annotations

import urllib.request

USER_AGENT = "reading-list-importer/1.1"


def fetch(url: str) -> bytes:
    """The body of `url`; raises OSError when the server cannot be reached."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return response.read()
'''
assert fetch_old != read("src/fetch.py")
fetch_new = '''"""Downloads for the reading-list importer."""

from __future__ import annotations

import time
import urllib.request

USER_AGENT = "reading-list-importer/1.1"
ATTEMPTS = 3


def fetch(url: str) -> bytes:
    """The body of `url`; tries three times, pausing 1 s then 2 s, before giving up."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    for attempt in range(ATTEMPTS):
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310
                return response.read()
        except OSError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(2**attempt)
    raise AssertionError("unreachable")
'''
write(
    "04-retry-downloads.json",
    [
        {
            "id": "demo-retry-downloads",
            "title": "Retry failed downloads with a growing pause",
            "rationale": "The importer gives up on the first network error; flaky feeds then drop "
            "entries. Three attempts with 1 s and 2 s pauses cover most hiccups. "
            "(Made against an older fetch.py: the file has changed since.)",
            "task": "The importer loses entries when a feed times out once. "
            "Make downloads more robust.",
            "agent": {"name": "Aider", "model": "claude-sonnet-4", "provider": "Anthropic"},
            "created_at": "2026-11-18T16:25:10+00:00",
            "changes": [{"path": "src/fetch.py", "base": fetch_old, "new": fetch_new}],
        }
    ],
)

# 5. whitespace only
readme_ws = "\n".join(line.rstrip() for line in readme.split("\n"))
assert readme_ws != readme
write(
    "05-trailing-whitespace.json",
    [
        {
            "id": "demo-trailing-whitespace",
            "title": "Strip trailing whitespace from the README",
            "rationale": "Two lines end in spaces, which some Markdown renderers turn into "
            "line breaks.",
            "task": "Tidy the repository's whitespace.",
            "agent": {"name": "pre-commit bot", "model": "", "provider": ""},
            "created_at": "2026-11-23T08:00:00+00:00",
            "changes": [{"path": "README.md", "base": readme, "new": readme_ws}],
        }
    ],
)
