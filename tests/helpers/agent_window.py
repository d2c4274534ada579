"""A review window serving agents over MCP, on a real decision log and workspace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.mcp_agent import finish, start
from helpers.review_window import close_and_delete, new_window, show
from vetline.adapters.decision_log import DecisionLog
from vetline.core.settings import default_settings
from vetline.ui.agent_server import AgentServer
from vetline.ui.main_window import MainWindow

OLD = "".join(f"line {n}\n" for n in range(1, 21))
SMALL_FIX = """\
--- a/notes.txt
+++ b/notes.txt
@@ -2,3 +2,3 @@
 line 2
-line 3
+line three
 line 4
"""


def big_change(lines: int) -> str:
    """Every line of notes.txt rewritten, and one more: 2 × lines + 1 changed lines."""
    body = "".join(f"-line {n}\n+LINE {n}\n" for n in range(1, lines + 1))
    return f"--- a/notes.txt\n+++ b/notes.txt\n@@ -1,{lines} +1,{lines + 1} @@\n{body}+more\n"


@dataclass
class Window:
    window: MainWindow
    log: DecisionLog
    workspace: Path
    data: Path
    agents: AgentServer
    url: str

    @property
    def controller(self) -> Any:
        return self.window.controller


def open_window(qtbot: QtBot, tmp_path: Path, name: str, level: int = 2) -> Window:
    settings = default_settings()
    window, log = new_window(tmp_path, settings)
    window.controller.set_level(level)
    workspace = tmp_path / "workspace"
    if not workspace.exists():
        workspace.mkdir()
        (workspace / "notes.txt").write_text(OLD, encoding="utf-8")
    window.controller.open_proposals([], workspace)
    show(qtbot, window)
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    agents = AgentServer(window.controller, data, progress_every_s=0.05, longest_wait_s=5.0)
    endpoint = finish(qtbot, start(agents.start()))
    window.setObjectName(name)
    return Window(window, log, workspace, data, agents, endpoint.url)


def close_window(qtbot: QtBot, opened: Window) -> None:
    finish(qtbot, start(opened.agents.stop()))
    qtbot.waitUntil(lambda: not opened.controller.has_pending_work(), timeout=HANG_GUARD_MS)
    gateway = opened.controller.gateway
    close_and_delete(qtbot, opened.window)
    gateway.shutdown()
    opened.log.close()


def queued_ticket(qtbot: QtBot, opened: Window) -> str:
    qtbot.waitUntil(lambda: bool(opened.controller.session.proposals), timeout=HANG_GUARD_MS)
    return str(opened.controller.session.proposals[-1].id)


def decide(qtbot: QtBot, opened: Window, *, reject: str | None = None) -> None:
    """The reviewer's verdict through the window's command path (what Ctrl+Y / Ctrl+N run)."""
    controller = opened.controller
    with qtbot.waitSignal(controller.command_finished, timeout=HANG_GUARD_MS):
        assert controller.reject(reject) if reject is not None else controller.accept()
