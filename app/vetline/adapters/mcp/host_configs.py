"""Ready-to-paste configuration for the MCP hosts agents run in, for the running window."""

from __future__ import annotations

import json
from typing import Any

SERVER_NAME = "vetline"
# Codex reads the bearer token from this environment variable (the name, not a secret).
TOKEN_VARIABLE = "VETLINE_MCP_TOKEN"  # noqa: S105


# For hosts that only launch stdio servers: the relay finds the window's URL and token itself.
STDIO_COMMAND = {"command": "vetline", "args": ["mcp-stdio"]}


def host_configs(url: str, token: str) -> dict[str, Any]:
    """Each host's HTTP + bearer form: {"claude_code", "codex", "cursor", "vscode"}, and
    "stdio", the relay's command for hosts that only launch stdio servers."""
    header = {"Authorization": f"Bearer {token}"}
    return {
        "claude_code": {
            "command": (
                f"claude mcp add --transport http {SERVER_NAME} {url}"
                f' --header "Authorization: Bearer {token}"'
            ),
            "file": ".mcp.json",
            "config": {
                "mcpServers": {SERVER_NAME: {"type": "http", "url": url, "headers": header}}
            },
        },
        "codex": {
            "file": "~/.codex/config.toml",
            "config": (
                f"[mcp_servers.{SERVER_NAME}]\n"
                f"url = {json.dumps(url)}\n"
                f"bearer_token_env_var = {json.dumps(TOKEN_VARIABLE)}\n"
            ),
            "environment": {TOKEN_VARIABLE: token},
        },
        "cursor": {
            "file": "~/.cursor/mcp.json",
            "config": {"mcpServers": {SERVER_NAME: {"url": url, "headers": header}}},
        },
        "vscode": {
            "file": ".vscode/mcp.json",
            "config": {"servers": {SERVER_NAME: {"type": "http", "url": url, "headers": header}}},
        },
        "stdio": {"config": {"mcpServers": {SERVER_NAME: dict(STDIO_COMMAND)}}},
    }


def describe(url: str, token: str) -> str:
    """The same, as text for a person at a terminal."""
    configs = host_configs(url, token)
    claude, codex = configs["claude_code"], configs["codex"]
    sections = [
        f"Vetline serves MCP at {url}\nToken: {token}",
        f"Claude Code:\n  {claude['command']}",
        f"Codex CLI ({codex['file']}):\n"
        + _indent(codex["config"])
        + f"\n  and in the shell that starts codex:\n    export {TOKEN_VARIABLE}={token}",
        f"Cursor ({configs['cursor']['file']}):\n" + _indent(_json(configs["cursor"]["config"])),
        f"VS Code ({configs['vscode']['file']}):\n" + _indent(_json(configs["vscode"]["config"])),
        "A host that only launches stdio servers runs `vetline mcp-stdio` (no token needed):\n"
        + _indent(_json(configs["stdio"]["config"])),
        "The port may change when the window restarts: run this again then.",
    ]
    return "\n\n".join(sections) + "\n"


def _json(value: object) -> str:
    return json.dumps(value, indent=2)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.rstrip("\n").splitlines())
