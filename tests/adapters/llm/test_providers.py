"""The [[providers]] tables: the shipped examples load, and mistakes name index and field."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from helpers import REPO_ROOT
from vetline.adapters.llm.providers import (
    ProviderConfig,
    ProviderConfigError,
    ResponseFormatMode,
    choose_providers,
    providers_from_settings,
)
from vetline.core.settings import settings_from_document

EXAMPLES = REPO_ROOT / "resources" / "providers.example.toml"


def _table(**fields: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"name": "p", "base_url": "http://localhost:1/v1", "model": "m"}
    table.update(fields)
    return {key: value for key, value in table.items() if value is not None}


def test_the_example_file_configures_each_supported_server() -> None:
    document = tomllib.loads(EXAMPLES.read_text(encoding="utf-8"))
    settings = settings_from_document(document, source="example")
    providers = providers_from_settings(settings.providers, "example")
    assert [p.name for p in providers] == [
        "openai",
        "openrouter",
        "ollama",
        "lm-studio",
        "llama-cpp",
        "vllm",
    ]
    by_name = {p.name: p for p in providers}
    assert by_name["openai"].api_key_env == "OPENAI_API_KEY"
    assert by_name["openrouter"].keyring and by_name["openrouter"].api_key_env
    assert by_name["ollama"].base_url == "http://localhost:11434/v1"
    assert by_name["ollama"].timeout_s == 120.0
    local = [by_name[name] for name in ("ollama", "lm-studio", "llama-cpp", "vllm")]
    assert all(p.api_key_env is None and not p.keyring for p in local)


def test_defaults_are_short_timeouts_json_schema_and_streaming() -> None:
    (provider,) = providers_from_settings([_table(base_url="https://x.example/v1/")])
    assert provider == ProviderConfig("p", "https://x.example/v1", "m")
    assert (provider.timeout_s, provider.connect_timeout_s) == (30.0, 5.0)
    assert provider.response_format is ResponseFormatMode.JSON_SCHEMA and provider.stream


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ([_table(), _table(name=None)], "cfg: providers[1]: missing required field 'name'"),
        ([_table(base_url="localhost:11434")],
         "cfg: providers[0] ('p').base_url: expected an http:// or https:// URL"),
        ([_table(model="")], "cfg: providers[0] ('p').model: expected a non-empty string"),
        ([_table(api_key_env="sk-abc")],
         "providers[0] ('p').api_key_env: expected the name of an environment variable"),
        ([_table(api_key="sk-abc")], "providers[0].api_key: keys do not belong in the settings"),
        ([_table(keyring="yes")], "providers[0] ('p').keyring: expected true or false"),
        ([_table(timeout_s=0)], "providers[0] ('p').timeout_s: must be above 0"),
        ([_table(timeout_s="30")], "providers[0] ('p').timeout_s: expected a number of seconds"),
        ([_table(response_format="text")], "response_format: expected 'json_schema' or"),
        ([_table(stream=1)], "providers[0] ('p').stream: expected true or false"),
        ([_table(temperature=0.2)], "providers[0]: unknown field 'temperature'"),
        ([_table(), _table()], "cfg: providers[1].name: 'p' is used twice"),
        (["not a table"], "cfg: providers[0]: expected a table"),
    ],
)  # fmt: skip
def test_mistakes_name_the_provider_and_the_field(tables: list[Any], message: str) -> None:
    with pytest.raises(ProviderConfigError) as caught:
        providers_from_settings(tables, "cfg")
    assert message in str(caught.value)
    assert "sk-abc" not in str(caught.value)


def test_a_named_provider_is_the_only_one_asked() -> None:
    providers = providers_from_settings([_table(name="a"), _table(name="b")])
    assert [p.name for p in choose_providers(providers, None)] == ["a", "b"]
    assert [p.name for p in choose_providers(providers, "b")] == ["b"]
    with pytest.raises(ProviderConfigError, match=r"no provider named 'c' \(configured: a, b\)"):
        choose_providers(providers, "c")
    with pytest.raises(ProviderConfigError, match="no LLM provider is configured"):
        choose_providers((), None)
