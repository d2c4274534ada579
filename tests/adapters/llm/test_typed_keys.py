"""Keys typed in when none is stored: in memory only, stored by explicit choice; the status line."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from vetline.adapters.llm.key_file import key_file_path
from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.request import RateLimitWait
from vetline.adapters.llm.secrets import KeyLookup, KeyringUnavailableError
from vetline.adapters.llm.terminal import StatusLine, type_missing_keys
from vetline.adapters.llm.typed_keys import (
    TYPED_SOURCE,
    KeyStorage,
    TypedKeys,
    storage_for,
    why_missing,
)

KEY = "sk-typed-abcdefghijkl"
NEEDS_KEY = ProviderConfig("router", "https://example.invalid/v1", "m", api_key_env="ROUTER_KEY")
LOCAL = ProviderConfig("local", "http://127.0.0.1:9/v1", "m")


def _nothing_stored(provider: ProviderConfig) -> KeyLookup:
    if provider.api_key_env is None:
        return KeyLookup(None, "not needed")
    return KeyLookup(
        None,
        f"${provider.api_key_env}",
        "provider 'router': no OS keyring is available on this system; using $ROUTER_KEY",
        missing=f"set {provider.api_key_env}",
    )


def test_only_providers_that_need_a_key_and_have_none_are_missing() -> None:
    keys = TypedKeys(_nothing_stored)

    assert [provider.name for provider, _ in keys.missing([LOCAL, NEEDS_KEY])] == ["router"]
    keys.remember(NEEDS_KEY, KEY)
    assert keys.missing([LOCAL, NEEDS_KEY]) == []


def test_a_typed_key_is_kept_in_memory_and_said_so() -> None:
    stored: list[tuple[str, str, str]] = []
    keys = TypedKeys(_nothing_stored, keyring_set=lambda *entry: stored.append(entry))

    said = keys.remember(NEEDS_KEY, f"  {KEY}\n")

    assert said == (
        "provider 'router': the key typed in is kept in memory for this run only, not stored"
    )
    assert KEY not in said
    assert stored == []  # nothing is written without the explicit choice
    found = keys.lookup(NEEDS_KEY)
    assert (found.key, found.source, found.missing) == (KEY, TYPED_SOURCE, None)


def test_storing_is_an_explicit_choice() -> None:
    stored: list[tuple[str, str, str]] = []
    keys = TypedKeys(_nothing_stored, keyring_set=lambda *entry: stored.append(entry))

    said = keys.remember(NEEDS_KEY, KEY, store=True)

    assert stored == [("vetline", "router", KEY)]
    assert said == (
        "provider 'router': the key is stored in the OS keyring (vetline/router);"
        " set keyring = true for it to be used"
    )


def test_a_key_that_cannot_be_stored_stays_in_memory_and_says_why() -> None:
    def no_keyring(service: str, username: str, key: str) -> None:
        raise KeyringUnavailableError("no OS keyring is available on this system")

    keys = TypedKeys(_nothing_stored, keyring_set=no_keyring)

    said = keys.remember(NEEDS_KEY, KEY, store=True)

    assert said == (
        "provider 'router': the key typed in is kept in memory for this run only:"
        " it could not be stored (no OS keyring is available on this system)"
    )
    assert keys.lookup(NEEDS_KEY).key == KEY


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty key"):
        TypedKeys(_nothing_stored).remember(NEEDS_KEY, "   ")


def test_the_prompt_asks_for_each_missing_key_and_an_empty_answer_skips() -> None:
    other = ProviderConfig("second", "https://example.invalid/v1", "m", api_key_env="SECOND")
    keys = TypedKeys(_nothing_stored)
    prompts: list[str] = []
    answers = iter([KEY, ""])
    said: list[str] = []

    def read_key(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    type_missing_keys(
        keys, [NEEDS_KEY, LOCAL, other], read_key=read_key, store=False, say=said.append
    )

    assert prompts == [
        "API key for router (kept in memory only; Enter skips): ",
        "API key for second (kept in memory only; Enter skips): ",
    ]
    assert keys.lookup(NEEDS_KEY).key == KEY
    assert keys.lookup(other).missing == "set SECOND"
    warning = "vetline: provider 'router': no OS keyring is available on this system; using"
    assert said == [
        f"{warning} $ROUTER_KEY",
        "vetline: provider 'router': no API key found (set ROUTER_KEY)",
        "vetline: provider 'router': the key typed in is kept in memory for this run only,"
        " not stored",
        f"{warning} $ROUTER_KEY",
        "vetline: provider 'second': no API key found (set SECOND)",
    ]
    assert all(KEY not in line for line in said)


def test_every_message_starts_on_its_own_line_after_progress() -> None:
    stream = io.StringIO()
    line = StatusLine(stream)

    line.show("a: 12 tokens, 1.0 s")
    line.countdown(RateLimitWait("a", 29.2, 30.0))
    line.say("vetline: something went wrong")
    line.end()

    assert stream.getvalue() == (
        "\ra: 12 tokens, 1.0 s"
        "\ra: rate limited, asking again in 30 s (Ctrl+C cancels)"
        "\nvetline: something went wrong\n"
    )


def test_a_shorter_progress_text_wipes_the_longer_one() -> None:
    stream = io.StringIO()
    line = StatusLine(stream)

    line.show("long text")
    line.show("short")
    line.end()
    line.end()  # ending twice adds nothing

    assert stream.getvalue() == "\rlong text\rshort    \n"


def test_without_a_keyring_the_place_offered_is_an_owner_only_file(tmp_path: Path) -> None:
    found = _nothing_stored(NEEDS_KEY)
    unusable = KeyLookup(None, "$ROUTER_KEY", keyring_error="no OS keyring is available")
    with_keyring = replace(NEEDS_KEY, keyring=True)

    assert storage_for(with_keyring, found) == KeyStorage("the OS keyring (vetline/router)")
    offered = storage_for(with_keyring, unusable)
    assert offered.key_file == key_file_path("router")
    assert offered.words == (
        f"{offered.key_file}, in plain text (not encrypted), readable only by your user account"
    )
    assert storage_for(NEEDS_KEY, found).key_file == key_file_path("router")
    assert why_missing(with_keyring, unusable) == (
        "no OS keyring is available, and $ROUTER_KEY is not set"
    )
    assert why_missing(NEEDS_KEY, found) == "$ROUTER_KEY is not set"


def test_a_key_is_saved_in_the_file_only_when_asked(tmp_path: Path) -> None:
    place = KeyStorage("a file", tmp_path / "keys" / "router.key")
    keys = TypedKeys(_nothing_stored)

    keys.remember(NEEDS_KEY, KEY, storage=place)
    assert place.key_file is not None and not place.key_file.exists()

    said = keys.remember(NEEDS_KEY, KEY, store=True, storage=place)
    assert said == "provider 'router': the key is saved in a file"
    assert place.key_file.read_text(encoding="utf-8") == f"{KEY}\n"


def test_a_key_file_that_cannot_be_written_keeps_the_key_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "keys"
    blocker.write_text("a file where the folder would go", encoding="utf-8")
    place = KeyStorage("a file", blocker / "router.key")
    keys = TypedKeys(_nothing_stored)

    said = keys.remember(NEEDS_KEY, KEY, store=True, storage=place)

    assert said.startswith(
        "provider 'router': the key typed in is kept in memory for this run only:"
        f" it could not be saved in {place.key_file} ("
    )
    assert keys.lookup(NEEDS_KEY).key == KEY and KEY not in said
