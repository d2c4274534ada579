"""Every HTTP request to the MCP server must carry `Authorization: Bearer <token>`; else 401."""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

_REFUSAL = json.dumps(
    {"error": "unauthorized", "error_description": "a Bearer token is needed: see vetline mcp-info"}
).encode("utf-8")


class BearerGate:
    """ASGI middleware: the wrapped app sees only requests with the right token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="vetline"'),
                        (b"content-length", str(len(_REFUSAL)).encode("ascii")),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _REFUSAL})
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                # Constant time: the token is not to be guessed byte by byte.
                return hmac.compare_digest(bytes(value), self._expected)
        return False
