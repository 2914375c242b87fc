"""The email notifier delivers to a real aiosmtpd server on 127.0.0.1: plain, AUTH LOGIN and STARTTLS."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ssl

import pytest
from aiosmtpd.controller import Controller
from incident_desk_email import EmailConfig

from incident_desk.plugin import Message, Secret

from .receivers import MailSink, PasswordCheck, free_port

PASSWORD = "smtp-pass-9d8e7f"


def message() -> Message:
    return Message(idempotency_key="INC-2025-001.c7.ops-email", incident_id="INC-2025-001",
                   subject="[SEV-1] Checkout down", text="Checkout returns 500.\nWe are on it.",
                   fields={"Severity": "SEV-1"},
                   created_at=dt.datetime(2025, 1, 15, 2, 35, tzinfo=dt.timezone.utc))


@pytest.fixture
def smtp_server(request):
    options = getattr(request, "param", {})
    sink = MailSink()
    auth = PasswordCheck("desk", PASSWORD) if options.get("auth") else None
    extra = {}
    if auth:
        extra = dict(authenticator=auth, auth_require_tls=options.get("tls") is not None,
                     auth_exclude_mechanism=["PLAIN"])
    if options.get("tls") is not None:
        extra.update(tls_context=options["tls"], require_starttls=True)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **extra)
    controller.start()
    yield controller, sink, auth
    controller.stop()


def parsed(envelope):
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


@pytest.mark.parametrize("prefix", ["[ACME]", "[ACME] "])
def test_email_arrives_with_headers_and_body(plugins, smtp_server, prefix):
    controller, sink, _ = smtp_server
    config = EmailConfig(host="127.0.0.1", port=controller.port, security="none", sender="desk@example.com",
                         to=["oncall@example.com", "cto@example.com"], subject_prefix=prefix, timeout=5)
    result = plugins.send("email", message(), config)
    assert result.state == "sent", result.error
    (envelope,) = sink.messages
    assert envelope.mail_from == "desk@example.com"
    assert envelope.rcpt_tos == ["oncall@example.com", "cto@example.com"]
    mail = parsed(envelope)
    assert mail["Subject"] == "[ACME] [SEV-1] Checkout down"  # one space, whether the prefix ends with one or not
    assert mail["To"] == "oncall@example.com, cto@example.com"
    assert mail["Message-ID"] == "<INC-2025-001.c7.ops-email@example.com>"
    assert mail["X-Incident-Desk-Idempotency-Key"] == "INC-2025-001.c7.ops-email"
    assert mail["Date"].datetime == dt.datetime(2025, 1, 15, 2, 35, tzinfo=dt.timezone.utc)
    assert mail.get_content().replace("\r\n", "\n") == "Checkout returns 500.\nWe are on it.\n\nSeverity: SEV-1\n"


@pytest.mark.parametrize("smtp_server", [{"auth": True}], indirect=True)
def test_auth_login_over_a_local_plain_connection(plugins, smtp_server):
    controller, sink, auth = smtp_server
    base = dict(host="127.0.0.1", port=controller.port, security="none", sender="desk@example.com",
                to=["oncall@example.com"], username="desk", timeout=5)
    good = plugins.send("email", message(), EmailConfig(**base, password=Secret(PASSWORD, "env:SMTP_PASSWORD")))
    assert good.state == "sent", good.error
    assert auth.attempts == [("LOGIN", "desk")]
    bad = plugins.send("email", message(), EmailConfig(**base, password=Secret("wrong", "env:SMTP_PASSWORD")))
    assert bad.state == "failed" and not bad.retryable and "login refused" in bad.error
    assert len(sink.messages) == 1


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_starttls_with_login_and_a_trusted_ca(plugins, tmp_path):
    cert_file, key_file = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    sink, auth = MailSink(), PasswordCheck("desk", PASSWORD)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), tls_context=server_context,
                            require_starttls=True, authenticator=auth, auth_require_tls=True)
    controller.start()
    try:
        base = dict(host="127.0.0.1", port=controller.port, security="starttls", sender="desk@example.com",
                    to=["oncall@example.com"], username="desk", password=Secret(PASSWORD, "env:P"), timeout=5)
        untrusted = plugins.send("email", message(), EmailConfig(**base))
        assert untrusted.state == "failed" and "certificate" in untrusted.error.lower()
        trusted = plugins.send("email", message(), EmailConfig(**base, ca_file=str(cert_file)))
        assert trusted.state == "sent", trusted.error
        assert len(sink.messages) == 1 and auth.attempts and auth.attempts[-1][1] == "desk"
    finally:
        controller.stop()


def test_no_server_is_a_retryable_failure_without_the_password(plugins):
    config = EmailConfig(host="127.0.0.1", port=free_port(), security="none", sender="d@example.com",
                         to=["o@example.com"], username="desk", password=Secret(PASSWORD, "env:P"), timeout=2)
    result = plugins.send("email", message(), config)
    assert result.state == "failed" and result.retryable and PASSWORD not in result.error


def test_password_without_tls_to_a_remote_host_is_refused():
    with pytest.raises(ValueError, match="unencrypted"):
        EmailConfig(host="smtp.example.com", security="none", sender="d@example.com", to=["o@example.com"],
                    username="desk", password=Secret("x", "env:P"))
    with pytest.raises(ValueError, match="username and password go together"):
        EmailConfig(host="127.0.0.1", sender="d@example.com", to=["o@example.com"], username="desk")
