"""Slack notifier: posts the message to a Slack incoming webhook as a Block Kit message.

The webhook URL carries Slack's token, so the configuration holds a reference to it
(`webhook_url: keyring:incident-desk/slack-webhook` or `env:SLACK_WEBHOOK_URL`).
"""

from __future__ import annotations

from pydantic import Field

from incident_desk.plugin import BaseNotifier, DeliveryResult, Message, NotifierConfig, Secret, encode_json, hookimpl, post_json

HEADER_LIMIT, SECTION_LIMIT, FIELD_LIMIT, MAX_FIELDS = 150, 3000, 2000, 10


class SlackConfig(NotifierConfig):
    webhook_url: Secret
    timeout: float = Field(10.0, gt=0, le=120)


def escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped so user text cannot form links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def blocks(message: Message) -> dict:
    """The Block Kit payload: header, the text in sections, the fields, and a context line."""
    body = escape(message.text) or " "
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": _clip(body[i:], SECTION_LIMIT)}}
                for i in range(0, min(len(body), SECTION_LIMIT * 3), SECTION_LIMIT)]
    result: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": _clip(message.subject or message.incident_id, HEADER_LIMIT)}}]
    result += sections
    if message.fields:
        result.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _clip(f"*{escape(name)}*\n{escape(value)}", FIELD_LIMIT)}
            for name, value in list(message.fields.items())[:MAX_FIELDS]]})
    result.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": escape(f"{message.incident_id} · {message.channel} · key {message.idempotency_key}")}]})
    return {"text": _clip(f"{message.subject}\n{message.text}", SECTION_LIMIT), "blocks": result}


class SlackNotifier(BaseNotifier):
    """Post the message to a Slack channel through an incoming webhook."""

    name = "slack"
    config_model = SlackConfig
    description = "Slack incoming webhook (Block Kit message)"

    def send(self, message: Message, config: SlackConfig) -> DeliveryResult:
        url = config.webhook_url.reveal()
        return post_json(url, encode_json(blocks(message)), timeout=config.timeout,
                         url_label=config.webhook_url.reference)


@hookimpl
def register_notifiers(register):
    register(SlackNotifier())
