"""Downloads for the reading-list importer."""

from __future__ import annotations

import urllib.request

USER_AGENT = "reading-list-importer/1.2"
TIMEOUT_SECONDS = 10.0


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body of `url`; raises OSError when the server cannot be reached."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read()
