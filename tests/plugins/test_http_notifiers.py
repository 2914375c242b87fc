"""Webhook, Slack and Teams notifiers deliver to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from incident_desk_slack import SlackConfig
from incident_desk_teams import CARD_CONTENT_TYPE, TeamsConfig
from incident_desk_webhook import WebhookConfig, verify_signature

from incident_desk.plugin import Message, Secret

from .receivers import HttpReceiver, free_port

HMAC_SECRET = "whsec-4f1c0a77d2"


def message(**changes) -> Message:
    base = dict(idempotency_key="INC-2025-001:c1:webhook", incident_id="INC-2025-001",
                subject="[SEV-1] Checkout down", text="Checkout returns 500 for <all> users & partners.",
                channel="internal", fields={"Severity": "SEV-1", "Status": "investigating"},
                created_at=datetime(2025, 1, 15, 2, 35, tzinfo=timezone.utc))
    return Message(**{**base, **changes})


def webhook_config(url: str, **changes) -> WebhookConfig:
    return WebhookConfig(url=Secret(url, "env:HOOK_URL"), hmac_secret=Secret(HMAC_SECRET, "env:HOOK_SECRET"),
                         **{"timeout": 2, **changes})


def test_webhook_posts_signed_json_with_the_idempotency_key(plugins, receiver):
    result = plugins.send("webhook", message(), webhook_config(receiver.url("/incidents")))
    assert result.state == "sent", result.error
    (request,) = receiver.requests
    assert request.path == "/incidents"
    assert request.headers["content-type"].startswith("application/json")
    assert request.headers["idempotency-key"] == "INC-2025-001:c1:webhook"
    timestamp = request.headers["x-incident-desk-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert verify_signature(HMAC_SECRET, timestamp, request.body, request.headers["x-incident-desk-signature"])
    assert not verify_signature("wrong-secret", timestamp, request.body, request.headers["x-incident-desk-signature"])
    assert not verify_signature(HMAC_SECRET, timestamp, request.body + b" ", request.headers["x-incident-desk-signature"])
    body = request.json()
    assert body["incident_id"] == "INC-2025-001" and body["subject"] == "[SEV-1] Checkout down"
    assert body["fields"] == {"Severity": "SEV-1", "Status": "investigating"}
    assert body["created_at"] == "2025-01-15T02:35:00Z"


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (429, True), (404, False), (400, False)])
def test_http_errors_say_whether_a_retry_can_help(plugins, receiver, status, retryable):
    receiver.status = status
    result = plugins.send("webhook", message(), webhook_config(receiver.url()))
    assert result.state == "failed" and result.retryable is retryable
    assert f"HTTP {status}" in result.error


def test_unreachable_receiver_is_a_retryable_failure_that_does_not_leak_the_url(plugins):
    url = f"http://127.0.0.1:{free_port()}/hook?token=tok-SECRET-123"
    result = plugins.send("webhook", message(), webhook_config(url))
    assert result.state == "failed" and result.retryable
    assert "tok-SECRET-123" not in result.error and HMAC_SECRET not in result.error


def test_webhook_timeout_is_a_retryable_failure(plugins, receiver):
    receiver.open_gate.clear()
    result = plugins.send("webhook", message(), webhook_config(receiver.url(), timeout=0.3))
    receiver.open_gate.set()
    assert result.state == "failed" and result.retryable and "0.3 s" in result.error


def test_slack_receives_a_block_kit_message_with_escaped_text(plugins, receiver):
    config = SlackConfig(webhook_url=Secret(receiver.url("/services/T0/B0/x"), "keyring:incident-desk/slack"))
    assert plugins.send("slack", message(), config).state == "sent"
    body = receiver.requests[0].json()
    assert body["text"].startswith("[SEV-1] Checkout down")
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds == ["header", "section", "section", "context"]
    header, text, fields, context = body["blocks"]
    assert header["text"] == {"type": "plain_text", "text": "[SEV-1] Checkout down"}
    assert text["text"] == {"type": "mrkdwn", "text": "Checkout returns 500 for &lt;all&gt; users &amp; partners."}
    assert {"type": "mrkdwn", "text": "*Severity*\nSEV-1"} in fields["fields"]
    assert "INC-2025-001:c1:webhook" in context["elements"][0]["text"]


def test_slack_limits_are_respected_for_long_messages(plugins, receiver):
    config = SlackConfig(webhook_url=Secret(receiver.url(), "env:SLACK"))
    long = message(subject="S" * 400, text="x" * 7000, fields={f"f{i}": "v" for i in range(15)})
    assert plugins.send("slack", long, config).state == "sent"
    blocks = receiver.requests[0].json()["blocks"]
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section" and "text" in b)
    assert len(next(b for b in blocks if "fields" in b)["fields"]) == 10


def test_teams_receives_an_adaptive_card_in_the_workflow_message_shape(plugins, receiver):
    config = TeamsConfig(webhook_url=Secret(receiver.url("/workflows/abc"), "env:TEAMS_URL"))
    receiver.status = 202
    assert plugins.send("teams", message(), config).state == "sent"
    body = receiver.requests[0].json()
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0] == {"type": "TextBlock", "text": "[SEV-1] Checkout down", "weight": "Bolder",
                               "size": "Medium", "wrap": True}
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert {"title": "Severity", "value": "SEV-1"} in facts and {"title": "Incident", "value": "INC-2025-001"} in facts


def test_configs_refuse_unknown_keys_and_literal_secrets():
    with pytest.raises(ValueError, match="extra"):
        WebhookConfig(url=Secret("http://x", "env:X"), retries=3)
    with pytest.raises(ValueError, match="never the secret itself"):
        SlackConfig(webhook_url="https://hooks.slack.com/services/T0/B0/secret")


def test_non_http_urls_are_refused_without_echoing_them(plugins):
    result = plugins.send("slack", message(), SlackConfig(webhook_url=Secret("file:///etc/passwd", "env:SLACK")))
    assert result.state == "failed" and not result.retryable and "env:SLACK" in result.error
    assert "/etc/passwd" not in result.error


def test_desktop_notifier_shows_in_subscribed_window_or_logs_when_headless(plugins, caplog):
    from incident_desk_desktop import INBOX, DesktopConfig

    shown = []
    unsubscribe = INBOX.subscribe(lambda m, urgency: shown.append((m.subject, urgency)))
    assert plugins.send("desktop", message(), DesktopConfig(urgency="critical")).state == "sent"
    unsubscribe()
    assert shown == [("[SEV-1] Checkout down", "critical")]
    with caplog.at_level("INFO", logger="incident_desk.desktop"):
        result = plugins.send("desktop", message(subject="Second"), DesktopConfig())
    assert result.state == "sent" and "log" in result.detail
    assert "[INC-2025-001] Second: Checkout returns 500" in caplog.text
    assert INBOX.recent()[-1][0].subject == "Second"


def test_receiver_helper_is_real(receiver):
    assert isinstance(receiver, HttpReceiver) and receiver.port > 0


@pytest.mark.parametrize("notifier", ["webhook", "slack", "teams"])
def test_a_url_that_is_not_http_fails_for_good_naming_the_reference_not_the_url(plugins, notifier):
    url = "file:///etc/passwd?token=tok-SECRET-9"
    config = {"webhook": lambda: webhook_config(url),
              "slack": lambda: SlackConfig(webhook_url=Secret(url, "env:SLACK_URL")),
              "teams": lambda: TeamsConfig(webhook_url=Secret(url, "env:TEAMS_URL"))}[notifier]()
    result = plugins.send(notifier, message(), config)
    assert result.state == "failed" and result.retryable is False
    assert "is not an http(s) URL" in result.error and "env:" in result.error
    assert "tok-SECRET-9" not in result.error and "passwd" not in result.error
