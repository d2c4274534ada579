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
from functools import lru_cache

from vetline.core.model import Citation, Hunk, HunkKind, Proposal


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
# One of each kind, as the subject of WHAT_IT_DOES (the look-alike kind is named plural).
_ONE = {
    HiddenKind.BIDI: "a bidirectional control",
    HiddenKind.INVISIBLE: "an invisible character",
    HiddenKind.SELECTOR: "a variation selector or tag character",
    HiddenKind.LOOKALIKE: "a look-alike letter from another script",
}
# What such characters can do, in one sentence for a banner or a refusal that names several.
WHAT_HIDDEN_CHARACTERS_DO = (
    "Such characters can reorder how a line is drawn, draw as nothing, or pass for other "
    "letters, so the text may not say or do what it looks like."
)

# Together, Unicode's default-ignorable code points (DerivedCoreProperties.txt): each
# draws as nothing where a font has no glyph for it, which is what makes it dangerous.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2065"
    "\u206a-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
)
# Mongolian free variation selectors and the whole tag and selector block (E0000–E0FFF).
_SELECTORS = "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0000-\U000e0fff"
# The characters flagged, as the inside of a regular expression's [...] (the diff view
# draws each of them escaped).
HIDDEN_CLASS = f"{_BIDI}{_INVISIBLE}{_SELECTORS}"
_HIDDEN = re.compile(f"[{HIDDEN_CLASS}]")
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
    in_file_name: bool = False  # found in the name of the file a hunk writes

    @property
    def name(self) -> str:
        """`U+202E RIGHT-TO-LEFT OVERRIDE`, or the word with its odd letters escaped."""
        if self.kind is HiddenKind.LOOKALIKE:
            named = f"“{escape_lookalikes(self.text)}”"
        else:
            named = describe_char(self.text)
        return f"{named} in the file name" if self.in_file_name else named


def describe_char(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def explain_char(char: str) -> str:
    """What one character drawn as a marker is, and what it can do (for a tooltip)."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # kept by surrogateescape
        return f"the byte 0x{code - 0xDC00:02X}: not valid UTF-8, shown as the byte"
    if _HIDDEN.match(char):
        return f"{describe_char(char)}: it {WHAT_IT_DOES[_kind_of(char)]}"
    if char.isalpha():
        return f"{describe_char(char)}: it {WHAT_IT_DOES[HiddenKind.LOOKALIKE]}"
    name = unicodedata.name(char, "CONTROL CHARACTER")
    return f"U+{code:04X} {name}: a terminal acts on it or it moves text, so it is shown by name"


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
    findings += [
        HiddenFinding(HiddenKind.LOOKALIKE, start, text[start:end])
        for start, end in lookalike_words(text)
    ]
    return sorted(findings, key=lambda finding: finding.offset)


def lookalike_words(text: str) -> list[tuple[int, int]]:
    """Where the words that mix look-alike letters from another script are in `text`.

    Confusables data is loaded only for a word whose letters come from two scripts (by
    their Unicode names), so "café", "привет" or a line of Chinese never loads it.
    """
    if text.isascii():
        return []
    return [
        match.span()
        for match in _WORD.finditer(text)
        if not (word := match.group()).isascii()
        and might_mix_scripts(word)
        and _is_lookalike(_HIDDEN.sub("", word))  # each hidden one said once
    ]


def lookalike_letters(text: str) -> frozenset[int]:
    """The offsets of the letters to escape in `text`: those beyond ASCII in each
    look-alike word (the Latin ones stay, so `⟨U+0430⟩dmin` still reads as a name)."""
    return frozenset(
        offset
        for start, end in lookalike_words(text)
        for offset in range(start, end)
        if not text[offset].isascii() and not _HIDDEN.match(text[offset])
    )


def name_findings(path: str) -> list[HiddenFinding]:
    """What a file name hides: the name a hunk writes to is part of what is accepted."""
    if path.isascii():
        return []
    return [
        HiddenFinding(finding.kind, finding.offset, finding.text, in_file_name=True)
        for finding in find_hidden(path)
    ]


def texts_summary(texts: Iterable[tuple[str, str]]) -> str:
    """What each named text hides, as "the rationale: U+202E …; the quote: “⟨U+0430⟩dmin”"
    ("" when none hides anything). Texts are short (a title, a rationale, a quote)."""
    said = []
    for label, text in texts:
        found = summary(find_hidden(text)) if text else ""
        if found:
            said.append(f"the {label}: {found}")
    return "; ".join(said)


def proposal_words(proposal: Proposal) -> list[tuple[str, str]]:
    """The agent's own words in a proposal, named: what `texts_summary` looks at."""
    return [
        ("title", proposal.title),
        ("task", proposal.task),
        ("rationale", proposal.rationale),
        ("answer", proposal.answer),
    ]


def citation_words(citation: Citation) -> list[tuple[str, str]]:
    """The agent's words in a citation, named (the source's own text is not its words)."""
    return [
        ("cited title", citation.title),
        ("cited quote", citation.quote),
        ("claim", citation.claim),
    ]


def hidden_warning(hunk_hidden: str, texts_hidden: str, *, asks_again: bool) -> str:
    """The banner's words for what a hunk and the texts around it hide ("" for nothing)."""
    sentences = []
    if hunk_hidden:
        sentences.append(f"This hunk hides characters: {hunk_hidden}.")
    if texts_hidden:
        sentences.append(f"The agent's text hides characters — {texts_hidden}.")
    if not sentences:
        return ""
    sentences += [WHAT_HIDDEN_CHARACTERS_DO, "They are shown as ⟨U+…⟩."]
    if asks_again and hunk_hidden:
        sentences.append("Accepting asks a second time.")
    return " ".join(sentences)


def hunk_findings(hunk: Hunk) -> list[HiddenFinding]:
    """What the lines a hunk adds hide (accepting them is what puts them in the file),
    and what the name of the file it writes hides."""
    if not needs_lookalike_data(hunk):
        return []
    found = [] if hunk.kind is HunkKind.CITATION else name_findings(hunk.path)
    for number, (kind, line) in enumerate(zip(hunk.kinds, hunk.texts, strict=True)):
        if kind == "+":
            start = number == 0 and hunk.new_start <= 1
            found += find_hidden(line, start_of_file=start)
    return found


def what_they_do(findings: Iterable[HiddenFinding]) -> str:
    """What each kind among `findings` can do, in one clause per kind."""
    kinds = dict.fromkeys(finding.kind for finding in findings)
    return "; ".join(f"{_ONE[kind]} {WHAT_IT_DOES[kind]}" for kind in kinds)


def hunk_summary(hunk: Hunk) -> str:
    """What a hunk's added lines and its file's name hide, in one line ("" for nothing)."""
    return summary(hunk_findings(hunk))


def hunk_summaries(hunks: Iterable[Hunk]) -> dict[str, str]:
    """`hunk_summary` of each hunk, by hunk id (run where the confusables data may load)."""
    return {hunk.id: hunk_summary(hunk) for hunk in hunks}


def needs_lookalike_data(hunk: Hunk) -> bool:
    """True when judging the hunk needs the confusables data: an added line or the file's
    name is not ASCII.

    Every character this module flags is outside ASCII, so an all-ASCII hunk hides
    nothing, and saying so costs one pass over its lines.
    """
    if not hunk.path.isascii() and hunk.kind is not HunkKind.CITATION:
        return True
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


def quoted_name(name: str) -> str:
    """A name for a message, in quotes: hidden characters and look-alike letters escaped
    as everywhere else, and controls and other unprintable characters as ⟨U+XXXX⟩ too."""
    shown = escape_hidden(name)
    return (
        "'"
        + "".join(
            char if char.isprintable() or char == " " else f"⟨U+{ord(char):04X}⟩" for char in shown
        )
        + "'"
    )


def escape_hidden(text: str, *, lookalikes: bool = True) -> str:
    """`text` with every hidden character, and each look-alike letter of a word that mixes
    scripts, written as ⟨U+XXXX⟩: for names, titles, the agent's prose and messages.

    `lookalikes=False` escapes the characters only: for long source texts cut in pieces
    (a word cut in two is not judged whole), where a look-alike is not what is decided.
    """
    letters = lookalike_letters(text) if lookalikes else frozenset()
    if letters:
        text = "".join(
            f"⟨U+{ord(char):04X}⟩" if offset in letters else char
            for offset, char in enumerate(text)
        )
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


# Names whose first word is not a script: letters of several scripts share them.
_NOT_SCRIPTS = frozenset(
    [
        "MODIFIER",
        "COMBINING",
        "MATHEMATICAL",
        "FULLWIDTH",
        "HALFWIDTH",
        "SUPERSCRIPT",
        "SUBSCRIPT",
        "SMALL",
        "CIRCLED",
        "PARENTHESIZED",
        "SQUARED",
        "NEGATIVE",
        "DOUBLE-STRUCK",
        "BLACK-LETTER",
        "SCRIPT",
        "OLD",
        "NEW",
        "LETTER",
        "DIGIT",
    ]
)


def might_mix_scripts(word: str) -> bool:
    """A cheap first look (no data loaded): could `word` mix letters of two scripts?

    A letter's script is read from the first word of its Unicode name (LATIN, CYRILLIC,
    GREEK); a name that starts with no script counts as a script of its own. A test holds
    it to never clearing a letter the confusables data calls a look-alike.
    """
    scripts = set()
    for char in word:
        if char.isascii():
            if not char.isalpha():
                continue  # digits and "_" belong to every script
            scripts.add("LATIN")
        else:
            scripts.add(_script_of(char))
        if len(scripts) > 1:
            return True
    return False


@lru_cache(maxsize=4096)
def _script_of(char: str) -> str:
    first = unicodedata.name(char, "?").split(" ", 1)[0]
    return f"{first} {char}" if first in _NOT_SCRIPTS else first


def _is_lookalike(word: str) -> bool:
    if word.isascii() or not might_mix_scripts(word):
        return False
    # Loaded on first need: its data is a megabyte of JSON, and most text is ASCII.
    from confusable_homoglyphs import confusables

    # Letters that pass for Latin ones: "ΔU" or "μs" in a note is not an attack, "аdmin" is.
    return bool(confusables.is_dangerous(word, preferred_aliases=["latin"]))
