"""The `[[providers]]` tables of the settings file, checked into ProviderConfig values.

Providers are tried in the order written: when one is down (no connection, a 5xx, a
long rate limit) the next one is asked, like a transfer switch. Any OpenAI-compatible
Chat Completions endpoint works; resources/providers.example.toml has one table for
each of these:

    service     base_url                          key
    OpenAI      https://api.openai.com/v1         api_key_env = "OPENAI_API_KEY"
    OpenRouter  https://openrouter.ai/api/v1      keyring = true (or api_key_env)
    Ollama      http://localhost:11434/v1         none
    LM Studio   http://localhost:1234/v1          none
    llama.cpp   http://localhost:8080/v1          none (or --api-key → api_key_env)
    vLLM        http://localhost:8000/v1          none (or --api-key → api_key_env)

A table's keys:

    name               unique; also the keyring username (service "vetline")
    base_url           the endpoint up to and including /v1
    model              the model id the server knows
    api_key_env        environment variable holding the key
    keyring = true     take the key from the OS keyring (falls back to api_key_env)
    timeout_s          longest wait for the next streamed bytes (default 30; local
                       models loading from disk may need 120)
    connect_timeout_s  longest wait to connect (default 5)
    response_format    "json_schema" (default) or "json_object" for servers that
                       refuse JSON-schema output
    stream = false     one whole reply instead of a stream, for proxies that buffer
                       server-sent events (raise timeout_s: nothing arrives until the
                       model is done)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from vetline.core.errors import InputError

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
_LONGEST_TIMEOUT_S = 600.0
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ResponseFormatMode(StrEnum):
    JSON_SCHEMA = "json_schema"  # the server enforces the reply's schema
    JSON_OBJECT = "json_object"  # the server only promises JSON; the prompt gives the shape


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    name: str
    base_url: str
    model: str
    api_key_env: str | None = None
    keyring: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    response_format: ResponseFormatMode = ResponseFormatMode.JSON_SCHEMA
    stream: bool = True

    @property
    def key_hint(self) -> str:
        """Where a person fixes a refused key, for error messages (never the key itself)."""
        places = []
        if self.keyring:
            places.append(f"the OS keyring entry vetline/{self.name}")
        if self.api_key_env:
            places.append(self.api_key_env)
        return " or ".join(places) or f"the server's key settings (provider {self.name!r})"


class ProviderConfigError(InputError):
    """A `[[providers]]` table is malformed; the message names its index and field."""


_FIELDS = (
    "name",
    "base_url",
    "model",
    "api_key_env",
    "keyring",
    "timeout_s",
    "connect_timeout_s",
    "response_format",
    "stream",
)


def providers_from_settings(
    tables: Sequence[Mapping[str, Any]], source: str = "settings"
) -> tuple[ProviderConfig, ...]:
    """Check each raw table (as core Settings.providers holds them) and build the configs."""
    providers = tuple(
        _provider(table, f"{source}: providers[{index}]") for index, table in enumerate(tables)
    )
    seen: set[str] = set()
    for index, provider in enumerate(providers):
        if provider.name in seen:
            raise ProviderConfigError(
                f"{source}: providers[{index}].name: {provider.name!r} is used twice"
            )
        seen.add(provider.name)
    return providers


def choose_providers(
    providers: Sequence[ProviderConfig], name: str | None
) -> tuple[ProviderConfig, ...]:
    """All providers in order, or only the one named (`--provider NAME`)."""
    if not providers:
        raise ProviderConfigError(
            "no LLM provider is configured: add a [[providers]] table to the settings file"
            " (see resources/providers.example.toml)"
        )
    if name is None:
        return tuple(providers)
    chosen = tuple(provider for provider in providers if provider.name == name)
    if not chosen:
        known = ", ".join(provider.name for provider in providers)
        raise ProviderConfigError(f"no provider named {name!r} (configured: {known})")
    return chosen


def _provider(table: Mapping[str, Any], where: str) -> ProviderConfig:
    if not isinstance(table, Mapping):
        raise ProviderConfigError(f"{where}: expected a table")
    for key in table:
        if key in ("api_key", "key"):
            raise ProviderConfigError(
                f"{where}.{key}: keys do not belong in the settings file; name an environment"
                " variable with api_key_env, or set keyring = true"
            )
        if key not in _FIELDS:
            raise ProviderConfigError(
                f"{where}: unknown field {key!r} (allowed: {', '.join(_FIELDS)})"
            )
    name = _text(table, "name", where)
    where = f"{where} ({name!r})"
    base_url = _text(table, "base_url", where).rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProviderConfigError(
            f"{where}.base_url: expected an http:// or https:// URL, got {base_url!r}"
        )
    api_key_env = table.get("api_key_env")
    if api_key_env is not None and (
        not isinstance(api_key_env, str) or not _ENV_NAME.fullmatch(api_key_env)
    ):
        raise ProviderConfigError(
            f"{where}.api_key_env: expected the name of an environment variable, such as"
            " OPENAI_API_KEY (not the key itself)"
        )
    use_keyring = _flag(table, "keyring", where, default=False)
    mode = table.get("response_format", ResponseFormatMode.JSON_SCHEMA.value)
    if mode not in {m.value for m in ResponseFormatMode}:
        choices = " or ".join(repr(m.value) for m in ResponseFormatMode)
        raise ProviderConfigError(f"{where}.response_format: expected {choices}")
    return ProviderConfig(
        name=name,
        base_url=base_url,
        model=_text(table, "model", where),
        api_key_env=api_key_env,
        keyring=use_keyring,
        timeout_s=_seconds(table, "timeout_s", where, DEFAULT_TIMEOUT_S),
        connect_timeout_s=_seconds(table, "connect_timeout_s", where, DEFAULT_CONNECT_TIMEOUT_S),
        response_format=ResponseFormatMode(mode),
        stream=_flag(table, "stream", where, default=True),
    )


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if value is None:
        raise ProviderConfigError(f"{where}: missing required field {key!r}")
    if not isinstance(value, str) or not value.strip():
        raise ProviderConfigError(f"{where}.{key}: expected a non-empty string")
    return value.strip()


def _flag(table: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ProviderConfigError(f"{where}.{key}: expected true or false")
    return value


def _seconds(table: Mapping[str, Any], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProviderConfigError(f"{where}.{key}: expected a number of seconds")
    if not 0 < value <= _LONGEST_TIMEOUT_S:
        raise ProviderConfigError(f"{where}.{key}: must be above 0 and at most 600 seconds")
    return float(value)
