"""A test PKI made with `cryptography`: a root CA issuing signer certificates of every kind a test needs.

`signer(...)` returns a key the desk can sign with (private key, certificate, chain), with or without the
non-repudiation usage, valid now or expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Incident Desk Tests")])


def _usage(*, signer: bool, non_repudiation: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=non_repudiation, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not signer,
                         crl_sign=not signer, encipher_only=False, decipher_only=False)


@dataclass
class TestKey:
    """Shaped like app.keys.SigningKey where the desk reads it: private_key, certificate, chain."""

    private_key: object
    certificate: x509.Certificate
    chain: list = field(default_factory=list)


@dataclass
class TestCA:
    key: object
    certificate: x509.Certificate

    @classmethod
    def create(cls, common_name: str = "Incident Desk Test Root CA") -> "TestCA":
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        certificate = (
            x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=2)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(signer=False, non_repudiation=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
        return cls(key, certificate)

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.pem())
        return path

    def signer(self, common_name: str = "Dana Reyes", *, non_repudiation: bool = True,
               expired: bool = False) -> TestKey:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        start, end = (now - timedelta(days=400), now - timedelta(days=35)) if expired else \
            (now - timedelta(days=1), now + timedelta(days=365))
        certificate = (
            x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(signer=True, non_repudiation=non_repudiation), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256()))
        return TestKey(key, certificate, [self.certificate])

    def timestamp_authority(self, common_name: str = "Test Time Stamping Authority") -> TestKey:
        """An RSA key and certificate for RFC 3161 timestamps (extended key usage timeStamping)."""
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.now(timezone.utc)
        certificate = (
            x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(signer=True, non_repudiation=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256()))
        return TestKey(key, certificate, [self.certificate])
