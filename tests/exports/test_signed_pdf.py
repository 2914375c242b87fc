"""Signed PDF reports: pyHanko and poppler's pdfsig accept them against the test's own root CA; any change
after signing makes `verify` fail; a key that cannot sign writes nothing and says why."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from asn1crypto import x509 as asn1_x509

from incident_desk.app import exports
from incident_desk.app.signing import SigningProblem, SigningRequest
from incident_desk.app.wiring import open_desk

from .conftest import pdfsig, pdftotext, require_tool


def signed_report(workspace: Path, key, target: Path, **details) -> Path:
    with open_desk(workspace) as desk:
        exports.export_incident(desk, "INC-2025-001", "pdf", target,
                                signing=SigningRequest(key, location="Lyon", **details))
    return target


@pytest.fixture
def signed(seed_workspace, ca, tmp_path) -> Path:
    return signed_report(seed_workspace, ca.signer("Dana Reyes"), tmp_path / "report.pdf")


def pyhanko_status(path: Path, ca):
    root = asn1_x509.Certificate.load(ca.certificate.public_bytes(__import__("cryptography").hazmat.primitives
                                                                 .serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    (signature,) = reader.embedded_signatures
    return signature, validate_pdf_signature(signature, ValidationContext(trust_roots=[root], allow_fetching=False))


def test_signed_report_validates_with_pyhanko(signed, ca):
    signature, status = pyhanko_status(signed, ca)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Dana Reyes"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
    assert signature.sig_object["/Reason"] == "Incident report" and signature.sig_object["/Location"] == "Lyon"


def test_signed_report_validates_with_pdfsig_against_the_test_root(signed, nss_db):
    output = pdfsig(signed, nss_db)
    assert "Signature Validation: Signature is Valid." in output, output
    assert "Certificate Validation: Certificate is Trusted." in output, output
    assert "Total document signed" in output and "ETSI.CAdES.detached" in output
    assert "Dana Reyes" in output


def test_visible_stamp_is_signed_and_shown(seed_workspace, ca, tmp_path, nss_db):
    path = signed_report(seed_workspace, ca.signer("Sam Okafor"), tmp_path / "stamped.pdf", visible_stamp=True)
    assert "Signature is Valid." in pdfsig(path, nss_db)
    assert "Digitally signed by Sam Okafor" in pdftotext(path)


def test_verify_accepts_the_signed_report(run, signed, ca_file):
    code, out, err = run("verify", signed, "--trust", ca_file)
    assert code == 0, out + err
    assert "Signer:        Dana Reyes" in out and "VALID: every check passed" in out
    assert "matches the current head of INC-2025-001's audit trail" in out
    code, out, _ = run("verify", signed, "--trust", ca_file, "--json")
    document = json.loads(out)
    assert document["ok"] and {c["name"] for c in document["checks"]} == {"integrity", "coverage", "trust",
                                                                            "audit head"}


def test_verify_without_a_trusted_root_fails(run, signed):
    code, out, _ = run("verify", signed)
    assert code == 1 and "FAIL  trust" in out


def test_verify_with_another_root_fails(run, signed, tmp_path):
    from .pki import TestCA

    other = TestCA.create("Somebody Else's CA").write(tmp_path / "other.pem")
    code, out, _ = run("verify", signed, "--trust", other)
    assert code == 1 and "FAIL  trust" in out


@pytest.mark.parametrize("offset", [0.25, 0.5, 0.9])
def test_one_flipped_byte_fails_verify(run, signed, ca_file, offset, tmp_path, nss_db):
    data = bytearray(signed.read_bytes())
    contents_start = data.index(b"/Contents <")
    position = int(len(data) * offset)
    if contents_start <= position < contents_start + 20000:
        position = contents_start - 100  # flip a signed byte, not the signature's hex digits
    data[position] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    code, out, err = run("verify", tampered, "--trust", ca_file)
    assert code == 1, out
    assert "INVALID" in out and "Traceback" not in out + err
    assert "Signature is Valid." not in pdfsig(tampered, nss_db)


def test_an_appended_incremental_update_fails_verify(run, signed, ca_file, tmp_path, nss_db):
    tampered = tmp_path / "appended.pdf"
    tampered.write_bytes(signed.read_bytes())
    with tampered.open("rb+") as handle:
        writer = IncrementalPdfFileWriter(handle)
        writer.root["/Lang"] = generic.TextStringObject("fr")
        writer.update_root()
        writer.write_in_place()
    code, out, _ = run("verify", tampered, "--trust", ca_file)
    assert code == 1 and "FAIL  coverage" in out
    assert "Not total document signed" in pdfsig(tampered, nss_db)


def test_verify_reports_a_changed_incident_as_an_earlier_state(run, signed, ca_file):
    assert run("timeline", "add", "INC-2025-001", "Late note")[0] == 0
    code, out, _ = run("verify", signed, "--trust", ca_file)
    assert code == 0 and "an earlier state of INC-2025-001" in out


def test_verify_fails_when_the_audit_head_is_not_in_the_trail(run, signed, ca_file, tmp_path):
    # the same incident imported into another workspace has a trail of its own: the report's head is not in it
    backup = tmp_path / "inc.json"
    assert run("export", "INC-2025-001", "-o", backup)[0] == 0
    other = tmp_path / "other-ws"
    assert run("--workspace", other, "init")[0] == 0
    assert run("--workspace", other, "import", backup)[0] == 0
    code, out, _ = run("--workspace", other, "verify", signed, "--trust", ca_file)
    assert code == 1 and "FAIL  audit head: not found in INC-2025-001's audit trail" in out


def test_verify_outside_a_workspace_checks_the_file_alone(run, signed, ca_file, tmp_path):
    code, out, _ = run("--workspace", tmp_path / "nowhere", "verify", signed, "--trust", ca_file)
    assert code == 0 and "audit head: not compared (no workspace given)" in out


def test_verify_of_an_unsigned_or_broken_file_fails_in_one_line(run, tmp_path):
    unsigned = tmp_path / "plain.pdf"
    assert run("export", "INC-2025-001", "-f", "pdf", "-o", unsigned)[0] == 0
    code, out, _ = run("verify", unsigned)
    assert code == 1 and "no signature" in out
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n garbage \x00\xff")
    code, out, err = run("verify", junk)
    assert code == 1 and "Traceback" not in out + err
    code, _, err = run("verify", tmp_path / "missing.pdf")
    assert code == 3 and "missing.pdf" in err


@pytest.mark.parametrize("kind, message", [
    ("expired", "has expired"),
    ("no-non-repudiation", "lacks the non-repudiation"),
])
def test_a_key_that_cannot_sign_writes_nothing_and_says_why(seed_workspace, ca, tmp_path, kind, message):
    key = ca.signer(expired=True) if kind == "expired" else ca.signer(non_repudiation=False)
    target = tmp_path / "out" / "report.pdf"
    with open_desk(seed_workspace) as desk:
        with pytest.raises(SigningProblem, match=message):
            exports.export_incident(desk, "INC-2025-001", "pdf", target, signing=SigningRequest(key))
    assert not target.exists()
    assert not list(target.parent.glob("*")) if target.parent.exists() else True


def test_pdf_document_metadata(signed):
    tool = require_tool("pdfinfo")
    info = subprocess.run([tool, str(signed)], capture_output=True, text=True, timeout=60).stdout
    assert "Title:           INC-2025-001: Database cluster failover failure" in info
    assert "Author:          Dana Reyes" in info
    assert "Subject:         Incident Response Analysis of INC-2025-001 (SEV-1" in info
    assert "Keywords:" in info and "INC-2025-001" in info.split("Keywords:")[1].splitlines()[0]
