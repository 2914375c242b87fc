"""Generic webhook notifier: POSTs the message as JSON, signed with HMAC-SHA256 when a secret is set.

Headers on every request:

- `Idempotency-Key`: the message's key, the same on every retry, so the receiver can drop repeats;
- `X-Incident-Desk-Timestamp`: Unix seconds when this attempt was signed;
- `X-Incident-Desk-Signature`: `sha256=` + hex HMAC-SHA256 of `"<timestamp>." + body` with the secret.

A receiver checks the signature with `verify_signature(secret, timestamp, body, header)` and refuses
timestamps too far from its clock (replay protection).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from pydantic import Field

from incident_desk.plugin import BaseNotifier, DeliveryResult, Message, NotifierConfig, Secret, encode_json, hookimpl, post_json

SIGNATURE_HEADER = "X-Incident-Desk-Signature"
TIMESTAMP_HEADER = "X-Incident-Desk-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class WebhookConfig(NotifierConfig):
    url: Secret = Field(description="Reference to the URL (URLs often carry tokens)")
    hmac_secret: Secret | None = Field(None, description="Reference to the shared signing secret")
    timeout: float = Field(10.0, gt=0, le=120)
    headers: dict[str, Secret | str] = Field(
        default_factory=dict, description="Extra headers; a credential (Authorization...) must be a secret reference")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, timestamp: str, body: bytes, header: str, now: float | None = None,
                     tolerance: float = 300.0) -> bool:
    """True when `header` signs `timestamp.body` with `secret` and the timestamp is within `tolerance`."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), header)


def payload(message: Message) -> dict:
    return {
        "idempotency_key": message.idempotency_key,
        "incident_id": message.incident_id,
        "channel": message.channel,
        "target": message.target,
        "subject": message.subject,
        "text": message.text,
        "fields": message.fields,
        "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
    }


class WebhookNotifier(BaseNotifier):
    """POST the message as signed JSON to a URL."""

    name = "webhook"
    config_model = WebhookConfig
    description = "Generic JSON webhook with an HMAC-SHA256 signature and an idempotency key"

    def send(self, message: Message, config: WebhookConfig) -> DeliveryResult:
        url = config.url.reveal()
        body = encode_json(payload(message))
        timestamp = str(int(time.time()))
        extra = {name: value.reveal() if isinstance(value, Secret) else value for name, value in config.headers.items()}
        headers = {**extra, IDEMPOTENCY_HEADER: message.idempotency_key, TIMESTAMP_HEADER: timestamp}
        hide = [value.reveal() for value in config.headers.values() if isinstance(value, Secret)]
        if config.hmac_secret is not None:
            headers[SIGNATURE_HEADER] = sign(config.hmac_secret.reveal(), timestamp, body)
            hide.append(config.hmac_secret.reveal())
        return post_json(url, body, headers, timeout=config.timeout, hide=hide, url_label=config.url.reference)


@hookimpl
def register_notifiers(register):
    register(WebhookNotifier())
