"""Secrets are used for delivery but never land in data files, logs, command output or exports."""

from __future__ import annotations

import logging
from pathlib import Path

from aiosmtpd.controller import Controller
from incident_desk_webhook import verify_signature

from .outbox_helpers import HOOK_SECRET, URL_TOKEN, make_workspace, write_notifiers
from .receivers import MailSink, PasswordCheck, free_port
from .test_notify_cli import run

SMTP_PASSWORD = "Smtp-Pa55-wOrd-31337"
SLACK_TOKEN = "xoxb-slacktoken-000111"


def test_secrets_never_appear_in_files_logs_output_or_exports(tmp_path, receiver, caplog):
    workspace = make_workspace(tmp_path / "ws")
    sink, auth = MailSink(), PasswordCheck("desk", SMTP_PASSWORD)
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port(), authenticator=auth, auth_require_tls=False)
    smtp.start()
    write_notifiers(workspace.path, f"""
ops-hook:
  type: webhook
  url: env:OPS_HOOK_URL
  hmac_secret: env:OPS_HOOK_SECRET
ops-email:
  type: email
  host: 127.0.0.1
  port: {smtp.port}
  security: none
  username: desk
  password: env:SMTP_PASSWORD
  sender: desk@example.com
  to: [oncall@example.com]
down-email:
  type: email
  host: 127.0.0.1
  port: {free_port()}
  security: none
  username: desk
  password: env:SMTP_PASSWORD
  sender: desk@example.com
  to: [oncall@example.com]
chat:
  type: slack
  webhook_url: env:SLACK_URL
""")
    env = {"OPS_HOOK_URL": f"{receiver.url('/hook')}?token={URL_TOKEN}", "OPS_HOOK_SECRET": HOOK_SECRET,
           "SMTP_PASSWORD": SMTP_PASSWORD, "SLACK_URL": f"{receiver.url('/slack')}/{SLACK_TOKEN}"}
    secrets = [URL_TOKEN, HOOK_SECRET, SMTP_PASSWORD, SLACK_TOKEN]
    outputs = []
    try:
        with caplog.at_level(logging.DEBUG):
            receiver.status = 500  # every HTTP delivery fails first: error paths are exercised too
            outputs.append(run(workspace, "notify", "INC-2025-001", "-t", "internal_alert", env=env).output)
            receiver.status = 200
            outputs.append(run(workspace, "outbox", "retry", "--all", env=env).output)
            outputs.append(run(workspace, "outbox", "list", "--all", "--json", env=env).output)
            pending = [line.split()[0] for line in run(workspace, "outbox").output.splitlines()[1:]]
            for message_id in pending:
                outputs.append(run(workspace, "outbox", "retry", message_id, env=env).output)
            outputs.append(run(workspace, "outbox", "--all", env=env).output)
            outputs.append(run(workspace, "plugins", "--json").output)
    finally:
        smtp.stop()

    # the secrets were really used
    hook = next(r for r in receiver.requests if r.path.startswith("/hook") and r.path.endswith(URL_TOKEN))
    assert verify_signature(HOOK_SECRET, hook.headers["x-incident-desk-timestamp"], hook.body,
                            hook.headers["x-incident-desk-signature"])
    assert any(r.path == f"/slack/{SLACK_TOKEN}" for r in receiver.requests)
    assert auth.attempts and len(sink.messages) == 1

    incident = workspace.get("INC-2025-001")
    states = {d.notifier: d.state.value for e in incident.communications for d in e.deliveries}
    assert states["ops-hook"] == "sent" and states["ops-email"] == "sent" and states["chat"] == "sent"
    assert states["down-email"] == "pending"
    exports = [incident.model_dump_json(), *outputs]
    files = {path: path.read_bytes() for path in Path(workspace.path).rglob("*") if path.is_file()}
    assert any(name.name == "outbox.json" for name in files) and len(files) > 5
    for secret in secrets:
        assert not [path for path, data in files.items() if secret.encode() in data], secret
        assert secret not in caplog.text
        assert not [text for text in exports if secret in text], secret
