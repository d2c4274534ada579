"""A started window listens for agents at once, and loads the MCP SDK on the first one.

A real `vetline demo` process offscreen: once it announces its port, the SDK is not
loaded yet; a real MCP client then connects, waits in the socket's backlog while the
server loads, and is answered.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import HANG_GUARD_S
from helpers.command_line import wait_for_file
from helpers.mcp_agent import answer_of, connected
from vetline.adapters.mcp.state import SERVER_FILE, TOKEN_FILE

# Runs `vetline ARGS`; once the MCP port is announced, writes whether the SDK is loaded.
PROBE = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer

record, data, args = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]

def look():
    if (data / "mcp-server.json").exists():
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in {"mcp", "uvicorn"})
        record.write_text(json.dumps(loaded), encoding="utf-8")
    else:
        QTimer.singleShot(20, look)

QTimer.singleShot(0, look)
from vetline.cli import main
sys.exit(main(args))
"""
WAIT_S = HANG_GUARD_S


def test_the_first_agent_is_answered_by_a_server_loaded_for_it(tmp_path: Path) -> None:
    data, record = tmp_path / "data", tmp_path / "loaded.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-c", PROBE, str(record), str(data), "--data-dir", str(data)]
    child = subprocess.Popen(
        [*command, "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for_file(record, child, WAIT_S)
        assert json.loads(record.read_text(encoding="utf-8")) == []  # listening, not loaded
        server = json.loads((data / SERVER_FILE).read_text(encoding="utf-8"))
        token = (data / TOKEN_FILE).read_text(encoding="ascii").strip()

        async def agent() -> dict[str, object]:
            async with connected(server["url"], token) as session:
                return answer_of(await session.call_tool("get_leash", {}))

        assert asyncio.run(asyncio.wait_for(agent(), WAIT_S))["level"] == 2
    finally:
        child.kill()
        child.communicate()
