"""Keeps API keys out of logs and error text: a logging filter and the redaction it applies.

Every key Vetline looks up is registered here; anything that looks like a key (a
`Bearer ...` credential, an `sk-...` token) is masked too, so a server that echoes the
key in an error body cannot leak it through openai's or httpx's debug logging.
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "[redacted]"

# Shorter values are not registered: masking a 3-letter "key" everywhere would garble
# ordinary text, and no real API key is that short.
_SHORTEST_SECRET = 8
_KEY_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[^\s'\",;]+"),
    re.compile(r"\b(sk-)[A-Za-z0-9_\-]{6,}"),
)
# Loggers whose records may carry request or response details.
LIBRARY_LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "httpcore2")


class SecretRedactor(logging.Filter):
    """Masks registered secrets and key-like tokens in every record it sees; never drops one."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add_secret(self, secret: str | None) -> None:
        if secret and len(secret) >= _SHORTEST_SECRET:
            with self._lock:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        with self._lock:
            # Longest first, so a key that contains another is masked whole.
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _KEY_PATTERNS:
            text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback goes out masked.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


REDACTOR = SecretRedactor()


def redact(text: str) -> str:
    """`text` with every registered key and key-like token masked."""
    return REDACTOR.redact(text)


def register_secret(secret: str | None) -> None:
    """Mask this value from now on, wherever the installed filter sees it."""
    REDACTOR.add_secret(secret)


def install_redaction(extra_loggers: tuple[str, ...] = ()) -> None:
    """Attach the filter to the root logger, its handlers and the HTTP libraries' loggers.

    A logger's own filters only see records logged to that very logger, not ones
    propagated from its children, hence every existing child of the library loggers
    and every root handler gets the filter too. Call again after adding handlers.
    Installing twice is harmless.
    """
    wanted = (*LIBRARY_LOGGERS, *extra_loggers)
    names = [
        name for name in list(logging.Logger.manager.loggerDict) if name.split(".")[0] in wanted
    ]
    targets: list[logging.Filterer] = [logging.getLogger()]
    targets += [logging.getLogger(name) for name in (*wanted, *names)]
    targets += logging.getLogger().handlers
    for target in targets:
        if REDACTOR not in target.filters:
            target.addFilter(REDACTOR)
