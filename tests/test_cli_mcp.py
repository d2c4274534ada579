"""`vetline mcp-info` and `vetline mcp-stdio` with no window running say so and exit non-zero."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.command_line import vetline
from vetline.adapters.mcp.state import SERVER_FILE
from vetline.cli import main


def test_no_window_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "mcp-info"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no Vetline window is serving MCP" in captured.err


def test_a_gone_windows_file_is_not_trusted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = {"url": "http://127.0.0.1:9/mcp", "port": 9, "pid": 2**22 + 7}
    (tmp_path / SERVER_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "mcp-info", "--json"]) == 1
    assert "left from a window that is gone" in capsys.readouterr().err


def test_the_stdio_relay_with_no_window_says_so_before_reading(tmp_path: Path) -> None:
    done = vetline("mcp-stdio", data_dir=tmp_path)  # a real process, as a host starts it
    assert done.returncode == 1
    assert done.stdout == ""
    assert "no Vetline window is serving MCP" in done.stderr
