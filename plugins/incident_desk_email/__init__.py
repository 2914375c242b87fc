"""Email notifier: sends each message as a plain-text email over SMTP (STARTTLS, SSL, or plain for local).

Configuration (notifiers.yaml):

    ops-email:
      type: email
      host: smtp.example.com
      port: 587
      security: starttls            # starttls | ssl | none (none only for a relay on this machine)
      username: incident-desk
      password: keyring:incident-desk/smtp-password   # or env:SMTP_PASSWORD
      sender: incident-desk@example.com
      to: [oncall@example.com]

The Message-ID is derived from the message's idempotency key, so a mail system (or a person) can
recognise a repeat delivery after a crash.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

from pydantic import Field, model_validator

from incident_desk.plugin import BaseNotifier, DeliveryResult, Message, NotifierConfig, Secret, hookimpl, scrub

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class EmailConfig(NotifierConfig):
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: Secret | None = None
    sender: str = Field(min_length=3, description="From address")
    to: list[str] = Field(min_length=1, description="Recipient addresses")
    subject_prefix: str = ""
    timeout: float = Field(30.0, gt=0, le=300)
    ca_file: str | None = Field(None, description="PEM file of the CA that signed the server's certificate")
    allow_insecure_login: bool = Field(False, description="Allow login without TLS to a host other than this machine")

    @model_validator(mode="after")
    def _safe_login(self) -> EmailConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together: give both or neither")
        if (self.security == "none" and self.username and self.host not in LOCAL_HOSTS
                and not self.allow_insecure_login):
            raise ValueError(f"security 'none' would send the password to {self.host} unencrypted; "
                             "use starttls or ssl (or allow_insecure_login: true)")
        return self


def subject_line(prefix: str, subject: str) -> str:
    """The prefix and the subject with one space between them: `[ACME] [SEV-1] ...`, never `[ACME][SEV-1]`."""
    prefix = prefix.strip()
    return " ".join(part for part in (prefix, subject.strip()) if part).replace("\n", " ")


def build_email(message: Message, config: EmailConfig) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config.sender
    email["To"] = ", ".join(config.to)
    email["Subject"] = subject_line(config.subject_prefix, message.subject)
    email["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    domain = config.sender.rpartition("@")[2] or "incident-desk.local"
    email["Message-ID"] = f"<{message.idempotency_key}@{domain}>" if message.idempotency_key.isascii() else make_msgid()
    email["X-Incident-Desk-Incident"] = message.incident_id
    email["X-Incident-Desk-Idempotency-Key"] = message.idempotency_key
    body = message.text
    if message.fields:
        body += "\n\n" + "\n".join(f"{name}: {value}" for name, value in message.fields.items())
    email.set_content(body)
    return email


class EmailNotifier(BaseNotifier):
    """Send the message as an email over SMTP."""

    name = "email"
    config_model = EmailConfig
    description = "Email over SMTP (STARTTLS, SSL or plain to a local relay), with login"

    def send(self, message: Message, config: EmailConfig) -> DeliveryResult:
        hide = [config.password.reveal()] if config.password else []
        try:
            context = ssl.create_default_context(cafile=config.ca_file)
            if config.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            with client:
                client.ehlo()
                if config.security == "starttls":
                    client.starttls(context=context)
                    client.ehlo()
                if config.username and config.password:
                    client.login(config.username, config.password.reveal())
                refused = client.send_message(build_email(message, config))
        except smtplib.SMTPAuthenticationError as error:
            return DeliveryResult.failed(f"SMTP login refused for {config.username} ({error.smtp_code})", retryable=False)
        except smtplib.SMTPRecipientsRefused as error:
            return DeliveryResult.failed(f"all recipients refused: {', '.join(sorted(error.recipients))}", retryable=False)
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
            return DeliveryResult.failed(scrub(f"SMTP {error.smtp_code} {text}", hide), retryable=error.smtp_code < 500)
        except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as error:
            return DeliveryResult.failed(scrub(f"cannot deliver via {config.host}:{config.port}: {error}", hide),
                                         retryable=True)
        if refused:
            return DeliveryResult.sent(detail=f"refused recipients: {', '.join(sorted(refused))}")
        return DeliveryResult.sent(detail=f"accepted by {config.host}:{config.port} for {len(config.to)} recipient(s)")


@hookimpl
def register_notifiers(register):
    register(EmailNotifier())
