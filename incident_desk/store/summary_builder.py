"""Rebuilding `IncidentSummary` objects from the summary documents the index wrote, without validation.

A list builds one summary (with its clock, facts and action items) per incident, so this is the inner loop
of every cold list: about 6.5 µs a summary here against 9 µs with a generic `model_construct` substitute and
40 µs with pydantic validation. The documents were validated when they were made (from a validated
incident); anything that does not fit the shape raises KeyError, TypeError or ValueError and the caller
falls back to full validation, or to the incident file.

Each model's instance state is laid out as pydantic lays it out (`__dict__` with every field, the set of
fields given, no extras, no private attributes), so the objects are indistinguishable from validated ones.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from ..domain import ActionItem, Clock, Facts, IncidentSummary, Priority, Status, WorkStatus

_new = object.__new__
_set_attribute = object.__setattr__
_fromisoformat = datetime.fromisoformat
_date = date.fromisoformat
_STATUS = {s.value: s for s in Status}
_PRIORITY = {p.value: p for p in Priority}
_WORK_STATUS = {w.value: w for w in WorkStatus}
_NO_FIELDS: dict[str, Any] = {}


class _Shape:
    """A model's fields: their defaults, and which of them default to a new list (every default factory of
    the summary models but `clock` and `facts`, which the summary builder always sets)."""

    def __init__(self, cls: type[BaseModel]) -> None:
        fields = cls.model_fields
        self.cls = cls
        self.names = frozenset(fields)
        self.defaults = {name: f.default for name, f in fields.items() if f.default_factory is None}
        self.lists = tuple(name for name, f in fields.items() if f.default_factory is list)


_SUMMARY, _CLOCK, _FACTS, _ITEM = _Shape(IncidentSummary), _Shape(Clock), _Shape(Facts), _Shape(ActionItem)
_ITEM_INSTANTS = ("created_at", "completed_at")
assert not _CLOCK.lists and not _ITEM.lists  # the builders below rely on it


def _make(cls: type, values: dict[str, Any], given: dict[str, Any]) -> Any:
    instance: Any = _new(cls)
    _set_attribute(instance, "__dict__", values)
    _set_attribute(instance, "__pydantic_fields_set__", set(given))
    _set_attribute(instance, "__pydantic_extra__", None)
    _set_attribute(instance, "__pydantic_private__", None)
    return instance


def summary_from_doc(doc: dict[str, Any]) -> IncidentSummary:
    """The summary a document of `index.summary_doc` describes (KeyError, TypeError or ValueError if it does
    not fit). The inner loop of every list: `_Shape.values` is spelled out for each model (15% faster)."""
    if not (doc.keys() <= _SUMMARY.names and type(doc["id"]) is str and type(doc["revision"]) is int
            and type(doc["title"]) is str):
        raise ValueError("unknown summary fields, or an id, revision or title of the wrong type")
    values = _SUMMARY.defaults.copy()
    values.update(doc)
    for name in _SUMMARY.lists:  # lists of its own: a journal entry's document is kept and reused
        values[name] = list(doc[name]) if name in doc else []
    values["status"] = _STATUS[doc["status"]]

    clock = doc.get("clock") or _NO_FIELDS
    if not clock.keys() <= _CLOCK.names:
        raise ValueError("unknown clock fields")
    clock_values = _CLOCK.defaults.copy()
    for name, instant in clock.items():
        clock_values[name] = None if instant is None else _fromisoformat(instant)
    values["clock"] = _make(Clock, clock_values, clock)

    facts = doc.get("facts") or _NO_FIELDS
    if not facts.keys() <= _FACTS.names:
        raise ValueError("unknown facts fields")
    facts_values = _FACTS.defaults.copy()
    facts_values.update(facts)
    for name in _FACTS.lists:
        facts_values[name] = list(facts[name]) if name in facts else []
    values["facts"] = _make(Facts, facts_values, facts)

    items = doc.get("action_items")
    values["action_items"] = [_action_item(item) for item in items] if items else []
    return _make(IncidentSummary, values, doc)


def _action_item(given: dict[str, Any]) -> ActionItem:
    if not given.keys() <= _ITEM.names:
        raise ValueError("unknown action item fields")
    values = _ITEM.defaults.copy()
    values.update(given)
    for name in _ITEM_INSTANTS:
        instant = given.get(name)
        if instant is not None:
            values[name] = _fromisoformat(instant)
    due = given.get("due")
    if due is not None:
        values["due"] = _date(due)
    if "priority" in given:
        values["priority"] = _PRIORITY[given["priority"]]
    if "status" in given:
        values["status"] = _WORK_STATUS[given["status"]]
    return _make(ActionItem, values, given)
