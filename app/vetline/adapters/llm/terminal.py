"""How `vetline ask` talks on a terminal: one progress line, a countdown, a key prompt.

The progress line is rewritten in place ("\\r"); anything else said while it is open
first ends it, so every message starts on its own line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.request import RateLimitWait
from vetline.adapters.llm.typed_keys import TypedKeys

if TYPE_CHECKING:  # the client loads openai
    from vetline.adapters.llm.client import StreamProgress


class StatusLine:
    """One line on `stream` that progress rewrites; ended before anything else is said."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.open = False
        self.width = 0

    def show(self, text: str) -> None:
        padding = " " * max(0, self.width - len(text))  # wipe a longer previous text
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()
        self.open = True
        self.width = len(text)

    def end(self) -> None:
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
        self.open = False
        self.width = 0

    def say(self, text: str) -> None:
        """A message on its own line."""
        self.end()
        self.stream.write(f"{text}\n")
        self.stream.flush()

    def progress(self, update: StreamProgress) -> None:
        self.show(f"{update.provider}: {update.chunks} tokens, {update.elapsed_s:.1f} s")

    def countdown(self, wait: RateLimitWait) -> None:
        seconds = math.ceil(wait.seconds_left)
        self.show(f"{wait.provider}: rate limited, asking again in {seconds} s (Ctrl+C cancels)")


def type_missing_keys(
    keys: TypedKeys,
    providers: Sequence[ProviderConfig],
    *,
    read_key: Callable[[str], str],
    store: bool,
    say: Callable[[str], None],
) -> None:
    """Ask for each key that is nowhere to be found; an empty answer skips the provider."""
    for provider, found in keys.missing(providers):
        if found.warning:
            say(f"vetline: {found.warning}")
        say(f"vetline: provider {provider.name!r}: no API key found ({found.missing})")
        try:
            typed = read_key(f"API key for {provider.name} (kept in memory only; Enter skips): ")
        except EOFError:
            typed = ""
        if typed.strip():
            say(f"vetline: {keys.remember(provider, typed, store=store)}")
