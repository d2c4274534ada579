"""`vetline ask` as a real process against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpers import HANG_GUARD_S
from helpers.llm_server import error, expect_in_order, reply_json, route, sse_events, streamed

BASE = "".join(f"line {n}\n" for n in range(1, 31))
SMALL = BASE.replace("line 5\n", "line five\n")
KEY = "sk-typed-0123456789abcdef"
# A hang guard for reading a child's output, never a budget a test must meet.

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="signals and ptys are POSIX")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(BASE, encoding="utf-8")
    return root


def _config(tmp_path: Path, server: HTTPServer, extra: str = "") -> Path:
    base_url = server.url_for(route(server, "a")).removesuffix("/chat/completions")
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[[providers]]\nname = "a"\nbase_url = "{base_url}"\nmodel = "m"\ntimeout_s = 10\n'
        + extra,
        encoding="utf-8",
    )
    return config


def _command(config: Path, workspace: Path, out: Path, *more: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "vetline",
        "--config",
        str(config),
        "ask",
        "--file",
        "src/app.py",
        "--instruction",
        "Rename line 5",
        "--workspace",
        str(workspace),
        "--out",
        str(out),
        *more,
    ]


def _run(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run to the end; output decoded as is (text mode would turn the progress "\r" into "\n")."""
    ran = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_environment(tmp_path),
        check=False,
        timeout=HANG_GUARD_S,
    )
    return subprocess.CompletedProcess(
        ran.args, ran.returncode, ran.stdout.decode(), ran.stderr.decode()
    )


def _environment(tmp_path: Path) -> dict[str, str]:
    environment = {**os.environ, "VETLINE_DATA_DIR": str(tmp_path / "data")}
    environment.pop("VETLINE_TEST_KEY", None)
    return environment


def test_an_answer_out_of_scope_is_refused_and_nothing_is_written(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Fix", {"...": "x\n"}))
    )
    out = tmp_path / "out.json"

    result = _run(_command(_config(tmp_path, httpserver), workspace, out), tmp_path)

    assert result.returncode == 6, result.stderr
    assert (
        "\nvetline: no proposal written: the answer changes files it was not asked about:"
        " '...' was not asked about" in result.stderr
    )
    assert not out.exists()
    assert sorted(path.name for path in workspace.rglob("*")) == ["app.py", "src"]
    assert len(httpserver.log) == 3  # asked, then sent back twice (the default)


def test_a_rate_limit_counts_down_then_the_answer_is_written(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [
            error(429, "slow down", {"Retry-After": "1"}),
            streamed(reply_json("Five", {"src/app.py": SMALL})),
        ],
    )
    out = tmp_path / "out.json"

    result = _run(_command(_config(tmp_path, httpserver), workspace, out), tmp_path)

    assert result.returncode == 0, result.stderr
    assert "\ra: rate limited, asking again in 1 s (Ctrl+C cancels)" in result.stderr
    assert "\n  a: rate-limited (" in result.stderr
    assert "\n  a: answered (" in result.stderr
    # The test server names its model "test-model": a router falling back would, too.
    assert "\nvetline: asked for model 'm'; 'test-model' answered\n" in result.stderr
    assert result.stdout == f"{out}\n"


def test_an_error_after_progress_starts_on_its_own_line(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    text = reply_json("Five", {"src/app.py": SMALL})
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(text[:60], finish_reason=None, done=False)
    )

    result = _run(_command(_config(tmp_path, httpserver), workspace, tmp_path / "o.json"), tmp_path)

    assert result.returncode == 6
    progress, _, rest = result.stderr.rpartition("\nvetline: no proposal written: ")
    assert progress.startswith("\ra: 1 tokens, ")
    assert rest.startswith("the stream ended after 60 characters")


def test_without_a_terminal_a_missing_key_is_not_asked_for(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    config = _config(tmp_path, httpserver, 'api_key_env = "VETLINE_TEST_KEY"\n')

    result = _run(_command(config, workspace, tmp_path / "o.json"), tmp_path)

    assert result.returncode == 6
    assert result.stderr == "vetline: provider 'a': no API key found: set VETLINE_TEST_KEY\n"
    assert httpserver.log == []


@posix_only
def test_ctrl_c_while_the_model_answers_ends_without_a_traceback(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    asked = threading.Event()
    stop = threading.Event()

    def slow(request: Request) -> Response:
        asked.set()
        events = sse_events(reply_json("Five", {"src/app.py": SMALL}), delay_s=5, stop=stop)
        return Response(events, mimetype="text/event-stream")

    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(slow)
    out = tmp_path / "out.json"
    with _interruptible_child(
        _command(_config(tmp_path, httpserver), workspace, out), tmp_path
    ) as child:
        assert asked.wait(HANG_GUARD_S)
        child.send_signal(signal.SIGINT)
        stderr = child.communicate(timeout=HANG_GUARD_S)[1].decode()
    stop.set()

    assert child.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.endswith("\nvetline: cancelled: no proposal written\n") or stderr == (
        "vetline: cancelled: no proposal written\n"
    )
    assert not out.exists()


# `vetline ask` with a real SIGINT arriving while it loads the model client, before any
# request: the signal is sent the moment that module is imported.
INTERRUPTED_WHILE_LOADING = """
import importlib.abc, os, signal, sys

class Interrupt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "vetline.adapters.llm.headless":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupt())
from vetline.cli import main
sys.exit(main(sys.argv[1:]))
"""


@posix_only
def test_ctrl_c_before_the_request_is_sent_says_nothing_was_written(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    out = tmp_path / "out.json"
    command = _command(_config(tmp_path, httpserver), workspace, out)
    command[1:3] = ["-c", INTERRUPTED_WHILE_LOADING]  # in place of `-m vetline`

    result = _run(command, tmp_path)

    assert result.returncode == 130
    assert result.stderr == "vetline: cancelled: no proposal written\n"
    assert httpserver.log == []
    assert not out.exists()


@posix_only
def test_a_key_typed_at_a_terminal_is_used_and_kept_in_memory_only(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    authorizations: list[str] = []

    def answer(request: Request) -> Response:
        authorizations.append(request.headers.get("Authorization", ""))
        return Response(
            sse_events(reply_json("Five", {"src/app.py": SMALL})), mimetype="text/event-stream"
        )

    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(answer)
    config = _config(tmp_path, httpserver, 'api_key_env = "VETLINE_TEST_KEY"\n')
    out = tmp_path / "out.json"
    terminal, child_side = os.openpty()
    try:
        child = subprocess.Popen(
            _command(config, workspace, out),
            stdin=child_side,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(tmp_path),
            # No controlling terminal: getpass reads the pty on stdin, with echo off.
            start_new_session=True,
        )
        os.close(child_side)
        assert child.stderr is not None
        said = _read_until(child.stderr.fileno(), b"Enter skips): ")
        os.write(terminal, f"{KEY}\n".encode())
        stdout, rest = child.communicate(timeout=HANG_GUARD_S)
    finally:
        os.close(terminal)
    stderr = said.decode() + rest.decode()

    assert child.returncode == 0, stderr
    assert authorizations == [f"Bearer {KEY}"]
    assert "vetline: provider 'a': no API key found (set VETLINE_TEST_KEY)\n" in stderr
    assert "the key typed in is kept in memory for this run only, not stored\n" in stderr
    assert KEY not in stderr and KEY not in stdout.decode()
    assert KEY not in out.read_text(encoding="utf-8")
    assert not any(KEY.encode() in path.read_bytes() for path in _files(tmp_path / "data"))


def _files(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def _read_until(fd: int, marker: bytes) -> bytes:
    """What arrives on `fd` up to and including `marker` (guarded against a hang)."""
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while marker not in received:
            assert selector.select(HANG_GUARD_S), f"no {marker!r} yet: {received!r}"
            piece = os.read(fd, 4096)
            assert piece, f"the output ended before {marker!r}: {received!r}"
            received += piece
    return received


class _interruptible_child:  # noqa: N801 - used as a context manager, like open()
    """A child process that takes Ctrl+C as a terminal would deliver it.

    A shell starts background jobs with SIGINT ignored, and a child inherits that;
    a Python-level handler in this process is reset to the default in the child.
    """

    def __init__(self, command: list[str], tmp_path: Path) -> None:
        self.command = command
        self.environment = _environment(tmp_path)

    def __enter__(self) -> subprocess.Popen[bytes]:
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.child = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.environment,
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        return self.child

    def __exit__(self, *exc: object) -> None:
        if self.child.poll() is None:
            self.child.kill()
            self.child.communicate()


def test_the_model_that_answered_reaches_the_log_through_the_out_file(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Five", {"src/app.py": SMALL}))
    )
    out = tmp_path / "out.json"
    asked = _run(_command(_config(tmp_path, httpserver), workspace, out), tmp_path)
    assert asked.returncode == 0, asked.stderr
    agent = json.loads(out.read_text(encoding="utf-8"))["proposals"][0]["agent"]
    assert (agent["model"], agent["served_model"]) == ("m", "test-model")
    checked = _run(
        [sys.executable, "-m", "vetline", "check", str(out), "--workspace", str(workspace)],
        tmp_path,
    )
    assert "[vetline ask / m (answered by test-model)]" in checked.stdout.splitlines()[0]

    applied = _run(
        [sys.executable, "-m", "vetline", "apply", str(out), "--workspace", str(workspace),
         "--accept", "all"],
        tmp_path,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert (workspace / "src" / "app.py").read_text(encoding="utf-8") == SMALL
    exported = _run([sys.executable, "-m", "vetline", "log", "export"], tmp_path)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [(record["model"], record["served_model"]) for record in records] == [
        ("m", "test-model")
    ]


def test_a_servers_error_message_reaches_the_terminal_escaped(
    httpserver: HTTPServer, tmp_path: Path, workspace: Path
) -> None:
    """What a server says is untrusted: a terminal title sequence and a screen clear in its
    error message are written out, never acted on."""
    hostile = "bad key\x1b]0;all hunks accepted\x07\x1b[2J"
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(error(401, hostile))
    out = tmp_path / "out.json"

    result = _run(_command(_config(tmp_path, httpserver), workspace, out), tmp_path)

    assert result.returncode != 0
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "bad key\\x1b]0;all hunks accepted\\x07\\x1b[2J" in result.stderr
    assert not out.exists()
