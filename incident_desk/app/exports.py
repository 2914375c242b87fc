"""Export use cases: one incident to any registered format, optionally signed; never a partial file.

Exporters come from plugins (`register_exporters`); the built-in ones are the `incident_desk_exporters`
plugin. An export is written to a temporary file beside the target, flushed to disk (fsync), and only
then renamed over the target, so a crash or a kill at any moment leaves the target absent (or as it
was) or complete. A signed export opens and checks the key before anything is rendered, and signs
before the rename: if signing fails, nothing is written.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..domain import DomainError, Incident
from ..plugin import Plugins, Provided
from ..render.export_context import ExportContext
from ..store.errors import StoreError
from .desk import Desk
from .reporting import report_context
from .signing import SigningRequest, check_key, sign_pdf


class ExportError(DomainError):
    """An export cannot be made (unknown format, a failing exporter, an unwritable target)."""


class UnknownFormat(ExportError):
    """The format named is not provided by any exporter; the message lists the ones that are."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    signed: bool
    size: int


def exporters(desk: Desk) -> dict[str, Provided]:
    """Every registered exporter by name (the built-ins when the desk has no plugin facade)."""
    plugins = desk.plugins
    if plugins is None:
        plugins = Plugins.load(entry_points=False, plugins_dir=None)
    return dict(sorted(plugins.exporters.items()))


def exporter(desk: Desk, name: str) -> Provided:
    table = exporters(desk)
    chosen = table.get(name.lower())
    if chosen is None:
        raise UnknownFormat(f"unknown export format '{name}'; formats: {', '.join(table) or 'none registered'}")
    return chosen


def rules_version(desk: Desk) -> str:
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    return ruleset.digest if ruleset is not None else ""


def regulatory_clocks(desk: Desk, incident: Incident, now: datetime) -> tuple[Any, ...]:
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    if ruleset is None:
        return ()
    try:
        return tuple(ruleset.regulatory_clocks(incident, now))
    except DomainError:
        return ()


def sealed_incident(desk: Desk, incident_id: str) -> tuple[Incident, dict[str, Any]]:
    """The incident and its export document, read once; refused (TamperedFile) when the stored incident
    is not the state its audit trail sealed, so no report ever shows, or signs, an unsealed state."""
    document = desk.export_incident(incident_id)
    return Incident.model_validate(document["incident"]), document


def export_context(desk: Desk, incident: Incident, *, signer: str = "", tz: tzinfo = timezone.utc,
                   now: datetime | None = None, document: dict[str, Any] | None = None) -> ExportContext:
    now = now or desk.clock()
    return ExportContext(
        report=report_context(desk, incident, now=now, tz=tz),
        generated_at=now,
        audit_head=document["audit_head"] if document else desk.workspace.audit_head(incident.id),
        rules_version=rules_version(desk),
        regulatory=regulatory_clocks(desk, incident, now),
        signer=signer,
        author=desk.actor,
        document_source=(lambda: document) if document else (lambda: desk.export_incident(incident.id)),
    )


def call_exporter(provided: Provided, incident: Incident, path: Path, context: ExportContext) -> None:
    """Call a plugin's export function with the arguments it takes: (incident, path[, context])."""
    try:
        parameters = inspect.signature(provided.function).parameters
        takes_context = len(parameters) >= 3 or any(p.kind is p.VAR_POSITIONAL for p in parameters.values())
    except (TypeError, ValueError):
        takes_context = True
    try:
        if takes_context:
            provided.function(incident, path, context)
        else:
            provided.function(incident, path)
    except (DomainError, StoreError):
        raise  # the desk's own refusals (a tampered incident file, ...) keep their message and exit code
    except Exception as error:  # noqa: BLE001 - a plugin's bug becomes one clear line naming the plugin
        raise ExportError(f"exporter '{provided.name}' (plugin {provided.plugin}) failed: "
                          f"{type(error).__name__}: {error}") from None


def write_atomically(target: Path, produce: Callable[[Path], None]) -> int:
    """Run `produce(temporary_path)`, fsync the file, rename it to `target`, fsync the folder.

    Returns the size written. The temporary file is removed on any failure.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
        os.close(handle)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror}") from None
    temporary = Path(name)
    try:
        produce(temporary)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
            size = os.fstat(written.fileno()).st_size
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a report is an ordinary file
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return size


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def export_incident(desk: Desk, incident_id: str, fmt: str, output: Path, *, signing: SigningRequest | None = None,
                    tz: tzinfo = timezone.utc) -> ExportResult:
    """Write one incident in format `fmt` to `output`; sign it when `signing` is given (PDF only)."""
    provided = exporter(desk, fmt)
    if signing is not None:
        if provided.details.get("suffix", "") != ".pdf":
            raise ExportError(f"only PDF exports can be signed; '{provided.name}' is not a PDF format")
        check_key(signing.key, desk.clock())
    incident, document = sealed_incident(desk, incident_id)
    context = export_context(desk, incident, signer=signing.signer_name if signing else "", tz=tz,
                             document=document)

    def produce(path: Path) -> None:
        call_exporter(provided, incident, path, context)
        if signing is not None:
            signed = sign_pdf(path.read_bytes(), signing, desk.clock())
            path.write_bytes(signed)

    size = write_atomically(Path(output), produce)
    return ExportResult(Path(output), provided.name, signing is not None, size)


SETTINGS_FILE = "exports.yaml"


class SigningSettings(BaseModel):
    """The `signing:` section of the workspace's exports.yaml (every key optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = "Incident report"
    location: str = ""
    visible_stamp: bool = False
    timestamp_url: str = Field("", description="RFC 3161 timestamp server; empty: no timestamp (works offline)")

    @field_validator("timestamp_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


def signing_settings(workspace_path: Path) -> SigningSettings:
    """Signing defaults from `<workspace>/exports.yaml`; defaults when the file is absent."""
    path = Path(workspace_path) / SETTINGS_FILE
    if not path.exists():
        return SigningSettings()
    from ruamel.yaml import YAML, YAMLError

    try:
        document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise ExportError(f"{path}: cannot read: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("signing", {}) or {}, dict):
        raise ExportError(f"{path}: expected a mapping with a 'signing' section")
    try:
        return SigningSettings.model_validate(document.get("signing") or {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ExportError(f"{path}: signing.{where}: {first['msg']}") from None


def open_signing_request(desk: Desk, key_name: str | None, passphrase: bytes, *, reason: str | None = None,
                         location: str | None = None, visible_stamp: bool | None = None,
                         timestamp_url: str | None = None) -> SigningRequest:
    """Open the key `key_name` (default: the only one, or $INCIDENT_DESK_KEY) with `passphrase` and fill
    whatever is not given from the workspace's exports.yaml. Raises `keys.KeyProblem` saying why a key
    cannot sign (not found, wrong passphrase, expired...)."""
    from . import keys

    settings = signing_settings(desk.workspace_path)
    key = keys.open_key(key_name, passphrase, at=desk.clock())
    return SigningRequest(
        key=key,
        reason=reason if reason is not None else settings.reason,
        location=location if location is not None else settings.location,
        visible_stamp=settings.visible_stamp if visible_stamp is None else visible_stamp,
        timestamp_url=timestamp_url if timestamp_url is not None else settings.timestamp_url,
    )


def default_output(incident_id: str, provided: Provided) -> Path:
    """`INC-2025-001.pdf` (or `.md`, `.json`, ...) in the current folder."""
    suffix = provided.details.get("suffix", "") or f".{provided.name}"
    stem = incident_id.upper() if provided.name not in ("timeline-csv", "actions-csv") else \
        f"{incident_id.upper()}-{provided.name.removesuffix('-csv')}"
    return Path(f"{stem}{suffix}")
