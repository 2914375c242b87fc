"""Fixtures for signing-key tests: a keys folder in the test's tmp_path, and certificates built by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "correct horse battery"


@pytest.fixture
def keys_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "keys"
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(folder))
    monkeypatch.delenv("INCIDENT_DESK_KEY", raising=False)
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    return folder


def handmade_p12(path: Path, *, non_repudiation: bool = True, not_before: datetime | None = None,
                 not_after: datetime | None = None, passphrase: str = PASSPHRASE) -> Path:
    """A PKCS#12 file made outside the desk, as an organisation's CA tooling would."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Outside Signer")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=30))
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=non_repudiation,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     key_cert_sign=False, crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"outside", key, certificate, None, serialization.BestAvailableEncryption(passphrase.encode())))
    return path
