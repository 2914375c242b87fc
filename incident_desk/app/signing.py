"""Signing PDF reports: a PAdES baseline (B-B, or B-T with a timestamp server) signature made with pyHanko.

The signature is made with the user's key (`app.keys.open_key`), carries the signer's name, the reason
and the location, and covers the whole file. It may have a visible stamp on the first page. A timestamp
from an RFC 3161 server is added only when one is configured (the desk works offline by default).

Signing fails closed: a key that is expired, not yet valid or lacks the non-repudiation usage is refused
here again (whoever opened it), with a message that says which, and nothing is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..domain import DomainError

FIELD_NAME = "IncidentDeskSignature"


class SigningProblem(DomainError):
    """The report cannot be signed; the message says why. No file is written."""


@dataclass(frozen=True)
class SigningRequest:
    """A signature to add: the opened key (`SigningKey` from app.keys), and what the signature says."""

    key: Any
    reason: str = "Incident report"
    location: str = ""
    visible_stamp: bool = False
    timestamp_url: str = ""

    @property
    def signer_name(self) -> str:
        return certificate_name(self.key.certificate)


def certificate_name(certificate: Any) -> str:
    """The certificate's common name, else its whole subject."""
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def check_key(key: Any, at: datetime | None = None) -> None:
    """Refuse a certificate that cannot sign now (outside its validity, or without non-repudiation),
    whoever opened the key; the same rules as `keys.open_key`."""
    from .keys import KeyProblem, check_usable

    try:
        check_usable(certificate_name(key.certificate), key.certificate, at or datetime.now(timezone.utc))
    except KeyProblem as problem:
        raise SigningProblem(f"cannot sign: {problem}; nothing was written") from None


def _signer(key: Any) -> Any:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    certificate = asn1_x509.Certificate.load(key.certificate.public_bytes(der))
    private = asn1_keys.PrivateKeyInfo.load(key.private_key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in (getattr(key, "chain", None) or [])]
    return signers.SimpleSigner(signing_cert=certificate, signing_key=private,
                                cert_registry=SimpleCertificateStore.from_certs(chain))


def sign_pdf(data: bytes, request: SigningRequest, at: datetime | None = None) -> bytes:
    """`data` (an unsigned PDF) with a PAdES signature appended as an incremental update."""
    check_key(request.key, at)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=request.reason or None, location=request.location or None,
        name=request.signer_name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
    )
    timestamper = None
    if request.timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(request.timestamp_url)
    field_spec, style = None, None
    if request.visible_stamp:
        from pyhanko.stamp import TextStampStyle

        field_spec = fields.SigFieldSpec(FIELD_NAME, on_page=0, box=(324, 64, 544, 124))
        style = TextStampStyle(stamp_text="Digitally signed by %(signer)s\n%(ts)s\nReason: " +
                               (request.reason or "-").replace("%", "%%"), border_width=1)
    pdf_signer = signers.PdfSigner(metadata, signer=_signer(request.key), timestamper=timestamper,
                                   stamp_style=style, new_field_spec=field_spec)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    try:
        output = pdf_signer.sign_pdf(writer)
    except Exception as error:  # noqa: BLE001 - pyHanko and the TSA raise many types; say what happened
        raise SigningProblem(f"signing failed: {type(error).__name__}: {error}; nothing was written") from None
    return output.getvalue()
