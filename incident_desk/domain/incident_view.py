"""What `incident-desk show` prints of one incident, as plain data (no pydantic).

Two ways lead to the same `IncidentView`: `IncidentView.of` a validated `Incident`, and
`IncidentView.from_document`, straight from the document the store wrote for it (the JSON dump of that
validated incident, sealed by its audit chain). The second lets a lookup answer without building the
models; a document of any other shape raises `ValueError`, and the caller validates the incident instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .lifecycle import Status
from .validation import EARLIEST, LATEST

if TYPE_CHECKING:
    from .incident import Incident

CLOCK_FIELDS = ("started_at", "alerted_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at",
                "closed_at", "materiality_determined_at")


@dataclass(frozen=True, slots=True)
class ClockView:
    started_at: datetime | None = None
    alerted_at: datetime | None = None
    declared_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    materiality_determined_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OverrideView:
    level: str
    author: str
    reason: str


@dataclass(frozen=True, slots=True)
class HolderView:
    """Someone holding a role now (not relieved)."""

    role: str
    person: str


@dataclass(frozen=True, slots=True)
class IncidentView:
    id: str
    title: str
    status: Status
    type: str
    revision: int
    services: tuple[str, ...]
    affected_systems: tuple[str, ...]
    clock: ClockView
    computed: str | None
    override: OverrideView | None
    #: the facts that are known (neither unknown nor an empty list), as JSON values, in the model's order
    facts: tuple[tuple[str, Any], ...]
    holders: tuple[HolderView, ...]
    timeline_count: int
    communications_count: int
    action_items_count: int

    @property
    def level(self) -> str | None:
        """The level in force: the override when there is one, else the computed level."""
        return self.override.level if self.override else self.computed

    @classmethod
    def of(cls, incident: Incident) -> IncidentView:
        override = incident.severity.override
        return cls(
            id=incident.id, title=incident.title, status=incident.status, type=incident.type,
            revision=incident.revision, services=tuple(incident.services),
            affected_systems=tuple(incident.affected_systems),
            clock=ClockView(**{name: getattr(incident.clock, name) for name in CLOCK_FIELDS}),
            computed=incident.severity.computed,
            override=OverrideView(override.level, override.author, override.reason) if override else None,
            facts=_known(incident.facts.model_dump(mode="json")),
            holders=tuple(HolderView(str(a.role), a.person) for a in incident.roles if a.relieved_at is None),
            timeline_count=len(incident.timeline), communications_count=len(incident.communications),
            action_items_count=len(incident.action_items),
        )

    @classmethod
    def from_document(cls, core: dict[str, Any], timeline_count: int, communications_count: int) -> IncidentView:
        """The view of an incident file's core document; ValueError if a field it shows is not of the shape
        the desk writes (the caller then validates the whole incident, which names the problem)."""
        severity = _dict(core.get("severity", {}))
        override = severity.get("override")
        if override is not None:
            override = _dict(override)
            override = OverrideView(_text(override["level"]), _text(override["author"]), _text(override["reason"]))
        clock = _dict(core.get("clock", {}))
        return cls(
            id=_text(core["id"]), title=_text(core["title"]), status=Status(core["status"]),
            type=_text(core.get("type", "")), revision=_count(core["revision"]),
            services=_texts(core.get("services", [])), affected_systems=_texts(core.get("affected_systems", [])),
            clock=ClockView(**{name: _instant(clock.get(name)) for name in CLOCK_FIELDS}),
            computed=_optional_text(severity.get("computed")), override=override,
            facts=_known(_dict(core.get("facts", {}))),
            holders=tuple(HolderView(_text(a["role"]), _text(a["person"]))
                          for a in map(_dict, _list(core.get("roles", []))) if a.get("relieved_at") is None),
            timeline_count=timeline_count, communications_count=communications_count,
            action_items_count=len(_list(core.get("action_items", []))),
        )


def _known(facts: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    for value in facts.values():
        if not (value is None or isinstance(value, (str, int, float, bool))
                or isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValueError(f"a fact of an unexpected kind: {type(value).__name__}")
    return tuple((name, value) for name, value in facts.items() if value is not None and value != [])


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, not {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, not {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, not {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(_text(v) for v in _list(value))


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a count, not {value!r}")
    return value


def _instant(value: Any) -> datetime | None:
    """An instant as the desk writes it (ISO 8601 with a UTC offset, within the sane range), in UTC."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(_text(value))
    if parsed.tzinfo is None:
        raise ValueError(f"instant without a time zone: {value}")
    parsed = parsed.astimezone(timezone.utc)
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError(f"instant out of range: {value}")
    return parsed
