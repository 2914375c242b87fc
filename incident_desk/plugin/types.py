"""The public types a notifier plugin needs: Message, DeliveryResult, NotifierConfig, Secret, Notifier.

A notifier is registered with a name and a pydantic config model (a `NotifierConfig`), and delivers
with `send(message, config) -> DeliveryResult`. Secrets in a config are `Secret` fields: the desk reads
a reference such as `keyring:incident-desk/smtp-password` or `env:SMTP_PASSWORD` from the user's
configuration and hands the plugin a `Secret` whose value only `reveal()` shows; its repr, str and
serialised form are the reference, so a secret never lands in logs, data files or exports by accident.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

SECRET_REFERENCE = re.compile(r"^(?:keyring:[^/\s]+/\S+|env:[A-Za-z_][A-Za-z0-9_]*)$")


class Secret:
    """A secret value together with the reference it was read from. Only `reveal()` shows the value."""

    __slots__ = ("_value", "reference")

    def __init__(self, value: str, reference: str = "<inline secret>") -> None:
        self._value = value
        self.reference = reference

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.reference!r})"

    def __str__(self) -> str:
        return self.reference

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value and other.reference == self.reference

    def __hash__(self) -> int:
        return hash(self.reference)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> Secret:
            if isinstance(value, Secret):
                return value
            raise ValueError("must be a secret reference such as keyring:incident-desk/NAME or env:NAME, "
                             "resolved by the desk (never the secret itself)")

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda s: s.reference),
            json_schema_input_schema=core_schema.str_schema(pattern=SECRET_REFERENCE.pattern),
        )


def is_secret_reference(text: str) -> bool:
    return bool(SECRET_REFERENCE.match(text))


class NotifierConfig(BaseModel):
    """Base of every notifier's configuration model: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(BaseModel):
    """One rendered message on its way to one notifier.

    The `idempotency_key` is the same on every attempt to deliver this message (also after a crash and
    restart), so a receiver can recognise a repeat. `fields` carries structured facts for notifiers that
    show them as a table (severity, status, services, ...).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    idempotency_key: str = Field(min_length=1)
    incident_id: str
    subject: str
    text: str
    channel: str = "internal"
    target: str = Field("", description="Where it goes, in the notifier's terms (a channel name, an address)")
    fields: dict[str, str] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class DeliveryResult(BaseModel):
    """What a notifier did with one message. `retryable` says whether trying again later may help."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: Literal["sent", "failed"]
    error: str = ""
    retryable: bool = False
    detail: str = Field("", description="Receiver's answer worth keeping, such as a message id")

    @property
    def ok(self) -> bool:
        return self.state == "sent"

    @classmethod
    def sent(cls, detail: str = "") -> DeliveryResult:
        return cls(state="sent", detail=detail)

    @classmethod
    def failed(cls, error: str, retryable: bool = True) -> DeliveryResult:
        return cls(state="failed", error=error, retryable=retryable)


@runtime_checkable
class Notifier(Protocol):
    """What `register_notifiers` registers. Subclass `BaseNotifier` or write any object with these."""

    name: str
    config_model: type[NotifierConfig]
    description: str

    def send(self, message: Message, config: Any) -> DeliveryResult: ...


class BaseNotifier:
    """Convenience base class: set `name`, `config_model`, `description`, implement `send`."""

    name: ClassVar[str] = ""
    config_model: ClassVar[type[NotifierConfig]] = NotifierConfig
    description: ClassVar[str] = ""

    def send(self, message: Message, config: Any) -> DeliveryResult:
        raise NotImplementedError
