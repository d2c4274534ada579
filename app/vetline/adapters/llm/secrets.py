"""Where a provider's API key comes from: the OS keyring or an environment variable.

keyring is optional. It is imported only when a provider asks for it, and when it is
missing, or has no usable backend (headless Linux raises NoKeyringError), the key is
taken from the environment instead and the caller is told so through `KeyLookup.warning`
(never printed here). Last comes a key the reviewer chose to save in a file
(adapters/llm/key_file.py). Key values never appear in anything this module returns except
`KeyLookup.key` itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from vetline.adapters.llm.key_file import read_key_file

KEYRING_SERVICE = "vetline"

# Reads one secret: (service, username) -> the stored value or None. Injected in tests.
KeyringGetter = Callable[[str, str], "str | None"]


class KeyringUnavailableError(Exception):
    """The keyring package is missing or has no backend on this system."""


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """The key found for one provider (None: no key), where it came from, and any caveat."""

    key: str | None
    source: str  # e.g. "$OPENAI_API_KEY", "the OS keyring (vetline/openai)", "not needed"
    warning: str | None = None
    missing: str | None = None  # set when a key is configured but none was found: what to do
    keyring_error: str | None = None  # the keyring was asked for and cannot be used: why


def fallback_env_name(provider_name: str) -> str:
    """The variable read when the keyring cannot be used and no api_key_env is configured."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", provider_name).strip("_").upper() or "PROVIDER"
    return f"VETLINE_{stem}_API_KEY"


def lookup_key(
    provider_name: str,
    *,
    api_key_env: str | None,
    use_keyring: bool,
    environ: Mapping[str, str] | None = None,
    keyring_get: KeyringGetter | None = None,
    key_file: Path | None = None,
) -> KeyLookup:
    """Find the key for `provider_name`: the keyring first when asked for, then the env var,
    then `key_file` (a key saved there by the reviewer's choice)."""
    environ = os.environ if environ is None else environ
    warning = None
    keyring_error = None
    if use_keyring:
        where = f"the OS keyring ({KEYRING_SERVICE}/{provider_name})"
        try:
            stored = (keyring_get or _keyring_get)(KEYRING_SERVICE, provider_name)
        except KeyringUnavailableError as error:
            keyring_error = str(error)
            warning = f"{error}; "
        else:
            if stored:
                return KeyLookup(stored, where)
            warning = f"no key is stored in {where}; "
    env_name = api_key_env or (fallback_env_name(provider_name) if use_keyring else None)
    if env_name is None:
        # A local server (Ollama, llama.cpp, ...) needs no key at all.
        return KeyLookup(None, "not needed")
    value = environ.get(env_name, "")
    if warning is not None:
        warning = f"provider {provider_name!r}: {warning}using ${env_name} instead"
    if value:
        return KeyLookup(value, f"${env_name}", warning, keyring_error=keyring_error)
    saved = read_key_file(key_file) if key_file is not None else None
    if saved is not None and key_file is not None:
        return KeyLookup(saved, f"the key file {key_file}", keyring_error=keyring_error)
    hint = f"set {env_name}"
    if use_keyring:
        hint += f" or store the key with: keyring set {KEYRING_SERVICE} {provider_name}"
    return KeyLookup(None, f"${env_name}", warning, missing=hint, keyring_error=keyring_error)


def store_key(provider_name: str, key: str) -> None:
    """Save a key in the OS keyring; raises KeyringUnavailableError if there is none."""
    keyring = _import_keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, provider_name, key)
    # Backends fail in their own ways (D-Bus, locked wallets, NoKeyringError): all mean
    # "no usable keyring here", and the error text never holds the key.
    except Exception as error:  # noqa: BLE001
        raise KeyringUnavailableError(_describe_keyring_error(error)) from None


def _keyring_get(service: str, username: str) -> str | None:
    keyring = _import_keyring()
    try:
        value = keyring.get_password(service, username)
    except Exception as error:  # noqa: BLE001 - see store_key
        raise KeyringUnavailableError(_describe_keyring_error(error)) from None
    return value if isinstance(value, str) else None


def _import_keyring() -> _KeyringModule:
    try:
        import keyring  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise KeyringUnavailableError("the keyring package is not installed") from None
    module: _KeyringModule = keyring
    return module


def _describe_keyring_error(error: Exception) -> str:
    if type(error).__name__ == "NoKeyringError":
        return "no OS keyring is available on this system"
    return f"the OS keyring failed ({type(error).__name__})"


class _KeyringModule(Protocol):
    """The two functions of the keyring package used here (typed, as it may be absent)."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...
