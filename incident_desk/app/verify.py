"""Checking a signed PDF report: signer, signing time, integrity, coverage, trust and the audit head.

pyHanko validates the signature offline (no certificate or revocation fetching): the bytes it covers
are intact, the signature was made by the key of the certificate it names, the signature covers the
whole file (an update appended after signing, or any byte changed, fails), and the signer's certificate
chains to a trusted root: the certificates given with `--trust`, else those of the user's own keys.
The report's audit head hash (written into the PDF when it was made) is compared with the incident's
audit trail in the workspace when that incident is there: the state the report shows must be one the
trail recorded.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain import DomainError

MAX_PDF_BYTES = 200 * 1024 * 1024

# pyHanko logs every failed check with a traceback; the report below says what failed, in one line each.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


class VerifyProblem(DomainError):
    """The file cannot be checked at all (unreadable, not a PDF, a trust file that is not a certificate)."""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class VerifyReport:
    path: str
    signer: str = ""
    signing_time: datetime | None = None
    incident_id: str = ""
    audit_head: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "signer": self.signer,
                "signing_time": self.signing_time.isoformat() if self.signing_time else None,
                "incident_id": self.incident_id, "audit_head": self.audit_head,
                "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks]}


def load_certificates(path: Path) -> list[Any]:
    """Every certificate in a PEM file (one or more) or a DER file, as asn1crypto certificates."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise VerifyProblem(f"--trust {path}: {error.strerror}") from None
    try:
        if pem.detect(data):
            found = [asn1_x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                     if kind == "CERTIFICATE"]
        else:
            found = [asn1_x509.Certificate.load(data)]
            found[0].native  # noqa: B018 - parse now, so a bad file is reported here
    except Exception:  # noqa: BLE001 - asn1crypto raises several types for garbage
        raise VerifyProblem(f"--trust {path}: not a PEM or DER certificate") from None
    if not found:
        raise VerifyProblem(f"--trust {path}: no certificate in the file")
    return found


def own_key_certificates() -> list[Any]:
    """The certificates of the user's signing keys, trusted when no `--trust` is given."""
    try:
        from . import keys
    except ImportError:
        return []
    found = []
    try:
        infos = keys.list_keys()
    except Exception:  # noqa: BLE001 - an unreadable keys folder only means no default trust
        return []
    for info in infos:
        try:
            found += load_certificates(info.cert_path)
        except VerifyProblem:
            continue
    return found


def _info_entry(reader: Any, name: str, revision: int) -> str:
    """An entry of the document information dictionary as it was in the signed revision."""
    try:
        info = reader.get_historical_resolver(revision).trailer_view.get("/Info")
        value = info.get_object().get(name) if info is not None else None
    except Exception:  # noqa: BLE001 - a damaged info dictionary just means the entry is absent
        return ""
    return str(value) if value is not None else ""


def verify_pdf(path: Path, trust: list[Path] | None = None, audit_lookup: Any = None) -> VerifyReport:
    """Check the signature of `path`. `audit_lookup(incident_id)` returns the incident's audit records
    (or `None` when the incident is not in the workspace)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    report = VerifyReport(str(path))
    try:
        if Path(path).stat().st_size > MAX_PDF_BYTES:
            raise VerifyProblem(f"{path}: larger than {MAX_PDF_BYTES // (1024 * 1024)} MB; not a report of the desk")
        data = Path(path).read_bytes()
    except OSError as error:
        raise VerifyProblem(f"{path}: {error.strerror}") from None
    roots = [cert for item in (trust or []) for cert in load_certificates(item)]
    trust_source = "the --trust certificates" if trust else "your own keys' certificates"
    if not trust:
        roots = own_key_certificates()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        report.add("integrity", False, f"not a readable PDF: {error}")
        return report
    if not signatures:
        report.add("signature", False, "the file has no signature")
        return report
    signature = signatures[-1]
    report.incident_id = _info_entry(reader, "/IncidentDeskIncident", signature.signed_revision)
    report.audit_head = _info_entry(reader, "/IncidentDeskAuditHead", signature.signed_revision)
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(signature, context)
    except Exception as error:  # noqa: BLE001 - a damaged signature raises from deep inside pyHanko
        report.add("integrity", False, f"the signature cannot be checked: {type(error).__name__}: {error}")
        return report
    certificate = status.signing_cert
    if certificate is not None:
        report.signer = certificate.subject.native.get("common_name") or certificate.subject.human_friendly
    report.signing_time = status.signer_reported_dt
    if status.timestamp_validity is not None:
        report.signing_time = status.timestamp_validity.timestamp
    report.add("integrity", bool(status.intact and status.valid),
               "the signed bytes are unchanged and the signature matches the signer's key"
               if status.intact and status.valid else
               "the signed bytes were changed after signing, or the signature does not match")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    report.add("coverage", whole, "the signature covers the whole file" if whole else
               f"the signature does not cover the whole file ({str(getattr(status.coverage, 'name', 'unknown')).lower().replace('_', ' ')}): "
               "something was added after signing")
    if not roots:
        report.add("trust", False, "no trusted certificate to check against; pass --trust CA.pem")
    else:
        report.add("trust", bool(status.trusted),
                   f"the signer's certificate chains to {trust_source}" if status.trusted else
                   f"the signer's certificate does not chain to {trust_source}")
    period = _info_entry(reader, "/IncidentDeskPeriod", signature.signed_revision)
    if period:
        report.incident_id = f"period report: {period}"
        report.audit_head = _info_entry(reader, "/IncidentDeskIncidentsDigest", signature.signed_revision)
        report.add("audit head", True, "a period report: it covers many incidents, no single audit trail to compare")
    elif not report.audit_head:
        report.add("audit head", False, "the report carries no audit head hash")
    elif audit_lookup is None or not report.incident_id:
        report.add("audit head", True, "not compared (no workspace given)")
    else:
        _check_audit(report, audit_lookup)
    return report


def _check_audit(report: VerifyReport, audit_lookup: Any) -> None:
    records = audit_lookup(report.incident_id)
    if records is None:
        report.checks.append(Check("audit head", True, f"{report.incident_id} is not in this workspace; "
                                                       "the audit head was not compared"))
        return
    hashes = [record.hash for record in records]
    if hashes and hashes[-1] == report.audit_head:
        report.add("audit head", True, f"matches the current head of {report.incident_id}'s audit trail")
    elif report.audit_head in hashes:
        record = records[hashes.index(report.audit_head)]
        report.add("audit head", True, f"an earlier state of {report.incident_id} (revision {record.revision}); "
                                       f"the incident changed {len(hashes) - 1 - hashes.index(report.audit_head)} "
                                       "time(s) since")
    else:
        report.add("audit head", False, f"not found in {report.incident_id}'s audit trail: the report does not show "
                                        "a state this workspace recorded")
