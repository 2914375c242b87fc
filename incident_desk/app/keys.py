"""Signing keys: X.509 certificates with the non-repudiation key usage and their passphrase-protected keys.

A key lives in the user's keys folder (`keys_folder()`), never in a workspace, as two files:

- `NAME.p12`: the private key, its certificate and any chain, in a PKCS#12 file encrypted with the
  passphrase (`cryptography`'s best available encryption), readable by the owner only;
- `NAME.crt`: the certificate alone (PEM), so keys can be listed and checkpoints checked without it.

The passphrase is never stored. Signed checkpoints (`audit checkpoint`) and signed PDF exports open a key
with `open_key`, which says exactly why a key cannot sign: no such key, wrong passphrase, expired or not
yet valid, or a certificate without the non-repudiation (content commitment) key usage.

`open_key(None, ...)` picks the default key: the one named by `$INCIDENT_DESK_KEY` when set, else the
only key in the folder; with several keys and no default it refuses and lists them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

KEYS_DIR_ENV = "INCIDENT_DESK_KEYS_DIR"
DEFAULT_KEY_ENV = "INCIDENT_DESK_KEY"
MIN_PASSPHRASE_BYTES = 8
MAX_VALID_DAYS = 3650
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_IMPORT_BYTES = 1_000_000

ProblemKind = Literal["not_found", "exists", "passphrase", "validity", "usage", "invalid", "io"]


class KeyProblem(Exception):
    """A key cannot be created, imported or used; the message says exactly why and what to do.

    `kind` tells the face which exit code fits: not_found, exists, passphrase, validity, usage, invalid, io.
    """

    def __init__(self, message: str, kind: ProblemKind = "invalid") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class KeyInfo:
    """What can be told about a key from its certificate alone (no passphrase needed)."""

    name: str
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    has_non_repudiation: bool
    p12_path: Path
    cert_path: Path

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer


@dataclass
class SigningKey:
    """An opened key, ready to sign."""

    info: KeyInfo
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)
    p12_path: Path = Path()


def keys_folder() -> Path:
    """`$INCIDENT_DESK_KEYS_DIR` if set, else the user's config folder: e.g. ~/.config/incident-desk/keys."""
    explicit = os.environ.get(KEYS_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_config_dir("incident-desk", appauthor=False)) / "keys"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise KeyProblem(f"key name {name!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit", "invalid")
    return name


def _check_passphrase(passphrase: bytes) -> None:
    if len(passphrase) < MIN_PASSPHRASE_BYTES:
        raise KeyProblem(f"the passphrase must be at least {MIN_PASSPHRASE_BYTES} characters long", "passphrase")


def _paths(name: str) -> tuple[Path, Path]:
    folder = keys_folder()
    return folder / f"{name}.p12", folder / f"{name}.crt"


# ---------------------------------------------------------------- describing certificates

def has_non_repudiation(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.content_commitment)


def describe(name: str, certificate: x509.Certificate, p12_path: Path, cert_path: Path) -> KeyInfo:
    return KeyInfo(
        name=name,
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        has_non_repudiation=has_non_repudiation(certificate),
        p12_path=p12_path,
        cert_path=cert_path,
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def check_usable(name: str, certificate: x509.Certificate, at: datetime | None = None) -> None:
    """Refuse a certificate that cannot sign evidence at `at` (default now): validity dates, key usage."""
    moment = at or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment < certificate.not_valid_before_utc:
        raise KeyProblem(f"key {name!r} is not valid yet: its certificate is valid from "
                         f"{_stamp(certificate.not_valid_before_utc)} to {_stamp(certificate.not_valid_after_utc)}",
                         "validity")
    if moment > certificate.not_valid_after_utc:
        raise KeyProblem(f"key {name!r} has expired: its certificate was valid from "
                         f"{_stamp(certificate.not_valid_before_utc)} to {_stamp(certificate.not_valid_after_utc)}; "
                         "create or import a new key", "validity")
    if not has_non_repudiation(certificate):
        raise KeyProblem(f"key {name!r} cannot sign evidence: its certificate lacks the non-repudiation "
                         "(content commitment) key usage", "usage")


# ---------------------------------------------------------------- writing

def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only, atomically, without following a symlink at `path`."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _store(name: str, private_key, certificate: x509.Certificate, chain: list[x509.Certificate],
           passphrase: bytes) -> KeyInfo:
    p12_path, cert_path = _paths(name)
    if p12_path.exists() or cert_path.exists():
        raise KeyProblem(f"a key named {name!r} already exists in {p12_path.parent}; choose another name", "exists")
    p12 = pkcs12.serialize_key_and_certificates(
        name.encode(), private_key, certificate, chain or None,
        serialization.BestAvailableEncryption(passphrase))
    try:
        p12_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(p12_path, p12)
        _write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    except OSError as error:
        p12_path.unlink(missing_ok=True)
        raise KeyProblem(f"cannot write key {name!r} to {p12_path.parent}: {error.strerror}", "io") from None
    return describe(name, certificate, p12_path, cert_path)


def _subject(common_name: str, organisation: str | None, email: str | None) -> x509.Name:
    if not common_name or not common_name.strip():
        raise KeyProblem("the certificate needs a common name (--cn), e.g. the signer's full name", "invalid")
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name.strip())]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.strip()))
    if email:
        if "@" not in email or any(c.isspace() for c in email):
            raise KeyProblem(f"{email!r} is not an e-mail address", "invalid")
        parts.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email.strip()))
    try:
        return x509.Name(parts)
    except ValueError as error:
        raise KeyProblem(f"the certificate subject is not valid: {error}", "invalid") from None


SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)


def _new_private_key(algorithm: str):
    if algorithm == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if algorithm == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise KeyProblem(f"unknown key algorithm {algorithm!r}: use rsa (RSA-3072) or ec (P-256)", "invalid")


def create_key(name: str, *, common_name: str, organisation: str | None, email: str | None, passphrase: bytes,
               valid_days: int = 825, csr_path: Path | None = None, algorithm: str = "rsa") -> KeyInfo:
    """Create a key and a self-signed certificate for signing evidence; optionally a CSR for the
    organisation's CA (import the certificate it issues with `import_key`)."""
    check_name(name)
    _check_passphrase(passphrase)
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise KeyProblem(f"--days must be between 1 and {MAX_VALID_DAYS}, got {valid_days}", "invalid")
    subject = _subject(common_name, organisation, email)
    p12_path, cert_path = _paths(name)
    if p12_path.exists() or cert_path.exists():
        raise KeyProblem(f"a key named {name!r} already exists in {p12_path.parent}; choose another name", "exists")
    private_key = _new_private_key(algorithm)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    public_key = private_key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(SIGNING_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    if csr_path is not None:
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(subject)
               .add_extension(SIGNING_USAGE, critical=True)
               .sign(private_key, hashes.SHA256()))
        try:
            Path(csr_path).parent.mkdir(parents=True, exist_ok=True)
            Path(csr_path).write_bytes(csr.public_bytes(serialization.Encoding.PEM))
        except OSError as error:
            raise KeyProblem(f"cannot write the CSR to {csr_path}: {error.strerror}", "io") from None
    return _store(name, private_key, certificate, [], passphrase)


# ---------------------------------------------------------------- importing

def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise KeyProblem(f"{path} is too large to be a key or certificate file", "invalid")
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyProblem(f"{path}: no such file", "not_found") from None
    except OSError as error:
        raise KeyProblem(f"cannot read {path}: {error.strerror}", "io") from None


def _load_pem(source: Path, data: bytes, cert_data: bytes, passphrase: bytes):
    try:
        private_key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:  # the key is not encrypted: the passphrase will protect the imported copy
        try:
            private_key = serialization.load_pem_private_key(data, password=None)
        except ValueError as error:
            raise KeyProblem(f"{source}: no readable private key ({error})", "invalid") from None
    except ValueError:
        raise KeyProblem(f"{source}: the passphrase does not open this private key (or it is damaged)",
                         "passphrase") from None
    except UnsupportedAlgorithm as error:
        raise KeyProblem(f"{source}: unsupported key algorithm ({error})", "invalid") from None
    try:
        certificates = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise KeyProblem(f"{source}: no PEM certificate found; give it with --cert FILE or in the same file",
                         "invalid") from None
    return private_key, certificates


def _public_bytes(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def import_key(source: Path, *, name: str, passphrase: bytes, cert: Path | None = None) -> KeyInfo:
    """Import a PKCS#12 file (opened with `passphrase`), or a PEM private key with its certificate (in
    the same file or in `cert`; an encrypted PEM key is opened with `passphrase`). The key is checked
    before anything is written: it must open, match its certificate, be valid now and carry the
    non-repudiation key usage. The imported copy is protected with `passphrase`."""
    check_name(name)
    _check_passphrase(passphrase)
    source = Path(source)
    data = _read(source)
    if b"-----BEGIN" in data[:4096]:
        cert_data = _read(Path(cert)) if cert is not None else data
        private_key, certificates = _load_pem(source, data, cert_data, passphrase)
    else:
        try:
            private_key, leaf, extra = pkcs12.load_key_and_certificates(data, passphrase)
        except ValueError:
            raise KeyProblem(f"{source}: wrong passphrase, or not a PKCS#12 file", "passphrase") from None
        except UnsupportedAlgorithm as error:
            raise KeyProblem(f"{source}: unsupported PKCS#12 content ({error})", "invalid") from None
        certificates = ([leaf] if leaf else []) + list(extra)
    if private_key is None:
        raise KeyProblem(f"{source}: holds no private key", "invalid")
    if not isinstance(private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyProblem(f"{source}: only RSA and EC keys can sign PDFs and checkpoints here", "invalid")
    mine = _public_bytes(private_key.public_key())
    leaf = next((c for c in certificates if _public_bytes(c.public_key()) == mine), None)
    if leaf is None:
        raise KeyProblem(f"{source}: no certificate matches the private key", "invalid")
    check_usable(name, leaf)
    chain = [c for c in certificates if c is not leaf]
    return _store(name, private_key, leaf, chain, passphrase)


# ---------------------------------------------------------------- listing and opening

def _load_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except OSError as error:
        raise KeyProblem(f"cannot read {path}: {error.strerror}", "io") from None
    except ValueError:
        raise KeyProblem(f"{path} is not a PEM certificate (damaged?)", "invalid") from None


def key_names() -> list[str]:
    folder = keys_folder()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.p12") if NAME_PATTERN.fullmatch(p.stem))


def list_keys() -> list[KeyInfo]:
    """Every key in the keys folder, by name; a damaged certificate file is refused by name."""
    infos = []
    for name in key_names():
        p12_path, cert_path = _paths(name)
        infos.append(describe(name, _load_certificate(cert_path), p12_path, cert_path))
    return infos


def _no_such_key(name: str) -> KeyProblem:
    names = key_names()
    known = f"keys here: {', '.join(names)}" if names else "there are no keys yet (create one with `keys create`)"
    return KeyProblem(f"no key named {name!r} in {keys_folder()}; {known}", "not_found")


def default_key_name() -> str:
    """The key used when none is named: `$INCIDENT_DESK_KEY`, else the only key in the folder."""
    chosen = os.environ.get(DEFAULT_KEY_ENV)
    if chosen:
        return chosen
    names = key_names()
    if len(names) == 1:
        return names[0]
    if not names:
        raise KeyProblem(f"there are no signing keys in {keys_folder()}; create one with `keys create`", "not_found")
    raise KeyProblem(f"there are several keys ({', '.join(names)}); name one with --key or set ${DEFAULT_KEY_ENV}",
                     "not_found")


def open_key(name: str | None, passphrase: bytes, *, at: datetime | None = None) -> SigningKey:
    """Open a key to sign with; refuse, saying which, when it does not exist, the passphrase is wrong,
    the certificate is expired or not yet valid at `at` (default now), or it lacks non-repudiation."""
    name = check_name(name if name is not None else default_key_name())
    p12_path, cert_path = _paths(name)
    if not p12_path.is_file():
        raise _no_such_key(name)
    data = _read(p12_path)
    try:
        private_key, certificate, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise KeyProblem(f"wrong passphrase for key {name!r} (or {p12_path} is damaged)", "passphrase") from None
    if private_key is None or certificate is None:
        raise KeyProblem(f"{p12_path} holds no key and certificate pair", "invalid")
    if not isinstance(private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyProblem(f"{p12_path} holds a {type(private_key).__name__}; only RSA and EC keys can sign reports",
                         "invalid")
    check_usable(name, certificate, at)
    return SigningKey(info=describe(name, certificate, p12_path, cert_path), private_key=private_key,
                      certificate=certificate, chain=list(extra), p12_path=p12_path)


__all__ = ["KeyInfo", "KeyProblem", "SigningKey", "keys_folder", "create_key", "import_key", "list_keys",
           "open_key", "default_key_name", "check_usable", "has_non_repudiation"]
