"""Microsoft Teams notifier: posts an Adaptive Card through a Teams workflow (Power Automate) webhook.

The workflow webhook expects a message with one Adaptive Card attachment:
`{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
"content": {...AdaptiveCard...}}]}`. The URL carries a signature, so the configuration holds a reference.
"""

from __future__ import annotations

from pydantic import Field

from incident_desk.plugin import BaseNotifier, DeliveryResult, Message, NotifierConfig, Secret, encode_json, hookimpl, post_json

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class TeamsConfig(NotifierConfig):
    webhook_url: Secret
    timeout: float = Field(10.0, gt=0, le=120)


def adaptive_card(message: Message) -> dict:
    facts = [{"title": name, "value": value} for name, value in message.fields.items()]
    facts.append({"title": "Incident", "value": message.incident_id})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": message.text, "wrap": True},
            {"type": "FactSet", "facts": facts},
            {"type": "TextBlock", "text": f"key {message.idempotency_key}", "isSubtle": True, "size": "Small", "wrap": True},
        ],
    }
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}]}


class TeamsNotifier(BaseNotifier):
    """Post the message to Microsoft Teams as an Adaptive Card through a workflow webhook."""

    name = "teams"
    config_model = TeamsConfig
    description = "Microsoft Teams workflow webhook (Adaptive Card)"

    def send(self, message: Message, config: TeamsConfig) -> DeliveryResult:
        url = config.webhook_url.reveal()
        return post_json(url, encode_json(adaptive_card(message)), timeout=config.timeout,
                         url_label=config.webhook_url.reference)


@hookimpl
def register_notifiers(register):
    register(TeamsNotifier())
