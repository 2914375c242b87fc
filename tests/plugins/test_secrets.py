"""Secret references resolve from the OS keyring or the environment; errors name the reference, not the value."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from incident_desk_email import EmailConfig
from incident_desk_webhook import WebhookConfig

from incident_desk.app.secrets import SecretError, check_config, resolve, resolve_config, secret_fields
from incident_desk.plugin import Secret


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps entries in memory (CI machines have no OS keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def use_keyring():
    previous = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


def test_keyring_reference_resolves_through_the_keyring_api(use_keyring):
    backend = use_keyring(MemoryKeyring())
    keyring.set_password("incident-desk", "smtp-password", "hunter2-long")
    secret = resolve("keyring:incident-desk/smtp-password")
    assert secret.reveal() == "hunter2-long"
    assert backend.entries[("incident-desk", "smtp-password")] == "hunter2-long"
    assert repr(secret) == "Secret('keyring:incident-desk/smtp-password')" and str(secret) == secret.reference


def test_missing_keyring_entry_says_how_to_store_it(use_keyring):
    use_keyring(MemoryKeyring())
    with pytest.raises(SecretError) as error:
        resolve("keyring:incident-desk/slack-webhook")
    assert "keyring set incident-desk slack-webhook" in str(error.value)


def test_no_keyring_backend_names_the_reference_and_suggests_the_env_fallback(use_keyring):
    use_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(SecretError) as error:
        resolve("keyring:incident-desk/smtp-password")
    message = str(error.value)
    assert message.startswith("keyring:incident-desk/smtp-password: no keyring backend")
    assert "env:NAME" in message


def test_env_reference_and_missing_variable():
    assert resolve("env:DESK_TOKEN", environ={"DESK_TOKEN": "t0k"}).reveal() == "t0k"
    with pytest.raises(SecretError, match="env:DESK_TOKEN: environment variable DESK_TOKEN is not set"):
        resolve("env:DESK_TOKEN", environ={})


def test_config_holds_references_and_a_literal_secret_is_refused():
    raw = {"url": "env:HOOK_URL", "hmac_secret": "env:HOOK_SECRET"}
    config = resolve_config(WebhookConfig, raw, environ={"HOOK_URL": "http://127.0.0.1/x", "HOOK_SECRET": "s3"})
    assert config.url.reveal() == "http://127.0.0.1/x" and config.hmac_secret.reveal() == "s3"
    assert config.model_dump() == {"url": "env:HOOK_URL", "hmac_secret": "env:HOOK_SECRET", "timeout": 10.0,
                                    "headers": {}}
    assert "s3" not in repr(config) and "127.0.0.1/x" not in config.model_dump_json()
    with pytest.raises(SecretError, match="hmac_secret: must be a reference .* never the secret itself"):
        check_config(WebhookConfig, {"url": "env:HOOK_URL", "hmac_secret": "plain-secret"})


def test_check_config_validates_without_reading_any_secret(use_keyring):
    use_keyring(keyring.backends.fail.Keyring())
    config = check_config(EmailConfig, {"host": "127.0.0.1", "sender": "d@example.com", "to": ["o@example.com"],
                                        "username": "desk", "password": "keyring:incident-desk/smtp"})
    assert config.password.reference == "keyring:incident-desk/smtp"
    assert secret_fields(EmailConfig) == {"password"}


def test_secret_cannot_be_built_from_a_plain_string_by_validation():
    with pytest.raises(ValueError):
        WebhookConfig.model_validate({"url": "http://example.com"})
    assert WebhookConfig(url=Secret("http://x", "env:U")).url.reference == "env:U"
