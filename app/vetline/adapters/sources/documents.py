"""A cited source's bytes as plain text: text, Markdown, HTML (never rendered) or PDF.

Any document that cannot give text — empty, binary, wrongly encoded, a PDF with no
text layer, or one that takes too long — raises SourceUnavailableError with the reason in
words; nothing here lets a library's exception out.
"""

from __future__ import annotations

import html
import io
import re
import time
from enum import StrEnum

from vetline.core.text import detect_encoding, is_binary


class SourceUnavailableError(Exception):
    """A citation's source cannot be read; the message says why, for the reviewer."""


class SourceKind(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    PDF = "pdf"


# Text extraction stops past these: a source is for reading, not for hanging on.
PDF_MAX_PAGES = 2_000
PDF_MAX_SECONDS = 20.0

_SUFFIX_KINDS = {
    ".html": SourceKind.HTML,
    ".htm": SourceKind.HTML,
    ".xhtml": SourceKind.HTML,
    ".md": SourceKind.MARKDOWN,
    ".markdown": SourceKind.MARKDOWN,
    ".pdf": SourceKind.PDF,
}
_MEDIA_KINDS = {
    "text/html": SourceKind.HTML,
    "application/xhtml+xml": SourceKind.HTML,
    "text/markdown": SourceKind.MARKDOWN,
    "text/x-markdown": SourceKind.MARKDOWN,
    "application/pdf": SourceKind.PDF,
}
# Elements whose content is code or machinery, never text a page shows as its words.
_NOT_TEXT = ["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head"]
# Elements that start a new line of text, so words of two paragraphs never run together.
_BLOCKS = (
    "address, article, aside, blockquote, br, caption, dd, div, dl, dt, figcaption, figure,"
    " footer, form, h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section,"
    " table, td, th, tr, ul"
)
_SPACES = re.compile("  +")
_BLANK_LINES = re.compile("\n\n\n+")
_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_STARTS = (b"<!doctype html", b"<html")

# Markdown markup that is not part of the words a reader sees. No pattern may scan on
# past the next mark of its own kind: a long line full of unclosed marks would
# otherwise cost time growing with its length squared.
_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_REFERENCE_LINK = re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|~~)(?=[^\s*~])([^*~\n]+?)(?<=[^\s*~])\1")
# Underscores inside a word ("snake_case_name") are letters, not emphasis.
_MD_UNDERSCORES = re.compile(r"(?<!\w)(_{1,3})(?=[^\s_])([^_\n]+?)(?<=[^\s_])\1(?!\w)")
_MD_CODE = re.compile(r"`+([^`\n]+)`+")
_MD_LINE_MARKS = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|(?:[-*+]|\d{1,9}[.)])[ \t]+)", re.M
)
_MD_FENCE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,}).*\n?", re.M)
_MD_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_MARKDOWN_PASSES = (
    (("```", "~~~"), _MD_FENCE, ""),
    (("#", ">", "- ", "* ", "+ ", ". ", ") "), _MD_LINE_MARKS, ""),
    (("](",), _MD_IMAGE_OR_LINK, r"\1"),
    (("][",), _MD_REFERENCE_LINK, r"\1"),
    (("`",), _MD_CODE, r"\1"),
)


def kind_of(name: str, media_type: str | None, data: bytes) -> SourceKind:
    """What a document is, from its media type, its content and then its name."""
    if media_type:
        kind = _MEDIA_KINDS.get(media_type.split(";")[0].strip().lower())
        if kind is not None:
            return kind
    if data.startswith(b"%PDF-"):
        return SourceKind.PDF
    if _looks_like_html(data[:4096]):
        return SourceKind.HTML
    lowered = name.lower().split("?")[0].split("#")[0]
    for suffix, kind in _SUFFIX_KINDS.items():
        if lowered.endswith(suffix):
            return kind
    return SourceKind.TEXT


def document_text(data: bytes, kind: SourceKind, charset: str | None = None) -> str:
    """The words of a document of `kind`; raises SourceUnavailableError when it has none."""
    if not data:
        raise SourceUnavailableError("the source is empty")
    if kind is SourceKind.PDF:
        text = pdf_text(data)
    else:
        decoded = decode_text(
            data, charset or (_html_charset(data) if kind is SourceKind.HTML else None)
        )
        if kind is SourceKind.HTML:
            text = html_text(decoded)
        elif kind is SourceKind.MARKDOWN:
            text = markdown_text(decoded)
        else:
            text = decoded
    if not any(char.isalnum() for char in text):
        raise SourceUnavailableError(f"the {kind} source has no words in it")
    return text


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Text from bytes: a BOM, else the declared charset, else UTF-8 — strictly."""
    encoding = detect_encoding(data)
    if encoding == "utf-8":
        if is_binary(data):
            raise SourceUnavailableError("binary data, not text")
        encoding = (
            "utf-8-sig" if charset is None or charset.lower() in ("utf-8", "utf8") else charset
        )
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except LookupError:
        raise SourceUnavailableError(f"unknown text encoding {charset!r}") from None
    except UnicodeDecodeError as error:
        raise SourceUnavailableError(
            f"not valid {error.encoding} text (a bad byte at offset {error.start})"
        ) from None


def html_text(markup: str) -> str:
    """What a browser would show as words, without running or fetching anything."""
    from selectolax.lexbor import LexborHTMLParser  # loaded only when a page is read

    tree = LexborHTMLParser(markup)
    tree.strip_tags(_NOT_TEXT)
    for node in tree.css(_BLOCKS):
        node.insert_after("\n")
    root = tree.body or tree.root
    text = root.text() if root is not None else ""
    return _tidy_lines(text)


def markdown_text(source: str) -> str:
    """The words of a Markdown text, without the marks that format them.

    Each pattern runs only when its mark is in the text at all: Python's regular
    expressions crawl through a long text that has nothing for them.
    """
    text = source
    for marks, pattern, replacement in _MARKDOWN_PASSES:
        if any(mark in text for mark in marks):
            text = pattern.sub(replacement, text)
    for _ in range(3):  # nested emphasis ("***a** b*") unwraps one layer at a time
        found = 0
        if "*" in text or "~~" in text:
            text, count = _MD_EMPHASIS.subn(r"\2", text)
            found += count
        if "_" in text:
            text, count = _MD_UNDERSCORES.subn(r"\2", text)
            found += count
        if not found:
            break
    if "<" in text:
        text = _MD_HTML_TAG.sub("", text)
    return html.unescape(text) if "&" in text else text


def pdf_text(data: bytes, max_seconds: float = PDF_MAX_SECONDS) -> str:
    """The text layer of a PDF, page by page; a scan without one is unavailable.

    The time limit is checked between pages and at each piece of text a page shows, so
    a page built to keep the reader busy is given up on too.
    """
    from pypdf import PdfReader  # loaded only when a PDF is read

    deadline = time.monotonic() + max_seconds
    where = [0, 0]  # the page being read, of how many

    def watch(*_: object) -> None:
        if time.monotonic() > deadline:
            raise SourceUnavailableError(
                f"the PDF's text took over {max_seconds:g} s to read"
                f" (stopped at page {where[0]} of {where[1]})"
            )

    pages: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceUnavailableError("the PDF is encrypted")
        where[1] = len(reader.pages)
        if where[1] > PDF_MAX_PAGES:
            raise SourceUnavailableError(
                f"the PDF has {where[1]} pages; at most {PDF_MAX_PAGES} are read"
            )
        for index, page in enumerate(reader.pages):
            where[0] = index + 1
            watch()
            pages.append(page.extract_text(visitor_text=watch) or "")
    except SourceUnavailableError:
        raise
    # A malformed PDF can fail anywhere inside the library, with any exception; each
    # one means the same to the reviewer: this source cannot be read.
    except Exception as error:  # noqa: BLE001
        raise SourceUnavailableError(
            f"not a readable PDF ({type(error).__name__}: {error})"
        ) from None
    text = "\n\n".join(pages)
    if not any(char.isalnum() for char in text):
        raise SourceUnavailableError("the PDF has no text layer (a scanned image?)")
    return text


def _looks_like_html(head: bytes) -> bool:
    """Whether a document starts as HTML does: a doctype or <html>, after a BOM,
    whitespace and comments."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    while head.startswith(b"<!--"):
        end = head.find(b"-->")
        if end < 0:
            return False
        head = head[end + 3 :].lstrip()
    return head[:14].lower().startswith(_HTML_STARTS)


def _html_charset(data: bytes) -> str | None:
    found = _META_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


def _tidy_lines(text: str) -> str:
    """Spaces within lines squeezed and blank lines merged, for reading in a panel.

    str.replace and literal patterns only: a character-class pattern crawls through
    long text in Python's regular expressions.
    """
    for space in "\t\r\f\v":
        if space in text:
            text = text.replace(space, " ")
    text = _SPACES.sub(" ", text).replace(" \n", "\n").replace("\n ", "\n")
    return _BLANK_LINES.sub("\n\n", text).strip()
