"""The incident lifecycle: statuses, which moves are legal, and which clock each move stamps."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DECLARED = "declared"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MITIGATING = "mitigating"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "post-mortem"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """True while the incident is still affecting people (before resolution)."""
        return self in ACTIVE_STATUSES

    @property
    def label(self) -> str:
        return "Post-mortem" if self is Status.POSTMORTEM else self.value.capitalize()


ORDER: tuple[Status, ...] = tuple(Status)
ACTIVE_STATUSES = frozenset(ORDER[: ORDER.index(Status.RESOLVED)])

# Forward moves may skip steps while the incident is active (a quick fix goes straight from
# investigating to resolved). Backward moves are the ones real incidents need: a fix that did not
# hold (monitoring -> mitigating), a wrong diagnosis (identified -> investigating), a relapse after
# resolution (resolved -> investigating). Closed is final.
_BACKWARD = {
    Status.IDENTIFIED: {Status.INVESTIGATING},
    Status.MITIGATING: {Status.INVESTIGATING, Status.IDENTIFIED},
    Status.MONITORING: {Status.INVESTIGATING, Status.IDENTIFIED, Status.MITIGATING},
    Status.RESOLVED: {Status.INVESTIGATING, Status.MITIGATING, Status.MONITORING},
}


def allowed_transitions(current: Status) -> frozenset[Status]:
    """Every status that `current` may move to."""
    if current is Status.CLOSED:
        return frozenset()
    index = ORDER.index(current)
    if current.is_active:
        forward = {s for s in ORDER[index + 1 :] if s.is_active or s is Status.RESOLVED}
    elif current is Status.RESOLVED:
        forward = {Status.POSTMORTEM, Status.CLOSED}
    else:  # post-mortem
        forward = {Status.CLOSED}
    return frozenset(forward | _BACKWARD.get(current, set()))


# The clock field each status stamps the first time an incident reaches it.
CLOCK_FOR_STATUS: dict[Status, str] = {
    Status.INVESTIGATING: "acknowledged_at",
    Status.MONITORING: "mitigated_at",
    Status.RESOLVED: "resolved_at",
    Status.CLOSED: "closed_at",
}
