"""pydantic models of the four rule files (extra keys refused), and the mapping of their errors to lines.

Conditions are kept raw here (`Any`) and parsed by `conditions.parse_condition`, which gives sharper
messages (did-you-mean for fields and operators, type checks per field) than a pydantic union could.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..domain.incident import Role, normalize_severity
from .spans import parse_duration_text as parse_duration
from .spans import Span, parse_span
from .suggest import unknown
from .yamlsafe import Document

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r} is not a duration such as 5m, 2h or 3d")
    return parse_duration(value)


def _span(value: Any) -> Span:
    if isinstance(value, Span):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r} is not a time span such as 72h, 4 business days or 1 month")
    return parse_span(value)


def _rule_id(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError(f"{value!r} is not an id (lower-case letters, digits, '-', '_', '.'; up to 80)")
    return value


def _level(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{value!r} is not a severity level such as SEV-1")
    return normalize_severity(str(value))


Duration = Annotated[timedelta, BeforeValidator(_duration)]
TimeSpan = Annotated[Span, BeforeValidator(_span)]
RuleId = Annotated[str, BeforeValidator(_rule_id)]
Level = Annotated[str, BeforeValidator(_level)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, arbitrary_types_allowed=True)


# ----------------------------------------------------------------------------- severity.yaml


class ResponseTargets(Strict):
    acknowledge_within: Duration
    update_every: Duration
    resolve_within: Duration


class LevelModel(Strict):
    id: Level
    name: Text
    description: str = ""
    response: ResponseTargets | None = None


class SeverityRuleModel(Strict):
    id: RuleId
    level: Level
    description: str = ""
    when: Any
    enabled: bool = True


class ExpectModel(Strict):
    level: Level
    rules: list[RuleId] | None = None


class TestCaseModel(Strict):
    name: Text
    given: dict[str, Any]
    expect: ExpectModel


class SeverityFile(Strict):
    version: Literal[1] = 1
    levels: list[LevelModel] = Field(min_length=1)
    default: Level
    rules: list[SeverityRuleModel] = Field(default_factory=list)
    tests: list[TestCaseModel] = Field(default_factory=list)


# ----------------------------------------------------------------------------- escalation.yaml

TRIGGER_STATES = ("unacknowledged", "unmitigated", "unresolved", "open", "awaiting_postmortem")
TRIGGER_CLOCKS = ("started_at", "alerted_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at")


class TriggerModel(Strict):
    state: str | None = None
    clock: str | None = None
    after: Duration

    @model_validator(mode="after")
    def _one_anchor(self) -> TriggerModel:
        if (self.state is None) == (self.clock is None):
            raise ValueError("give exactly one of 'state' or 'clock'")
        if self.state is not None and self.state not in TRIGGER_STATES:
            raise ValueError(unknown("trigger state", self.state, TRIGGER_STATES))
        if self.clock is not None and self.clock not in TRIGGER_CLOCKS:
            raise ValueError(unknown("clock", self.clock, TRIGGER_CLOCKS))
        return self


class RepeatModel(Strict):
    every: Duration
    max: int = Field(ge=1, le=100)

    @field_validator("every")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("'every' must be longer than zero")
        return value


class NotifyModel(Strict):
    notifier: Text
    target: Text
    template: str | None = None


class AssignRoleModel(Strict):
    role: Role
    person: Text


class ActionModel(Strict):
    notify: NotifyModel | None = None
    raise_severity: Level | None = None
    assign_role: AssignRoleModel | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ActionModel:
        given = [name for name in ("notify", "raise_severity", "assign_role") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("an action is exactly one of notify, raise_severity, assign_role"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self

    def summary(self) -> str:
        if self.notify is not None:
            template = f" with template {self.notify.template}" if self.notify.template else ""
            return f"notify {self.notify.target} via {self.notify.notifier}{template}"
        if self.raise_severity is not None:
            return f"raise severity to {self.raise_severity}"
        assert self.assign_role is not None
        return f"assign {self.assign_role.role.label.lower()} to {self.assign_role.person}"


class PolicyModel(Strict):
    id: RuleId
    description: str = ""
    when: Any = None
    trigger: TriggerModel
    repeat: RepeatModel | None = None
    actions: list[ActionModel] = Field(min_length=1)
    enabled: bool = True


class EscalationFile(Strict):
    version: Literal[1] = 1
    policies: list[PolicyModel] = Field(default_factory=list)


# ----------------------------------------------------------------------------- sla.yaml


class ServiceModel(Strict):
    target_pct: float | None = Field(None, gt=0, le=100)
    monthly_fee: float | None = Field(None, ge=0)


class CreditTierModel(Strict):
    below: float = Field(gt=0, le=100)
    credit_pct: float = Field(ge=0, le=100)


class SlaFile(Strict):
    version: Literal[1] = 1
    period: Duration = timedelta(days=30)
    default_target_pct: float = Field(99.95, gt=0, le=100)
    monthly_fee: float = Field(0, ge=0)
    currency: str = "USD"
    services: dict[str, ServiceModel] = Field(default_factory=dict)
    credit_tiers: list[CreditTierModel] = Field(default_factory=list)


# ----------------------------------------------------------------------------- regulatory.yaml

ANCHORS = ("started", "aware", "declared", "classified", "acknowledged", "mitigated", "resolved",
           "materiality_determined")


class DeadlineModel(Strict):
    from_: str = Field(alias="from")
    within: TimeSpan


class ObligationModel(Strict):
    id: RuleId
    name: Text
    due: list[DeadlineModel] = Field(min_length=1)

    @field_validator("due", mode="before")
    @classmethod
    def _single_or_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value


class RegimeModel(Strict):
    id: RuleId
    name: Text
    description: str = ""
    when: Any
    obligations: list[ObligationModel] = Field(min_length=1)
    enabled: bool = True


class RegulatoryFile(Strict):
    version: Literal[1] = 1
    regimes: list[RegimeModel] = Field(default_factory=list)


# ----------------------------------------------------------------------------- validation with lines


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        found = []
        for arg in typing.get_args(annotation):
            found += _unwrap(arg)
        return found
    return [annotation]


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the last element of `loc` (to list the keys it accepts)."""
    current: type[BaseModel] | None = root
    for part in loc[:-1]:
        if current is None:
            return None
        if isinstance(part, int) or part not in _fields_by_alias(current):
            continue
        candidates = [c for c in _unwrap(_fields_by_alias(current)[part].annotation)
                      if isinstance(c, type) and issubclass(c, BaseModel)]
        current = candidates[0] if candidates else None
    return current


def _fields_by_alias(model: type[BaseModel]) -> dict[str, Any]:
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's internal loc parts such as `function-after[...]`."""
    return tuple(part for part in loc if isinstance(part, int) or "[" not in part)


def validate_model(doc: Document, model: type[BaseModel]) -> Any:
    """Validate the document's data against `model`; map every pydantic error to a located Problem."""
    if doc.unreadable:
        return None
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        doc.problem((), f"the file must hold a mapping at the top (found {type(data).__name__})")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            loc = _clean_loc(tuple(item["loc"]))
            kind = item["type"]
            if kind == "extra_forbidden":
                holder = _model_at(model, loc)
                choices = list(_fields_by_alias(holder)) if holder else []
                doc.problem(loc, unknown("key", loc[-1], choices))
            elif kind == "missing":
                doc.problem(loc[:-1], f"missing required key '{loc[-1]}'")
            else:
                message = item["msg"].removeprefix("Value error, ")
                got = item.get("input")
                if kind not in ("value_error", "assertion_error") and not isinstance(got, (dict, list)) \
                        and got is not None:
                    message += f" (got {got!r})"
                doc.problem(loc, message)
        return None
