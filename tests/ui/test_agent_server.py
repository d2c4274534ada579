"""Agents over MCP: a real SDK client on 127.0.0.1 proposes, the window decides, it hears back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import qasync
from pytestqt.qtbot import QtBot

from helpers.agent_window import (
    OLD,
    SMALL_FIX,
    Window,
    big_change,
    close_window,
    decide,
    open_window,
    queued_ticket,
)
from helpers.mcp_agent import answer_of, connected, error_of, finish, start
from vetline.adapters.mcp.state import running_endpoint
from vetline.cli import main


@pytest.fixture
def reviewed(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Window]:
    opened = open_window(qtbot, tmp_path, "first")
    yield opened
    close_window(qtbot, opened)


def test_an_accepted_proposal_reaches_the_waiting_agent_with_progress(
    qtbot: QtBot, reviewed: Window
) -> None:
    progress: list[float] = []

    async def agent() -> dict[str, Any]:
        async def heard(done: float, _total: float | None, _message: str | None) -> None:
            progress.append(done)

        async with connected(reviewed.url, reviewed.agents.token) as session:
            result = await session.call_tool(
                "propose_change",
                {"proposal": SMALL_FIX, "title": "spell out three", "agent": "tester"},
                progress_callback=heard,
            )
            return answer_of(result)

    waiting = start(agent())
    ticket = queued_ticket(qtbot, reviewed)
    assert reviewed.controller.session.proposals[-1].title == "spell out three"
    decide(qtbot, reviewed)
    verdict = finish(qtbot, waiting)
    assert verdict["proposal_id"] == ticket
    assert verdict["status"] == "decided"
    assert [hunk["verdict"] for hunk in verdict["hunks"]] == ["accepted"]
    assert progress  # told it was waiting, before the verdict came
    assert "line three\n" in (reviewed.workspace / "notes.txt").read_text(encoding="utf-8")


def test_a_rejection_and_its_reason_reach_the_agent_that_polls(
    qtbot: QtBot, reviewed: Window
) -> None:
    async def submit() -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            leash = answer_of(await session.call_tool("get_leash", {}))
            assert leash["level"] == 2
            assert leash["max_changed_lines"] == 40
            return answer_of(await session.call_tool("submit_proposal", {"proposal": SMALL_FIX}))

    ticket = finish(qtbot, start(submit()))
    assert ticket["status"] == "pending"
    assert queued_ticket(qtbot, reviewed) == ticket["proposal_id"]

    async def poll(wait: float) -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            arguments = {"proposal_id": ticket["proposal_id"], "wait_seconds": wait}
            return answer_of(await session.call_tool("get_verdict", arguments))

    assert finish(qtbot, start(poll(0)))["status"] == "pending"  # silence is not consent
    waiting = start(poll(5))
    decide(qtbot, reviewed, reject="keep the digit")
    verdict = finish(qtbot, waiting)
    assert verdict["status"] == "decided"
    assert verdict["hunks"][0]["verdict"] == "rejected"
    assert verdict["hunks"][0]["reason"] == "keep the digit"
    assert (reviewed.workspace / "notes.txt").read_text(encoding="utf-8") == OLD


def test_an_undecided_proposal_hands_back_its_ticket(qtbot: QtBot, reviewed: Window) -> None:
    async def agent() -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            arguments = {"proposal": SMALL_FIX, "wait_seconds": 0.2}
            return answer_of(await session.call_tool("propose_change", arguments))

    verdict = finish(qtbot, start(agent()))
    assert verdict["status"] == "pending"
    assert verdict["hunks"][0]["verdict"] == "pending"
    assert queued_ticket(qtbot, reviewed) == verdict["proposal_id"]


def test_over_the_leash_is_answered_at_once_and_not_queued(qtbot: QtBot, reviewed: Window) -> None:
    async def agent() -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            return answer_of(
                await session.call_tool("submit_proposal", {"proposal": big_change(20)})
            )

    answer = finish(qtbot, start(agent()))
    assert answer["status"] == "over_leash"
    assert "40" in answer["reason"]
    assert answer["leash"]["level"] == 2
    assert "proposal_id" not in answer
    assert reviewed.controller.session.proposals == []


def test_unreadable_text_and_foreign_ids_are_refused_by_name(
    qtbot: QtBot, reviewed: Window
) -> None:
    async def agent() -> tuple[str, str]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            bad = await session.call_tool("submit_proposal", {"proposal": "just words"})
            foreign = await session.call_tool("get_verdict", {"proposal_id": "p1"})
            return error_of(bad), error_of(foreign)

    bad, foreign = finish(qtbot, start(agent()))
    assert "not a recognised format" in bad
    assert "'p1'" in foreign


def test_without_the_token_the_answer_is_401(qtbot: QtBot, reviewed: Window) -> None:
    async def knock(headers: dict[str, str]) -> int:
        async with httpx2.AsyncClient() as http:
            body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            response = await http.post(reviewed.url, json=body, headers=headers)
            return response.status_code

    assert finish(qtbot, start(knock({}))) == 401
    assert finish(qtbot, start(knock({"Authorization": "Bearer wrong"}))) == 401
    assert finish(qtbot, start(knock({"Authorization": reviewed.agents.token}))) == 401


def test_a_disconnected_agent_loses_nothing(qtbot: QtBot, reviewed: Window) -> None:
    async def submit_and_leave() -> str:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            answer = answer_of(await session.call_tool("submit_proposal", {"proposal": SMALL_FIX}))
            return str(answer["proposal_id"])

    ticket = finish(qtbot, start(submit_and_leave()))
    decide(qtbot, reviewed)  # while no agent is connected

    async def come_back() -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            return answer_of(await session.call_tool("get_verdict", {"proposal_id": ticket}))

    verdict = finish(qtbot, start(come_back()))
    assert verdict["status"] == "decided"
    assert verdict["hunks"][0]["verdict"] == "accepted"


def test_a_proposal_survives_a_restart_of_the_window(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    first = open_window(qtbot, tmp_path, "first")

    async def submit() -> str:
        async with connected(first.url, first.agents.token) as session:
            answer = answer_of(await session.call_tool("submit_proposal", {"proposal": SMALL_FIX}))
            return str(answer["proposal_id"])

    ticket = finish(qtbot, start(submit()))
    queued_ticket(qtbot, first)
    close_window(qtbot, first)  # nobody decided: the window is closed

    second = open_window(qtbot, tmp_path, "second")
    try:
        assert queued_ticket(qtbot, second) == ticket  # queued again at start
        assert running_endpoint(second.data).url == second.url
        assert second.url == first.url  # the same port again: pasted configs keep working
        decide(qtbot, second, reject="not now")

        async def ask() -> dict[str, Any]:
            async with connected(second.url, second.agents.token) as session:
                return answer_of(await session.call_tool("get_verdict", {"proposal_id": ticket}))

        verdict = finish(qtbot, start(ask()))
        assert verdict["status"] == "decided"
        assert verdict["hunks"][0]["reason"] == "not now"
    finally:
        close_window(qtbot, second)


def test_mcp_info_prints_configs_a_host_can_connect_with(
    qtbot: QtBot, reviewed: Window, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(reviewed.data), "mcp-info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["url"] == reviewed.url
    cursor = info["hosts"]["cursor"]["config"]["mcpServers"]["vetline"]
    vscode = info["hosts"]["vscode"]["config"]["servers"]["vetline"]
    assert vscode["headers"] == cursor["headers"]
    codex = info["hosts"]["codex"]
    assert 'bearer_token_env_var = "VETLINE_MCP_TOKEN"' in codex["config"]
    assert codex["environment"]["VETLINE_MCP_TOKEN"] == info["token"]
    token = cursor["headers"]["Authorization"].removeprefix("Bearer ")

    async def agent() -> dict[str, Any]:
        async with connected(cursor["url"], token) as session:
            return answer_of(await session.call_tool("get_leash", {}))

    assert finish(qtbot, start(agent()))["title"] == "Chunk"
    assert main(["--data-dir", str(reviewed.data), "mcp-info"]) == 0
    assert f"claude mcp add --transport http vetline {reviewed.url}" in capsys.readouterr().out


def image_proposal(workspace: Path, edits: int) -> str:
    """Proposal JSON recolouring `edits` separate squares of a PNG in the workspace."""
    import base64
    import hashlib

    from helpers.images import encode, picture

    before_pixels = picture(200, 40)
    after_pixels = before_pixels.copy()
    for n in range(edits):
        after_pixels[10:20, 20 * n + 5 : 20 * n + 15] = [255, 0, 0]
    before, after = encode(before_pixels, "PNG"), encode(after_pixels, "PNG")
    (workspace / "badge.png").write_bytes(before)
    change = {
        "path": "badge.png",
        "base_sha256": hashlib.sha256(before).hexdigest(),
        "new_base64": base64.b64encode(after).decode(),
    }
    return json.dumps({"title": "Red dots", "changes": [change]})


def test_an_image_edit_over_the_leash_is_sent_back_like_text(
    qtbot: QtBot, reviewed: Window
) -> None:
    async def agent(proposal: str) -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            return answer_of(await session.call_tool("submit_proposal", {"proposal": proposal}))

    answer = finish(qtbot, start(agent(image_proposal(reviewed.workspace, 4))))
    assert answer["status"] == "over_leash"
    assert answer["reason"] == "4 hunks > 3 allowed at level 2 (Chunk)"  # one per region
    assert reviewed.controller.session.proposals == []
    answer = finish(qtbot, start(agent(image_proposal(reviewed.workspace, 3))))
    assert answer["status"] == "pending" and answer["hunks"] == 3


def test_an_agent_hears_the_verdict_on_each_citation_of_its_cited_answer(
    qtbot: QtBot, reviewed: Window
) -> None:
    answer = {
        "vetline": 1,
        "proposals": [
            {
                "id": "cited",
                "title": "Where is line 3?",
                "answer": "It is the third line [1], right after line 2 [2].",
                "citations": [
                    {"id": "q1", "locator": "notes.txt", "quote": "line 3"},
                    {"id": "q2", "locator": "notes.txt", "quote": "line 2 comes first"},
                ],
            }
        ],
    }

    async def submit() -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            arguments = {"proposal": json.dumps(answer)}
            return answer_of(await session.call_tool("submit_proposal", arguments))

    ticket = finish(qtbot, start(submit()))["proposal_id"]
    queued_ticket(qtbot, reviewed)

    async def poll() -> dict[str, Any]:
        async with connected(reviewed.url, reviewed.agents.token) as session:
            arguments = {"proposal_id": ticket, "wait_seconds": 0}
            return answer_of(await session.call_tool("get_verdict", arguments))

    decide(qtbot, reviewed)  # the source supports citation q1
    half = finish(qtbot, start(poll()))
    assert half["status"] == "pending" and half["hunks"] == []
    decide(qtbot, reviewed, reject="misquoted")
    verdict = finish(qtbot, start(poll()))
    assert verdict["status"] == "decided"
    assert verdict["citations"] == [
        {"id": "q1", "verdict": "accepted", "reason": ""},
        {"id": "q2", "verdict": "rejected", "reason": "misquoted"},
    ]
    assert (reviewed.workspace / "notes.txt").read_text(encoding="utf-8") == OLD
