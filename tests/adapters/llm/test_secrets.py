"""Key lookup: environment variables, the OS keyring, and saying so when falling back."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

from vetline.adapters.llm.key_file import key_file_path, read_key_file, write_key_file
from vetline.adapters.llm.secrets import (
    KEYRING_SERVICE,
    KeyringUnavailableError,
    fallback_env_name,
    lookup_key,
    store_key,
)

KEY = "sk-test-abcdefghijklmnop"
HAS_KEYRING = importlib.util.find_spec("keyring") is not None


def _unavailable(service: str, username: str) -> str | None:
    raise KeyringUnavailableError("no OS keyring is available on this system")


def test_the_key_comes_from_the_named_environment_variable() -> None:
    found = lookup_key(
        "openai", api_key_env="OPENAI_API_KEY", use_keyring=False, environ={"OPENAI_API_KEY": KEY}
    )
    assert (found.key, found.source, found.warning, found.missing) == (
        KEY,
        "$OPENAI_API_KEY",
        None,
        None,
    )


def test_a_local_server_needs_no_key() -> None:
    found = lookup_key("ollama", api_key_env=None, use_keyring=False, environ={})
    assert (found.key, found.source, found.missing) == (None, "not needed", None)


def test_a_missing_variable_says_what_to_set() -> None:
    found = lookup_key("openai", api_key_env="OPENAI_API_KEY", use_keyring=False, environ={})
    assert found.key is None
    assert found.missing == "set OPENAI_API_KEY"


def test_the_keyring_is_asked_with_service_vetline_and_the_provider_name() -> None:
    asked: list[tuple[str, str]] = []

    def stored(service: str, username: str) -> str | None:
        asked.append((service, username))
        return KEY

    found = lookup_key(
        "openrouter", api_key_env="X", use_keyring=True, environ={"X": "other"}, keyring_get=stored
    )
    assert asked == [(KEYRING_SERVICE, "openrouter")]
    assert (found.key, found.source, found.warning) == (
        KEY,
        "the OS keyring (vetline/openrouter)",
        None,
    )


def test_without_a_keyring_the_variable_is_used_and_the_caller_is_told() -> None:
    found = lookup_key(
        "openrouter",
        api_key_env="OPENROUTER_API_KEY",
        use_keyring=True,
        environ={"OPENROUTER_API_KEY": KEY},
        keyring_get=_unavailable,
    )
    assert found.key == KEY
    assert found.warning == (
        "provider 'openrouter': no OS keyring is available on this system;"
        " using $OPENROUTER_API_KEY instead"
    )
    assert KEY not in found.warning


def test_an_empty_keyring_entry_falls_back_too() -> None:
    found = lookup_key(
        "openrouter",
        api_key_env=None,
        use_keyring=True,
        environ={"VETLINE_OPENROUTER_API_KEY": KEY},
        keyring_get=lambda service, username: None,
    )
    assert found.key == KEY
    assert found.warning is not None
    assert "no key is stored in the OS keyring (vetline/openrouter)" in found.warning
    assert "$VETLINE_OPENROUTER_API_KEY" in found.warning


def test_nothing_anywhere_says_both_ways_to_provide_the_key() -> None:
    found = lookup_key("My Router", api_key_env=None, use_keyring=True, keyring_get=_unavailable)
    assert found.key is None
    assert found.missing == (
        "set VETLINE_MY_ROUTER_API_KEY or store the key with: keyring set vetline My Router"
    )


def test_fallback_variable_names_are_shell_safe() -> None:
    assert fallback_env_name("lm-studio") == "VETLINE_LM_STUDIO_API_KEY"
    assert fallback_env_name("--") == "VETLINE_PROVIDER_API_KEY"


def test_the_real_keyring_path_falls_back_on_this_headless_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether keyring is missing or has no backend, the env var is used, and said so."""
    if HAS_KEYRING:
        # What headless Linux gets: the "fail" backend raises NoKeyringError.
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    found = lookup_key(
        "openrouter", api_key_env="OR_KEY", use_keyring=True, environ={"OR_KEY": KEY}
    )
    assert found.key == KEY
    expected = "no OS keyring is available" if HAS_KEYRING else "keyring package is not installed"
    assert found.warning is not None and expected in found.warning


def test_storing_a_key_without_a_keyring_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    expected = "no OS keyring is available" if HAS_KEYRING else "keyring package is not installed"
    with pytest.raises(KeyringUnavailableError, match=expected):
        store_key("openrouter", KEY)


def test_a_saved_key_file_is_read_last(tmp_path: Path) -> None:
    saved = tmp_path / "keys" / "router.key"
    write_key_file(saved, "sk-saved-0123456789")

    from_file = lookup_key(
        "router",
        api_key_env="ROUTER_KEY",
        use_keyring=True,
        environ={},
        keyring_get=_unavailable,
        key_file=saved,
    )
    from_variable = lookup_key(
        "router",
        api_key_env="ROUTER_KEY",
        use_keyring=False,
        environ={"ROUTER_KEY": KEY},
        key_file=saved,
    )
    from_keyring = lookup_key(
        "router",
        api_key_env="ROUTER_KEY",
        use_keyring=True,
        environ={},
        keyring_get=lambda service, username: KEY,
        key_file=saved,
    )

    assert (from_file.key, from_file.source, from_file.missing) == (
        "sk-saved-0123456789",
        f"the key file {saved}",
        None,
    )
    assert from_file.keyring_error == "no OS keyring is available on this system"
    assert from_variable.key == KEY and from_keyring.key == KEY  # both win over the file


def test_no_key_file_and_no_variable_is_missing(tmp_path: Path) -> None:
    found = lookup_key(
        "router",
        api_key_env="ROUTER_KEY",
        use_keyring=False,
        environ={},
        key_file=tmp_path / "keys" / "router.key",
    )
    assert (found.key, found.missing, found.keyring_error) == (None, "set ROUTER_KEY", None)


def test_key_files_are_owner_only_and_one_per_provider_name(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    names = ["openai", "My Router", "my-router", "../../etc", "a/b", "."]
    paths = [key_file_path(name, folder) for name in names]
    assert len(set(paths)) == len(names)
    assert all(path.parent == folder and not path.name.startswith(".") for path in paths)
    assert paths[0] == folder / "openai.key"

    write_key_file(paths[3], KEY)

    assert read_key_file(paths[3]) == KEY
    if os.name != "nt":
        assert stat.S_IMODE(paths[3].stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == [paths[3].name]  # no temp file left
    assert read_key_file(paths[0]) is None
