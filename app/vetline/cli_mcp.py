"""`vetline mcp-info` and `vetline mcp-stdio`: how agents reach the running window over MCP."""

from __future__ import annotations

import argparse
import json

from vetline.cli_common import EXIT_OK


def mcp_info(args: argparse.Namespace) -> int:
    """Print the running window's MCP endpoint; NoServerError (exit 1) when none runs."""
    from vetline.adapters.mcp.host_configs import describe, host_configs
    from vetline.adapters.mcp.state import bearer_token, running_endpoint
    from vetline.adapters.paths import data_dir

    folder = data_dir()
    endpoint = running_endpoint(folder)
    token = bearer_token(folder)
    if args.json:
        document = {
            "url": endpoint.url,
            "token": token,
            "pid": endpoint.pid,
            "hosts": host_configs(endpoint.url, token),
        }
        print(json.dumps(document, indent=2))
    else:
        print(describe(endpoint.url, token), end="")
    return EXIT_OK


def mcp_stdio() -> int:
    """Relay MCP between stdin/stdout and the running window, until stdin ends."""
    from vetline.adapters.mcp.relay import run_relay
    from vetline.adapters.paths import data_dir

    run_relay(data_dir())
    return EXIT_OK
