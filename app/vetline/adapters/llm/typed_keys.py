"""Keys a person types in when none is stored: kept in memory for this run, stored only if asked.

When a provider needs a key and neither the OS keyring nor its environment variable
has one, the command line (a TTY prompt) or the window (a password field) may ask for
it. The key then lives in this object only: it is never written to the settings, the
log or any file, and it is gone when the program ends. Saving it — in the OS keyring,
or where there is none in an owner-only plain file (adapters/llm/key_file.py) — is a
separate, explicit choice (`remember(..., store=True)`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.llm import secrets
from vetline.adapters.llm.key_file import describe_key_file, key_file_path, write_key_file
from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.redact import register_secret


def lookup_provider_key(provider: ProviderConfig) -> secrets.KeyLookup:
    """The provider's key from the OS keyring, its environment variable or its key file."""
    return secrets.lookup_key(
        provider.name,
        api_key_env=provider.api_key_env,
        use_keyring=provider.keyring,
        key_file=key_file_path(provider.name),
    )


TYPED_SOURCE = "typed in (kept in memory for this run only)"

# Saves one secret: (service, username, key). Injected in tests; the OS keyring otherwise.
KeyringSetter = Callable[[str, str, str], None]


@dataclass(frozen=True, slots=True)
class KeyStorage:
    """Where a typed key would be saved for next time, should the reviewer choose to."""

    words: str  # where and how, said before the choice is made
    key_file: Path | None = None  # None: the OS keyring


def storage_for(provider: ProviderConfig, found: secrets.KeyLookup) -> KeyStorage:
    """The OS keyring for a provider set to use it, when it works; else a plain key file."""
    if provider.keyring and found.keyring_error is None:
        return KeyStorage(f"the OS keyring ({secrets.KEYRING_SERVICE}/{provider.name})")
    path = key_file_path(provider.name)
    return KeyStorage(describe_key_file(path), path)


def why_missing(provider: ProviderConfig, found: secrets.KeyLookup) -> str:
    """Why no key was found for `provider`, in words (never a key)."""
    if found.keyring_error is not None:
        return f"{found.keyring_error}, and {found.source} is not set"
    if provider.keyring:
        entry = f"the OS keyring ({secrets.KEYRING_SERVICE}/{provider.name})"
        return f"{entry} holds no key, and {found.source} is not set"
    return f"{found.source} is not set"


class TypedKeys:
    """The keys typed in this run, by provider name, in front of the usual lookup."""

    def __init__(
        self,
        lookup: Callable[[ProviderConfig], secrets.KeyLookup] = lookup_provider_key,
        keyring_set: KeyringSetter | None = None,
    ) -> None:
        self._lookup = lookup
        self._keyring_set = keyring_set
        self._typed: dict[str, str] = {}

    def lookup(self, provider: ProviderConfig) -> secrets.KeyLookup:
        """A typed key if there is one, else the keyring or environment (AskSettings.lookup_key)."""
        typed = self._typed.get(provider.name)
        if typed:
            return secrets.KeyLookup(typed, TYPED_SOURCE)
        return self._lookup(provider)

    def missing(
        self, providers: Sequence[ProviderConfig]
    ) -> list[tuple[ProviderConfig, secrets.KeyLookup]]:
        """The providers that need a key and have none stored, set or typed, with why."""
        found = [(provider, self.lookup(provider)) for provider in providers]
        return [(provider, lookup) for provider, lookup in found if lookup.missing]

    def remember(
        self,
        provider: ProviderConfig,
        key: str,
        *,
        store: bool = False,
        storage: KeyStorage | None = None,
    ) -> str:
        """Keep `key` for `provider` in memory; with `store`, save it too, in `storage`
        (the OS keyring when none is given).

        Returns what was done, to tell the person (never the key).
        """
        key = key.strip()
        if not key:
            raise ValueError("an empty key cannot be used")
        register_secret(key)  # masked in any log line from now on
        self._typed[provider.name] = key
        name = f"provider {provider.name!r}"
        in_memory = f"{name}: the key typed in is kept in memory for this run only"
        if not store:
            return f"{in_memory}, not stored"
        if storage is not None and storage.key_file is not None:
            try:
                write_key_file(storage.key_file, key)
            except OSError as error:
                return (
                    f"{in_memory}: it could not be saved in {storage.key_file} ({error.strerror})"
                )
            return f"{name}: the key is saved in {storage.words}"
        entry = f"the OS keyring ({secrets.KEYRING_SERVICE}/{provider.name})"
        try:
            if self._keyring_set is not None:
                self._keyring_set(secrets.KEYRING_SERVICE, provider.name, key)
            else:
                secrets.store_key(provider.name, key)
        except secrets.KeyringUnavailableError as error:
            return f"{in_memory}: it could not be stored ({error})"
        if not provider.keyring:
            return f"{name}: the key is stored in {entry}; set keyring = true for it to be used"
        return f"{name}: the key is stored in {entry}"
