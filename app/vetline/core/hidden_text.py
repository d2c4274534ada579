"""Characters that hide what text does (Trojan Source, CVE-2021-42574), found and named.

Bidirectional controls reorder what is drawn; zero-width and invisible characters, and
variation selectors and tag characters, draw as nothing; a Cyrillic `а` inside `admin`
looks like the Latin one. Each is found with where it is and what it can do, so the
window can flag it, show it escaped (`⟨U+202E⟩`), and ask a second time before a hunk
holding one is accepted. Look-alike letters are judged by Unicode's confusables data
(the confusable_homoglyphs package), loaded only when a word has a non-ASCII letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from vetline.core.model import Hunk


class HiddenKind(StrEnum):
    BIDI = "bidirectional control"
    INVISIBLE = "invisible character"
    SELECTOR = "variation selector or tag character"
    LOOKALIKE = "look-alike letters from another script"


# What each kind can do, in the words a banner uses.
WHAT_IT_DOES = {
    HiddenKind.BIDI: "reorders how the line is drawn, so code can read differently from how "
    "it runs",
    HiddenKind.INVISIBLE: "draws as nothing, so two names that look the same can differ",
    HiddenKind.SELECTOR: "draws as nothing and can carry hidden text (tag characters smuggle "
    "instructions to models)",
    HiddenKind.LOOKALIKE: "looks like a Latin letter but is another, so a name can impersonate "
    "another",
}

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u00ad\u034f\u200b-\u200d\u2060\u3164\ufeff"
_SELECTORS = "\ufe00-\ufe0f\U000e0000-\U000e007f\U000e0100-\U000e01ef"
_HIDDEN = re.compile(f"[{_BIDI}{_INVISIBLE}{_SELECTORS}]")
_BIDI_CHARS = re.compile(f"[{_BIDI}]")
_SELECTOR_CHARS = re.compile(f"[{_SELECTORS}]")
_WORD = re.compile(r"\w+")
_ADDED_RUNS = re.compile(r"\++")  # in a hunk's kinds


@dataclass(frozen=True, slots=True)
class HiddenFinding:
    """One hidden character (or look-alike word) and where it is in the text."""

    kind: HiddenKind
    offset: int
    text: str  # the character, or the whole word for look-alikes

    @property
    def name(self) -> str:
        """`U+202E RIGHT-TO-LEFT OVERRIDE`, or the word with its odd letters escaped."""
        if self.kind is HiddenKind.LOOKALIKE:
            return f"“{escape_lookalikes(self.text)}”"
        return describe_char(self.text)


def describe_char(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def find_hidden(text: str, *, start_of_file: bool = False) -> list[HiddenFinding]:
    """Every hidden character and look-alike word in `text`, in order of offset.

    A byte order mark at the very start of a file is how some editors save UTF-8 and is
    not flagged there (`start_of_file`); anywhere else it hides like a zero-width space.
    """
    findings = []
    for match in _HIDDEN.finditer(text):
        char = match.group()
        if char == "\ufeff" and start_of_file and match.start() == 0:
            continue
        findings.append(HiddenFinding(_kind_of(char), match.start(), char))
    if not text.isascii():
        findings += [
            HiddenFinding(HiddenKind.LOOKALIKE, match.start(), match.group())
            for match in _WORD.finditer(text)
            if _is_lookalike(_HIDDEN.sub("", match.group()))  # each hidden one said once
        ]
    return sorted(findings, key=lambda finding: finding.offset)


def hunk_findings(hunk: Hunk) -> list[HiddenFinding]:
    """What the lines a hunk adds hide (accepting them is what puts them in the file)."""
    if not needs_lookalike_data(hunk):
        return []
    found: list[HiddenFinding] = []
    for number, (kind, line) in enumerate(zip(hunk.kinds, hunk.texts, strict=True)):
        if kind == "+":
            start = number == 0 and hunk.new_start <= 1
            found += find_hidden(line, start_of_file=start)
    return found


def hunk_summary(hunk: Hunk) -> str:
    """What a hunk's added lines hide, in one line ("" for nothing)."""
    return summary(hunk_findings(hunk))


def hunk_summaries(hunks: Iterable[Hunk]) -> dict[str, str]:
    """`hunk_summary` of each hunk, by hunk id (run where the confusables data may load)."""
    return {hunk.id: hunk_summary(hunk) for hunk in hunks}


def needs_lookalike_data(hunk: Hunk) -> bool:
    """True when judging the hunk needs the confusables data: an added line is not ASCII.

    Every character this module flags is outside ASCII, so an all-ASCII hunk hides
    nothing, and saying so costs one pass over its lines.
    """
    texts = hunk.texts
    runs = (texts[run.start() : run.end()] for run in _ADDED_RUNS.finditer(hunk.kinds))
    # Every hidden character and look-alike is beyond ASCII: a million added lines are
    # cleared in C, in milliseconds.
    return not all(all(map(str.isascii, run)) for run in runs)


def joined_summaries(summaries: Iterable[str]) -> str:
    """Several `hunk_summary` lines as one, each name once."""
    names = (name for line in summaries if line for name in line.split("; "))
    return "; ".join(dict.fromkeys(names))


def summary(findings: Iterable[HiddenFinding]) -> str:
    """One line naming each distinct finding once: what the log records on a confirm."""
    names = list(dict.fromkeys(finding.name for finding in findings))
    return "; ".join(names)


def escape_hidden(text: str) -> str:
    """`text` with every hidden character written as ⟨U+XXXX⟩: for names and messages."""
    return _HIDDEN.sub(lambda match: f"⟨U+{ord(match.group()):04X}⟩", text)


def escape_lookalikes(word: str) -> str:
    """A word with its non-ASCII letters written as ⟨U+XXXX⟩ (the Latin ones stay)."""
    return "".join(char if char.isascii() else f"⟨U+{ord(char):04X}⟩" for char in word)


def _kind_of(char: str) -> HiddenKind:
    if _BIDI_CHARS.match(char):
        return HiddenKind.BIDI
    if _SELECTOR_CHARS.match(char):
        return HiddenKind.SELECTOR
    return HiddenKind.INVISIBLE


def _is_lookalike(word: str) -> bool:
    if word.isascii():
        return False
    # Loaded on first need: its data is a megabyte of JSON, and most text is ASCII.
    from confusable_homoglyphs import confusables

    # Letters that pass for Latin ones: "ΔU" or "μs" in a note is not an attack, "аdmin" is.
    return bool(confusables.is_dangerous(word, preferred_aliases=["latin"]))
