"""The incident roles of a workspace: the seed's five, plus the roles a team adds in `<workspace>/roles.yaml`.

```yaml
roles:
  - id: technical_lead
    name: Technical lead
    description: Owns the technical investigation
  - id: customer_liaison
    several_holders: true     # assigning someone adds a holder instead of handing over
```

The file is plain YAML data, read safely (size-capped, no tags). Every problem is reported at once as
`roles.yaml:LINE: path: message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain import DomainError, Role
from ..domain.incident import ROLE_PATTERN, role_label

ROLES_FILE = "roles.yaml"
_DEFAULT_DESCRIPTIONS = {
    Role.INCIDENT_COMMANDER: "Leads the response and makes the decisions",
    Role.COMMUNICATIONS_LEAD: "Keeps stakeholders, customers and the status page informed",
    Role.OPERATIONS_LEAD: "Directs the technical work on the systems",
    Role.SCRIBE: "Keeps the timeline and the record",
    Role.SUBJECT_EXPERT: "Brings knowledge of an affected system (several at once)",
}
_KEYS = {"id", "name", "description", "several_holders"}


@dataclass(frozen=True)
class RoleDefinition:
    id: str
    name: str
    description: str = ""
    several_holders: bool = False  # assigning adds a holder instead of handing over
    source: str = "default"  # "default" or the roles.yaml path

    @property
    def handover(self) -> bool:
        return not self.several_holders


def default_roles() -> list[RoleDefinition]:
    return [RoleDefinition(r.value, r.label, _DEFAULT_DESCRIPTIONS[r], r is Role.SUBJECT_EXPERT) for r in Role]


class RoleConfigError(DomainError):
    """roles.yaml is invalid (every problem, one per line)."""


def load_roles(workspace_path: Path | None) -> list[RoleDefinition]:
    """The seed's five roles, then those of `<workspace>/roles.yaml` (a default may be re-described)."""
    roles = {r.id: r for r in default_roles()}
    path = Path(workspace_path) / ROLES_FILE if workspace_path is not None else None
    if path is None or not path.exists():
        return list(roles.values())
    from ..engine.yamlsafe import load_file  # only when a roles.yaml exists: `show` and `list` stay light

    doc = load_file(path, str(path))
    problems = [f"{p.file}:{p.line}: {p.path + ': ' if p.path else ''}{p.message}" for p in doc.problems]
    data = doc.data
    if not problems and data is not None:
        entries = data.get("roles") if isinstance(data, dict) else None
        if not isinstance(entries, list) or (isinstance(data, dict) and set(data) - {"roles"}):
            problems.append(f"{path}:1: expected `roles:` with a list of roles (id, name, description)")
            entries = []
        for n, entry in enumerate(entries):
            where = f"{path}:{doc.line_of(('roles', n))}: roles[{n}]"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected a mapping with at least `id`")
                continue
            unknown = sorted(set(entry) - _KEYS)
            if unknown:
                problems.append(f"{where}: unknown key {', '.join(map(str, unknown))}; keys: {', '.join(sorted(_KEYS))}")
            role_id = entry.get("id")
            if not isinstance(role_id, str) or not ROLE_PATTERN.match(role_id):
                problems.append(f"{where}.id: {role_id!r} is not a role id such as technical_lead "
                                f"(lower-case letters, digits, '_')")
                continue
            several = entry.get("several_holders", False)
            if not isinstance(several, bool):
                problems.append(f"{where}.several_holders: expected true or false")
                continue
            roles[role_id] = RoleDefinition(role_id, str(entry.get("name") or role_label(role_id)),
                                            str(entry.get("description") or ""), several, str(path))
    if problems:
        raise RoleConfigError("\n".join(problems))
    return list(roles.values())


def find_role(roles: list[RoleDefinition], name: str) -> RoleDefinition:
    """The role named `name` (`technical-lead`, `Technical lead` accepted); refused with the valid ones."""
    text = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    for role in roles:
        if role.id == text:
            return role
    raise DomainError(f"unknown role '{name}'; this workspace's roles: {', '.join(r.id for r in roles)} "
                      f"(add your own in {ROLES_FILE}; `incident-desk role list` describes them)")
