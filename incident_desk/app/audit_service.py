"""Audit verification and signed checkpoints: the use cases behind `audit verify` and `audit checkpoint`.

- `verify` checks the checkpoint log (order, chaining, each signature against the certificate it names,
  and whether that certificate is one of the user's own keys), then every incident's chain against the
  newest checkpoint and the newest one signed by a trusted key (every checkpoint with `full`).
- `checkpoint` verifies first (a tampered workspace is never signed), then pins the heads of all
  incidents, signed with a key from `app.keys` or, when asked explicitly, unsigned.

The incremental cache lives in the user's cache folder (`$INCIDENT_DESK_CACHE_DIR` if set), not in the
workspace, so someone who can only write the workspace cannot mark an edited file as verified.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from ..domain import DomainError
from ..store import checkpoints as checkpoint_store
from ..store.errors import DamagedFile
from ..store.verification import WorkspaceVerification, current_heads
from . import keys as key_store

CACHE_DIR_ENV = "INCIDENT_DESK_CACHE_DIR"


@dataclass
class CheckpointStatus:
    seq: int
    at: str
    actor: str
    incidents: int
    signed: bool
    signer: str = ""
    fingerprint: str = ""
    #: the name of the user's key whose certificate signed it, when it is one of theirs
    trusted_key: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        how = (f"signed by {self.signer}" + (f", your key '{self.trusted_key}'" if self.trusted_key else
                                             ", a certificate that is not one of your keys")
               if self.signed else "unsigned")
        return f"checkpoint {self.seq} ({self.at}, {how})"


@dataclass
class AuditVerification:
    result: WorkspaceVerification
    checkpoints: list[CheckpointStatus] = field(default_factory=list)
    #: checkpoint-log problems (damaged log, bad signatures, missing heads files)
    problems: list[str] = field(default_factory=list)
    compared_with: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.problems


def cache_path(workspace_root: Path) -> Path:
    base = os.environ.get(CACHE_DIR_ENV)
    if base:
        folder = Path(base)
    else:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("incident-desk", appauthor=False))
    digest = hashlib.sha256(str(workspace_root.resolve()).encode()).hexdigest()[:24]
    return folder / "verified" / f"{digest}.json"


def _own_certificates() -> dict[str, str]:
    """fingerprint -> key name, for the user's own keys (a damaged keys folder trusts nothing)."""
    try:
        return {info.fingerprint_sha256: info.name for info in key_store.list_keys()}
    except key_store.KeyProblem:
        return {}


def sign(entry: dict[str, Any], key: key_store.SigningKey) -> dict[str, Any]:
    """Add the signer and a signature over `checkpoints.signing_bytes(entry)`."""
    entry = dict(entry)
    entry["signer"] = {"key": key.info.name, "subject": key.info.subject,
                       "fingerprint_sha256": key.info.fingerprint_sha256,
                       "certificate": key.certificate.public_bytes(serialization.Encoding.PEM).decode()}
    data = checkpoint_store.signing_bytes(entry)
    if isinstance(key.private_key, rsa.RSAPrivateKey):
        signature = key.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    entry["signature"] = base64.b64encode(signature).decode()
    return entry


def check_signature(entry: dict[str, Any]) -> tuple[x509.Certificate | None, str]:
    """(certificate, problem) of a signed checkpoint line; problem is '' when the signature verifies."""
    signer = entry.get("signer")
    if not isinstance(signer, dict):
        return None, "its signer certificate or signature is unreadable"
    try:
        certificate = x509.load_pem_x509_certificate(str(signer["certificate"]).encode())
        signature = base64.b64decode(str(entry["signature"]), validate=True)
    except (KeyError, TypeError, ValueError):
        return None, "its signer certificate or signature is unreadable"
    if certificate.fingerprint(hashes.SHA256()).hex() != signer.get("fingerprint_sha256"):
        return certificate, "its signer's fingerprint does not match the certificate it carries"
    public_key = certificate.public_key()
    data = checkpoint_store.signing_bytes(entry)
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return certificate, "its signer's key type is not supported"
    except InvalidSignature:
        return certificate, "its signature does not verify: the checkpoint was changed after it was signed"
    return certificate, ""


def checkpoint_statuses(log: checkpoint_store.CheckpointLog) -> list[CheckpointStatus]:
    own = _own_certificates()
    statuses = []
    for entry in log.entries:
        status = CheckpointStatus(seq=int(entry.get("seq", 0) or 0), at=str(entry.get("at", "")),
                                  actor=str(entry.get("actor", "")), incidents=int(entry.get("incidents", 0) or 0),
                                  signed="signature" in entry)
        if status.signed:
            certificate, status.problem = check_signature(entry)
            if certificate is not None:
                status.signer = certificate.subject.rfc4514_string()
                status.fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
                if not status.problem:
                    status.trusted_key = own.get(status.fingerprint, "")
        statuses.append(status)
    return statuses


def verify(workspace: Any, *, full: bool = False, only: str | None = None) -> AuditVerification:
    """Verify the checkpoint log, then the chains (incrementally unless `full`) against the checkpoints."""
    log = workspace.checkpoint_log()
    statuses = checkpoint_statuses(log)
    outcome = AuditVerification(result=WorkspaceVerification(full=full), checkpoints=statuses,
                                problems=list(log.problems))
    outcome.problems += [f"checkpoint {s.seq}: {s.problem}" for s in statuses if s.problem]
    usable = [(entry, status) for entry, status in zip(log.entries, statuses, strict=True) if not status.problem]
    chosen: list[tuple[dict, CheckpointStatus]] = []
    if full:
        chosen = usable
    elif usable:
        chosen = [usable[-1]]
        trusted = [pair for pair in usable if pair[1].trusted_key]
        if trusted and trusted[-1] is not usable[-1]:
            chosen.insert(0, trusted[-1])
    references = []
    for entry, status in chosen:
        try:
            references.append(workspace.checkpoint_reference(entry, status.label))
            outcome.compared_with.append(status.label)
        except DamagedFile as damage:
            outcome.problems.append(str(damage))
    outcome.result = workspace.verify_chains(references=references, cache_path=cache_path(workspace.path),
                                             full=full, only=only)
    if only is None:
        outcome.problems += _rules_problems(workspace.path, chosen)
    return outcome


def _rules_problems(root: Path, chosen: list[tuple[dict, CheckpointStatus]]) -> list[str]:
    """The rules history's own problems, and a history rewritten behind a checkpoint that pinned its head."""
    from .rules_archive import RulesArchive

    archive = RulesArchive(root)
    problems = archive.verify_history()
    lines = {entry.get("hash") for entry in archive.history() if isinstance(entry.get("hash"), str)}
    for entry, status in chosen:
        pinned = entry.get("rules_head")
        if isinstance(pinned, str) and pinned not in lines:
            problems.append(f"the rules history was rewritten behind {status.label}: the line it pinned "
                            f"({pinned[:16]}…) is gone or changed")
    return problems


def checkpoint(workspace: Any, *, actor: str, at: Any, key: key_store.SigningKey | None) -> tuple[dict, AuditVerification]:
    """Verify, then append a checkpoint of every incident's head (signed with `key`, unless None)."""
    checked = verify(workspace)
    if not checked.ok:
        first = (checked.problems or [f"{r.incident_id}: {r.problems[0]}" for r in checked.result.failed]
                 or checked.result.problems)[0]
        raise DomainError(f"refusing to checkpoint a workspace that does not verify ({first}); "
                          "run `incident-desk audit verify` for every problem")
    heads = current_heads(checked.result, workspace.path, cache_path(workspace.path))
    from .rules_archive import RulesArchive

    rules_head = RulesArchive(workspace.path).head()

    def seal(line: dict) -> dict:
        line = {**line, "rules_head": rules_head}  # the rules history is pinned (and signed) with the heads
        return sign(line, key) if key is not None else line

    return workspace.add_checkpoint(heads, actor=actor, at=at, seal=seal), checked
