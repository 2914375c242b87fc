"""The optional RFC 3161 timestamp: off by default (nothing contacted), used when exports.yaml names a
server, and a bad or unreachable server fails closed with a clear message."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .test_signing_cli import PASSPHRASE, p12_file


def asn1_certificate(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@pytest.fixture
def tsa(ca):
    """A real RFC 3161 server on 127.0.0.1 (answers with pyHanko's test time stamper), counting requests."""
    authority = ca.timestamp_authority()
    stamper = DummyTimeStamper(
        tsa_cert=asn1_certificate(authority.certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(authority.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers.get("Content-Type", ""))
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsr", requests
    server.shutdown()
    server.server_close()


@pytest.fixture
def key(run, ca, tmp_path, monkeypatch):
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    source = p12_file(ca.signer("Dana Reyes"), tmp_path / "dana.p12")
    assert run("keys", "import", source, "--name", "dana", "--passphrase-env", "KEY_PASS")[0] == 0


def timestamp_of(path: Path, ca):
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    (signature,) = reader.embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[asn1_certificate(ca.certificate)],
                                                                 allow_fetching=False))
    return status


def test_no_timestamp_by_default(run, key, tsa, tmp_path, ca):
    _, requests = tsa
    target = tmp_path / "plain.pdf"
    assert run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS")[0] == 0
    assert requests == [] and timestamp_of(target, ca).timestamp_validity is None


def test_timestamp_server_from_exports_yaml(run, key, tsa, seed_workspace, tmp_path, ca, ca_file):
    url, requests = tsa
    (seed_workspace / "exports.yaml").write_text(f"signing:\n  timestamp_url: {url}\n  location: Lyon\n")
    target = tmp_path / "stamped.pdf"
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS")
    assert code == 0, err
    assert requests and set(requests) == {"application/timestamp-query"}  # pyHanko also asks once to size it
    status = timestamp_of(target, ca)
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    code, out, _ = run("verify", target, "--trust", ca_file)
    assert code == 0 and "VALID" in out


def test_unreachable_or_bad_timestamp_settings_write_nothing(run, key, seed_workspace, tmp_path):
    target = tmp_path / "x.pdf"
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS",
                       "--timestamp-url", "http://127.0.0.1:9/tsr")
    assert code == 4 and "signing failed" in err and "nothing was written" in err and not target.exists()
    (seed_workspace / "exports.yaml").write_text("signing:\n  timestamp_url: ftp://tsa.example\n")
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "exports.yaml: signing.timestamp_url: " in err and not target.exists()
    (seed_workspace / "exports.yaml").write_text("signing:\n  colour: blue\n")
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "signing.colour" in err and not target.exists()
