"""Playbook files (`rules/playbooks/<type>.yaml`): validated models, located errors, and the document a
generator renders, joined with the live severity levels and escalation policies of a `RuleSet`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..domain.incident import Channel, Role
from ..domain.playbook import (DecisionPoint, EscalationRow, PlaybookCommunication, PlaybookDocument, PlaybookRole,
                               PlaybookStep, SeverityLevelRow)
from ..domain.timeutil import format_short_duration
from .errors import Problem, RulesError
from .explain import describe_node
from .models import RuleId, Strict, Text, validate_model
from .suggest import unknown
from .yamlsafe import MAX_BYTES, load_file

PLAYBOOKS_DIR = "playbooks"


class RoleModel(Strict):
    role: Role
    duties: Text


class CommunicationModel(Strict):
    when: Text
    channel: Channel
    audience: str = ""
    template: str | None = None


class StepModel(Strict):
    id: RuleId
    phase: Literal["immediate", "short_term", "long_term"]
    text: Text
    role: Role | None = None


class DecisionModel(Strict):
    question: Text
    yes: Text
    no: Text


class PlaybookFile(Strict):
    version: Literal[1] = 1
    type: RuleId
    title: Text
    summary: str = ""
    roles: list[RoleModel] = Field(default_factory=list)
    communications: list[CommunicationModel] = Field(default_factory=list)
    steps: list[StepModel] = Field(min_length=1)
    decisions: list[DecisionModel] = Field(default_factory=list)


def _check(path: Path, known_templates: set[str] | None) -> tuple[PlaybookFile | None, list[Problem]]:
    doc = load_file(path, str(path))
    model = validate_model(doc, PlaybookFile)
    if model is not None:
        seen: set[str] = set()
        for i, step in enumerate(model.steps):
            if step.id in seen:
                doc.problem(("steps", i, "id"), f"duplicate step id '{step.id}'")
            seen.add(step.id)
        for i, comm in enumerate(model.communications):
            if known_templates is not None and comm.template and comm.template not in known_templates:
                doc.problem(("communications", i, "template"), unknown("template", comm.template, known_templates))
    return model, doc.problems


def load_playbook_file(path: Path, known_templates: set[str] | None = None) -> PlaybookFile:
    """One playbook file; RulesError listing every problem."""
    model, problems = _check(Path(path), known_templates)
    if problems or model is None:
        raise RulesError(problems or [Problem(str(path), 0, "", "invalid playbook")])
    return model


#: folder -> (what its files looked like when read, the playbooks read): one report asks for the playbooks
#: twice (improvements and maturity) and the window asks again on every refresh
_loaded: dict[tuple[Path, frozenset[str] | None], tuple[tuple, dict[str, tuple[PlaybookFile, str]]]] = {}


def load_playbooks(directory: Path, known_templates: set[str] | None = None) -> dict[str, tuple[PlaybookFile, str]]:
    """Every `*.yaml` of the playbooks folder by incident type: (model, file). RulesError lists every
    problem of every file (`file:line: path: message`); a missing folder means no playbooks. Read again only
    when a file was added, removed or changed (its bytes, not its time stamp) since the last read."""
    folder = Path(directory)
    if not folder.is_dir():
        return {}
    paths = sorted(folder.glob("*.yaml"))
    stamps = tuple(_fingerprint(path) for path in paths)
    key = (folder, frozenset(known_templates) if known_templates is not None else None)
    cached = _loaded.get(key)
    if cached is not None and cached[0] == stamps and None not in stamps:
        return dict(cached[1])
    found = _read_playbooks(paths, known_templates)
    _loaded[key] = (stamps, found)
    return dict(found)


def _fingerprint(path: Path) -> tuple[str, bytes] | None:
    """What tells whether a playbook file changed: its bytes (time stamps are too coarse to tell two quick
    edits apart). None for a file too big or unreadable, which is never served from memory."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return path.name, hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None


def _read_playbooks(paths: list[Path], known_templates: set[str] | None) -> dict[str, tuple[PlaybookFile, str]]:
    found: dict[str, tuple[PlaybookFile, str]] = {}
    problems: list[Problem] = []
    for path in paths:
        model, file_problems = _check(path, known_templates)
        if model is not None and model.type in found:
            file_problems.append(Problem(str(path), 1, "type", f"a playbook for '{model.type}' is already in "
                                                               f"{found[model.type][1]}"))
        problems += file_problems
        if model is not None and not file_problems:
            found[model.type] = (model, str(path))
    if problems:
        raise RulesError(problems)
    return found


def document(model: PlaybookFile, source: str, ruleset) -> PlaybookDocument:
    """The playbook joined with the live rules (`ruleset` may be None when the rules are invalid)."""
    levels: tuple[SeverityLevelRow, ...] = ()
    escalations: tuple[EscalationRow, ...] = ()
    digest = ""
    if ruleset is not None:
        digest = ruleset.digest
        levels = tuple(SeverityLevelRow(
            level.id, level.name, level.description,
            *(format_short_duration(t) for t in ((level.response.acknowledge_within, level.response.update_every,
                                                 level.response.resolve_within) if level.response else ())))
            for level in ruleset.levels)
        escalations = tuple(EscalationRow(
            p.id, p.description, describe_node(p.node) if p.node is not None else "every incident",
            f"{p.state or p.clock} for {format_short_duration(p.after)}"
            + (f", then every {format_short_duration(p.every)} up to {p.repeats} more times" if p.every else ""),
            tuple(a.summary for a in p.actions)) for p in ruleset.policies)
    return PlaybookDocument(
        type=model.type, title=model.title, summary=model.summary,
        roles=tuple(PlaybookRole(r.role.value, r.duties) for r in model.roles),
        communications=tuple(PlaybookCommunication(c.when, c.channel.value, c.audience, c.template)
                             for c in model.communications),
        steps=tuple(PlaybookStep(s.id, s.phase, s.text, s.role.value if s.role else "") for s in model.steps),
        decisions=tuple(DecisionPoint(d.question, d.yes, d.no) for d in model.decisions),
        severity_levels=levels, escalations=escalations, rules_digest=digest, source=source)
