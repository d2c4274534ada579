"""Citations' sources read as text: captured, workspace files of each kind, bad sources."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S
from helpers.pdf_samples import tiny_pdf
from vetline.adapters.sources.checker import CitationChecker, check_json, urls_to_fetch
from vetline.adapters.sources.documents import (
    SourceKind,
    SourceUnavailableError,
    document_text,
    html_text,
    kind_of,
    markdown_text,
    pdf_text,
)
from vetline.adapters.sources.loader import SourceAccess, load_source_text
from vetline.core.citations import CitationStatus
from vetline.core.model import Citation

PASSAGE = "The committee found that 42 of the 50 wells were not safe to drink from."


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "wells.txt").write_text(f"Report\n\n{PASSAGE}\n", encoding="utf-8")
    (root / "notes" / "wells.md").write_text(
        "# Wells\n\nThe committee found that **42** of the [50 wells](https://example.com)"
        " were *not* safe to drink from.\n\n- `snake_case_name` stays\n",
        encoding="utf-8",
    )
    (root / "notes" / "wells.html").write_text(
        "<!DOCTYPE html><html><head><title>Wells</title><style>p{color:red}</style>"
        "<script>document.write('approve everything')</script></head><body>"
        "<p>The committee found that 42 of the 50 wells were <em>not</em> safe to drink"
        " from.</p><p>Fish &amp; chips&nbsp;&mdash; &lt;tags&gt; stay text.</p>"
        "<noscript>enable scripts</noscript></body></html>",
        encoding="utf-8",
    )
    (root / "notes" / "wells.pdf").write_bytes(
        tiny_pdf(["The committee found that 42 of the 50", "wells were not safe to drink from."])
    )
    return root


def _citation(locator: str, quote: str = PASSAGE, **extra: str | None) -> Citation:
    return Citation("c1", "", locator, quote, **extra)  # type: ignore[arg-type]


def _check(workspace: Path, locator: str, quote: str = PASSAGE) -> tuple[str, str]:
    check = CitationChecker(SourceAccess(workspace=workspace)).check(_citation(locator, quote))
    return str(check.status), check.reason


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("notes/wells.txt", SourceKind.TEXT),
        ("notes/wells.md", SourceKind.MARKDOWN),
        ("notes/wells.html", SourceKind.HTML),
        ("notes/wells.pdf", SourceKind.PDF),
    ],
)
def test_a_quote_is_verified_in_each_kind_of_workspace_file(
    workspace: Path, name: str, kind: SourceKind
) -> None:
    source = load_source_text(_citation(name), SourceAccess(workspace=workspace))
    assert source.kind is kind
    assert source.origin == f"workspace file {name}"
    assert _check(workspace, name) == ("verified", "")
    assert _check(workspace, name, PASSAGE.replace("not ", ""))[0] == "approximate"


def test_html_becomes_the_text_a_reader_sees_and_nothing_runs(workspace: Path) -> None:
    text = load_source_text(_citation("notes/wells.html"), SourceAccess(workspace=workspace)).text
    assert "approve everything" not in text
    assert "color:red" not in text and "enable scripts" not in text and "Wells" not in text
    assert "Fish & chips\u00a0\u2014 <tags> stay text." in text
    assert text.splitlines()[0].endswith("drink from.")  # one paragraph, one line


def test_html_blocks_never_run_words_together() -> None:
    text = html_text("<div>end of one</div><div>start of two</div><ul><li>a</li><li>b</li></ul>")
    assert text.split("\n") == ["end of one", "start of two", "a", "b"]


def test_markdown_loses_its_marks_but_keeps_its_words() -> None:
    text = markdown_text(
        "## Heading\n\n> quoted *emphasis* and __strong__ words\n\n1. a [link](http://x)"
        " and ![image](i.png)\n\n```python\ncode_line = 1\n```\nsnake_case_name &amp; more\n"
    )
    assert text.split("\n") == [
        "Heading",
        "",
        "quoted emphasis and strong words",
        "",
        "a link and image",
        "",
        "code_line = 1",
        "snake_case_name & more",
        "",
    ]


def test_captured_text_comes_first_and_says_so(workspace: Path) -> None:
    citation = _citation("notes/wells.txt", source_text="They said: " + PASSAGE.upper())
    source = load_source_text(citation, SourceAccess(workspace=workspace))
    assert source.origin == "given inline with the citation"
    assert source.text.startswith("They said:")
    captured_html = _citation("https://example.com/x", source_text="<html><p>Hi &amp; bye</p>")
    assert load_source_text(captured_html, SourceAccess()).text == "Hi & bye"


@pytest.mark.parametrize(
    ("locator", "reason"),
    [
        ("../outside.txt", "'..' leaves the workspace"),
        ("/etc/passwd", "absolute path"),
        ("C:\\Windows\\win.ini", "absolute path"),
        ("file:///etc/passwd", "only http(s) URLs and workspace paths are read, not file:"),
        ("notes/missing.txt", "no such file in the workspace"),
        ("notes", "not a regular file"),
        (".env", "matches the denied pattern '.env'"),
        ("escape/secret.txt", "a symbolic link leads outside the workspace"),
        ("notes/pipe", "not a regular file"),
    ],
)
def test_a_path_that_cannot_be_read_is_unavailable_with_why(
    workspace: Path, locator: str, reason: str
) -> None:
    outside = workspace.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(PASSAGE)
    (workspace / "escape").symlink_to(outside)
    (workspace / ".env").write_text(PASSAGE)
    os.mkfifo(workspace / "notes" / "pipe")
    access = SourceAccess(workspace=workspace, denied_paths=(".env",))
    check = CitationChecker(access).check(_citation(locator))
    assert check.status is CitationStatus.UNAVAILABLE
    assert reason in check.reason


def test_a_link_inside_the_workspace_is_followed(workspace: Path) -> None:
    (workspace / "latest.txt").symlink_to(workspace / "notes" / "wells.txt")
    assert _check(workspace, "latest.txt") == ("verified", "")


def test_a_path_with_an_anchor_reads_the_file(workspace: Path) -> None:
    assert _check(workspace, "./notes/wells.md#wells") == ("verified", "")


def test_without_a_workspace_a_path_is_unavailable() -> None:
    check = CitationChecker(SourceAccess()).check(_citation("notes/wells.txt"))
    assert (check.status, check.reason) == (
        CitationStatus.UNAVAILABLE,
        "no workspace to read notes/wells.txt from (give --workspace)",
    )


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "the source is empty"),
        ("blank.txt", b"  \n\n \t", "has no words in it"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, not text"),
        ("latin.txt", "caf\u00e9 au lait".encode("latin-1"), "not valid utf-8 text"),
        ("scan.pdf", tiny_pdf([]), "the PDF has no text layer"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>", "not a readable PDF"),
        ("page.html", b"<html><script>only()</script></html>", "has no words in it"),
        ("bad.html", b'<meta charset="klingon"><p>x</p>', "unknown text encoding 'klingon'"),
    ],
)
def test_a_bad_source_is_unavailable_with_why(
    workspace: Path, name: str, data: bytes, reason: str
) -> None:
    (workspace / name).write_bytes(data)
    status, why = _check(workspace, name)
    assert status == "unavailable"
    assert reason in why
    assert why.startswith(f"{name}: ")


def test_an_enormous_source_is_not_read(workspace: Path) -> None:
    (workspace / "big.txt").write_bytes(b"word " * 300_000)
    access = SourceAccess(workspace=workspace, max_bytes=1024 * 1024)
    check = CitationChecker(access).check(_citation("big.txt", "word word"))
    assert check.status is CitationStatus.UNAVAILABLE
    assert check.reason == "big.txt: larger than 1 MB"


def test_a_declared_charset_and_a_bom_are_honoured() -> None:
    assert document_text("caf\u00e9".encode("cp1252"), SourceKind.TEXT, "cp1252") == "caf\u00e9"
    assert document_text("caf\u00e9".encode("utf-16"), SourceKind.TEXT) == "caf\u00e9"
    assert document_text(b"\xef\xbb\xbfcaf\xc3\xa9", SourceKind.TEXT) == "caf\u00e9"
    with pytest.raises(SourceUnavailableError, match="unknown text encoding"):
        document_text(b"abc", SourceKind.TEXT, "no-such-codec")


@pytest.mark.parametrize(
    ("name", "media_type", "data", "kind"),
    [
        ("x", "text/html; charset=utf-8", b"plain", SourceKind.HTML),
        ("x.txt", None, b"%PDF-1.7 ...", SourceKind.PDF),
        ("x.txt", None, b"\n  <!-- hi -->\n<!DOCTYPE html><p>", SourceKind.HTML),
        ("paper.PDF", None, b"...", SourceKind.PDF),
        ("https://x/notes.md?raw=1", None, b"# x", SourceKind.MARKDOWN),
        ("data.csv", "application/octet-stream", b"a,b", SourceKind.TEXT),
    ],
)
def test_the_kind_of_a_document_comes_from_its_type_content_and_name(
    name: str, media_type: str | None, data: bytes, kind: SourceKind
) -> None:
    assert kind_of(name, media_type, data) is kind


def test_a_source_is_read_once_for_all_its_citations(workspace: Path) -> None:
    checker = CitationChecker(SourceAccess(workspace=workspace))
    first = _citation("notes/wells.txt")
    assert checker.check(first).status is CitationStatus.VERIFIED
    (workspace / "notes" / "wells.txt").write_text("changed")
    again = Citation("c2", "", "notes/wells.txt", "42 of the 50 wells")
    assert checker.check(again).status is CitationStatus.VERIFIED


def test_results_print_as_json_fields(workspace: Path) -> None:
    citation = _citation("notes/wells.txt", PASSAGE.replace("42", "24"))
    check = CitationChecker(SourceAccess(workspace=workspace)).check(citation)
    assert check_json(citation, check) == {
        "id": "c1",
        "status": "approximate",
        "score": check.score,
        "source_offset": len("report "),
        "critical": True,
        "differences": [{"quote": "24", "source": "42"}],
        "reason": "",
    }


def test_the_urls_to_fetch_are_listed_once_with_punycode_hosts() -> None:
    citations = [
        _citation("https://b\u00fccher.example/a"),
        _citation("notes/wells.txt"),
        _citation("https://b\u00fccher.example/a"),
        _citation("http://127.0.0.1:8000/x", source_text="captured"),
        _citation(" https://example.org/b "),
    ]
    assert urls_to_fetch(citations) == [
        "https://xn--bcher-kva.example/a",
        "https://example.org/b",
    ]


def test_unclosed_marks_on_one_long_line_take_linear_time() -> None:
    """Markdown full of marks that never close, and HTML full of unclosed comments, read
    in a fresh process that would be stopped if a pattern scanned ahead from every mark."""
    script = """
from vetline.adapters.sources.documents import SourceKind, kind_of, markdown_text
for text in ("*a " * 200_000, "[" * 400_000, "[a](" * 100_000, "<a " * 200_000,
             "_a " * 200_000, "~~a " * 100_000, "](" * 200_000, "`a " * 200_000):
    assert markdown_text(text)
assert kind_of("x", None, b"<!-- -->" * 600 + b"x") is SourceKind.TEXT
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_a_pdf_that_takes_too_long_is_given_up_on() -> None:
    with pytest.raises(
        SourceUnavailableError, match="took over -1 s to read \\(stopped at page 1 of 1\\)"
    ):
        pdf_text(tiny_pdf(["Some text."]), max_seconds=-1.0)
