"""Answers held to their scope: asked files only, new files where level and task allow."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from helpers.llm_server import (
    expect_in_order,
    provider_at,
    reply_json,
    request_bodies,
    route,
    streamed,
)
from vetline.adapters.llm.ask import AskResult, AskSettings, AskStatus, ask_blocking, revise
from vetline.adapters.llm.errors import AttemptOutcome, IncompleteAnswerError
from vetline.adapters.llm.headless import ask_to_file
from vetline.adapters.llm.prompt import FileText
from vetline.adapters.llm.reply import IncompleteAnswer
from vetline.adapters.llm.scope import instruction_names, scope_statement
from vetline.adapters.llm.shown import escaped
from vetline.core.leash import Level
from vetline.core.model import FileStatus
from vetline.core.settings import settings_from_document

BASE = "".join(f"line {n}\n" for n in range(1, 31))
SMALL = BASE.replace("line 5\n", "line five\n")
FILES = [FileText("src/app.py", BASE)]


def _ask(server: HTTPServer, instruction: str = "Rename line 5", **options: Any) -> AskResult:
    level = options.pop("level", Level.CHUNK)
    provider = provider_at(server, "a")
    return ask_blocking(instruction, FILES, [provider], level=level, **options)


def _outcomes(result: AskResult) -> list[AttemptOutcome]:
    return [attempt.outcome for attempt in result.attempts]


def test_a_file_named_dots_nobody_asked_about_is_sent_back_naming_it(
    httpserver: HTTPServer,
) -> None:
    nonsense = reply_json("Fix", {"src/app.py": SMALL, "...": "x\n"})
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [streamed(nonsense), streamed(reply_json("Fix", {"src/app.py": SMALL}))],
    )

    result = _ask(httpserver, level=Level.REPO)

    assert result.status is AskStatus.READY
    assert result.proposal is not None
    assert [change.path for change in result.proposal.changes] == ["src/app.py"]
    assert _outcomes(result) == [AttemptOutcome.OUT_OF_SCOPE, AttemptOutcome.ANSWERED]
    assert result.sent_back == 1
    first, second = request_bodies(httpserver, route(httpserver, "a"))
    sent_back = second["messages"][len(first["messages"]) + 1]["content"]
    assert sent_back.startswith("Out of scope: '...' ")
    assert "Change only these files: src/app.py." in sent_back


def test_an_answer_that_stays_out_of_scope_is_never_acceptable(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Fix", {"src/app.py": SMALL, "...": "x\n"}))
    )

    result = _ask(httpserver, settings=AskSettings(send_backs=1))

    assert result.status is AskStatus.OUT_OF_SCOPE
    assert result.proposal is None
    answer = result.answer
    assert isinstance(answer, IncompleteAnswer)
    assert not answer.acceptable
    assert answer.title == "Answer out of scope"
    assert answer.reason.startswith("the answer changes files it was not asked about: '...' ")
    assert "asked about: 'src/app.py'" in answer.reason
    assert "level 2 Chunk" in answer.reason
    assert answer.raw_text == reply_json("Fix", {"src/app.py": SMALL, "...": "x\n"})
    assert _outcomes(result) == [AttemptOutcome.OUT_OF_SCOPE, AttemptOutcome.OUT_OF_SCOPE]
    # The leash refuses the name too (a name made only of dots): it is never a path.
    assert [(v.rule, v.path) for v in result.violations] == [
        ("scope", "..."),
        ("path", "..."),
        ("files", None),
    ]
    assert len(httpserver.log) == 2  # one send-back, then no more


def test_hidden_characters_in_a_refused_path_are_shown_escaped(httpserver: HTTPServer) -> None:
    sneaky = "src/app\u202e.py"
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Fix", {sneaky: SMALL}))
    )

    result = _ask(httpserver, settings=AskSettings(send_backs=0))

    assert result.status is AskStatus.OUT_OF_SCOPE
    assert isinstance(result.answer, IncompleteAnswer)
    assert "'src/app⟨U+202E⟩.py'" in result.answer.reason
    assert "\u202e" not in result.answer.reason


def test_a_new_file_the_task_names_is_allowed_at_level_3(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Notes", {"docs/notes.md": "# Notes\n"}))
    )

    result = _ask(httpserver, "Write docs/notes.md about line 5.", level=Level.FILE)

    assert result.status is AskStatus.READY
    assert result.proposal is not None
    (change,) = result.proposal.changes
    assert (change.path, change.status) == ("docs/notes.md", FileStatus.ADDED)
    (body,) = request_bodies(httpserver, route(httpserver, "a"))
    task = body["messages"][1]["content"]
    assert "Scope: Change only these files: src/app.py. Create a new file only if the task" in task


@pytest.mark.parametrize(
    ("instruction", "level", "why"),
    [
        ("Write docs/notes.md", Level.CHUNK, "new files need level 3 File or higher"),
        ("Write some notes", Level.FILE, "a new file is allowed only when the task names its path"),
        ("Write docs/notes.md.bak", Level.REPO, "a new file is allowed only when the task"),
    ],
)
def test_a_new_file_needs_level_3_and_a_task_that_names_it(
    httpserver: HTTPServer, instruction: str, level: Level, why: str
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Notes", {"docs/notes.md": "# Notes\n"}))
    )

    result = _ask(httpserver, instruction, level=level, settings=AskSettings(send_backs=0))

    assert result.status is AskStatus.OUT_OF_SCOPE
    assert isinstance(result.answer, IncompleteAnswer)
    assert f"'docs/notes.md' was not asked about ({why}" in result.answer.reason


@pytest.mark.parametrize("path", ["...", "a/.../b.py", "a//b.py", "notes\u200b.md", ". ."])
def test_a_new_file_name_must_be_plain_even_when_the_task_names_it(
    httpserver: HTTPServer, path: str
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("New", {path: "x\n"}))
    )

    result = _ask(
        httpserver, f"Create {path} now", level=Level.REPO, settings=AskSettings(send_backs=0)
    )

    assert result.status is AskStatus.OUT_OF_SCOPE
    assert isinstance(result.answer, IncompleteAnswer)
    assert f"{escaped(path)}' is not a usable new file name" in result.answer.reason


def test_an_out_of_scope_answer_writes_no_proposal(httpserver: HTTPServer, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "app.py").write_text(BASE, encoding="utf-8")
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Fix", {"...": "x\n"}))
    )
    settings = settings_from_document(
        {
            "review": {"level": 2},
            "llm": {"send_backs": 1},
            "providers": [
                {"name": "a", "base_url": provider_at(httpserver, "a").base_url, "model": "m"}
            ],
        }
    )
    out = tmp_path / "out.json"

    with pytest.raises(IncompleteAnswerError, match=r"not asked about: '\.\.\.' was not asked"):
        ask_to_file(
            instruction="Rename line 5",
            file_paths=["src/app.py"],
            settings=settings,
            out=out,
            workspace=workspace,
        )

    assert not out.exists()
    assert sorted(path.name for path in workspace.rglob("*")) == ["app.py", "src"]


def test_an_existing_file_the_task_names_but_nobody_sent_is_no_new_file(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """At level 4 a new file the task names is allowed; one that exists is not new: the
    model never saw its text, so its answer would replace the file blind."""
    workspace = tmp_path / "ws"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "app.py").write_text(BASE, encoding="utf-8")
    (workspace / "notes.md").write_text("# The reviewer's notes\n", encoding="utf-8")
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Fix", {"src/app.py": SMALL, "notes.md": "# Rewritten\n"}))
    )
    settings = settings_from_document(
        {
            "llm": {"send_backs": 1},
            "providers": [
                {"name": "a", "base_url": provider_at(httpserver, "a").base_url, "model": "m"}
            ],
        }
    )
    out = tmp_path / "out.json"

    with pytest.raises(IncompleteAnswerError) as raised:
        ask_to_file(
            instruction="Rename line 5 and note it in notes.md",
            file_paths=["src/app.py"],
            settings=settings,
            out=out,
            workspace=workspace,
            level=4,
        )

    assert (
        "'notes.md' already exists in the workspace and was not asked about (ask with it)"
        in str(raised.value)
    )
    assert not out.exists()
    assert (workspace / "notes.md").read_text(encoding="utf-8") == "# The reviewer's notes\n"
    assert len(request_bodies(httpserver, route(httpserver, "a"))) == 2  # sent back once


def test_a_revision_keeps_the_new_file_its_task_named(httpserver: HTTPServer) -> None:
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [
            streamed(reply_json("Notes", {"docs/notes.md": "# Notes\n"})),
            streamed(reply_json("Notes", {"docs/notes.md": "# Notes on line 5\n"})),
        ],
    )
    first = _ask(httpserver, "Write docs/notes.md", level=Level.FILE)
    assert first.proposal is not None

    reason = "Say which line."
    second = asyncio.run(revise(first.proposal, reason, [provider_at(httpserver, "a")], level=3))

    assert second.status is AskStatus.READY
    assert second.proposal is not None and second.proposal.parent_id == first.proposal.id


@pytest.mark.parametrize(
    ("instruction", "path", "named"),
    [
        ("Create tests/test_pager.py.", "tests/test_pager.py", True),
        ("Add `notes.md` with a summary", "notes.md", True),
        ('Write "docs/a b.md"', "docs/a b.md", True),
        ("Create notes.md.bak", "notes.md", False),
        ("Create src/notes.md", "notes.md", False),
        ("Create notes.mdx", "notes.md", False),
        ("Do it...", "...", False),
        ("Create mynotes.md", "notes.md", False),
    ],
)
def test_a_task_names_a_path_only_as_a_whole_path(instruction: str, path: str, named: bool) -> None:
    assert instruction_names(instruction, path) is named


def test_the_scope_is_told_to_the_model_per_level() -> None:
    assert (
        scope_statement(Level.CHUNK, ["a.py"])
        == "Change only these files: a.py. Create no new file."
    )
    assert scope_statement(Level.REPO, ["a.py", "b.py"]).endswith(
        "a.py, b.py. Create a new file only if the task names its path."
    )


def test_escaping_shows_every_hidden_character_and_caps_the_length() -> None:
    assert escaped("a\u202eb\u200bc\ufe0fd\U000e0041e\u3164f\x1bg") == (
        "a⟨U+202E⟩b⟨U+200B⟩c⟨U+FE0F⟩d⟨U+E0041⟩e⟨U+3164⟩f⟨U+001B⟩g"
    )
    assert escaped("a\u00a0b c") == "a⟨U+00A0⟩b c"
    assert escaped("é/日本.md") == "é/日本.md"
    assert len(escaped("x" * 1000)) == 200
