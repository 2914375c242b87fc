"""Playbooks: listing the workspace's playbook files, rendering one through a generator plugin with the
live rules, attaching its checklist to an incident, ticking steps, and recording drills."""

from __future__ import annotations

from pathlib import Path

from ..domain import DomainError, Incident, operations
from ..domain.playbook import PlaybookDocument
from ..engine import RulesError
from ..engine.playbooks import PLAYBOOKS_DIR, PlaybookFile, document, load_playbooks
from .desk import Desk
from .rules_service import bundled_rules_dir

DEFAULT_GENERATOR = "markdown"


def playbooks_dir(desk: Desk) -> Path:
    rules_dir = Path(desk.rules.directory) if desk.rules is not None else bundled_rules_dir()
    return rules_dir / PLAYBOOKS_DIR


def known_templates(desk: Desk) -> set[str]:
    folders = [bundled_rules_dir() / "templates", Path(desk.workspace.path) / "templates"]
    return {p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.j2")}


def playbooks(desk: Desk) -> dict[str, tuple[PlaybookFile, str]]:
    """Every playbook by incident type; DomainError naming each bad file and line."""
    try:
        return load_playbooks(playbooks_dir(desk), known_templates(desk))
    except RulesError as error:
        raise DomainError(str(error)) from None


def playbook(desk: Desk, incident_type: str) -> tuple[PlaybookFile, str]:
    found = playbooks(desk)
    key = incident_type.strip().lower().replace(" ", "-").replace("_", "-")
    if key not in found:
        from ..engine.suggest import unknown
        raise LookupError(unknown("playbook for incident type", incident_type, found) +
                          f" (playbooks live in {playbooks_dir(desk)})")
    return found[key]


def playbook_document(desk: Desk, incident_type: str) -> PlaybookDocument:
    model, source = playbook(desk, incident_type)
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    return document(model, Path(source).name, ruleset)


def render(desk: Desk, incident_type: str, generator: str = DEFAULT_GENERATOR) -> str:
    """The playbook rendered by a generator plugin (the built-in one writes Markdown)."""
    doc = playbook_document(desk, incident_type)
    plugins = desk.plugins
    if plugins is None:
        raise DomainError("no plugins are loaded, so no playbook generator is available")
    try:
        return plugins.generate_playbook(generator, doc)
    except KeyError as error:
        raise LookupError(str(error.args[0])) from None
    except RuntimeError as error:
        raise DomainError(f"the playbook generator failed: {error}") from None


def export_pdf(desk: Desk, incident_type: str, target: Path) -> int:
    """Write the playbook for `incident_type` as a PDF to `target`, atomically; return its size.

    The playbook is resolved first, so an unknown type or an invalid playbook file writes nothing."""
    from ..domain.timeutil import isoformat_z
    from ..render.pdf.playbook import render_playbook_pdf
    from .exports import write_atomically

    doc = playbook_document(desk, incident_type)
    data = render_playbook_pdf(doc, isoformat_z(desk.clock()))

    def produce(path: Path) -> None:
        path.write_bytes(data)

    return write_atomically(Path(target), produce)


def attach(desk: Desk, incident_id: str, incident_type: str | None = None) -> Incident:
    """Attach the checklist of the playbook for `incident_type` (default: the incident's own type)."""
    incident_type = incident_type or desk.get(incident_id).type
    model, _ = playbook(desk, incident_type)
    steps = [(s.id, s.text, str(s.phase), s.role.value if s.role else "") for s in model.steps]
    when = desk.clock()
    return desk.change(incident_id, "checklist",
                       lambda i: operations.attach_checklist(i, model.type, steps, when, desk.actor))


def tick(desk: Desk, incident_id: str, step: str) -> Incident:
    when = desk.clock()
    return desk.change(incident_id, "checklist", lambda i: operations.tick_step(i, step, when, desk.actor))


def record_drill(desk: Desk, incident_type: str, title: str | None = None, attach_checklist: bool = True) -> Incident:
    """Declare an exercise incident of `incident_type` (left out of production metrics) with the playbook's
    checklist attached."""
    model, _ = playbook(desk, incident_type)
    drill = desk.declare(title=title or f"Drill: {model.title}", type=model.type, drill=True,
                         summary="Exercise incident (drill)")
    return attach(desk, drill.id, model.type) if attach_checklist else drill
