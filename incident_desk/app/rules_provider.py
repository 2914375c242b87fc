"""The active rule set of a workspace, loaded lazily and once, for the desk to classify with.

A workspace's rules are `<workspace>/rules` (copied from the bundled defaults when the workspace is
created), or `$INCIDENT_DESK_RULES`. If the files are invalid the desk keeps working: incidents can
still be declared and changed during an outage, severity is left as it is, and a notice says why.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..domain import Incident, Severity
from ..engine import RuleSet, RulesError, load_ruleset
from ..engine import DEFAULT_NOTIFIERS, FILE_NAMES
from .rules_service import bundled_rules_dir, default_rules_dir


class RulesProvider:
    """Loads the rule set on first use; remembers a load failure as a notice instead of raising."""

    def __init__(self, directory: Path, known_notifiers: Callable[[], set[str]] | None = None) -> None:
        self.directory = directory
        self.known_notifiers = known_notifiers or (lambda: set(DEFAULT_NOTIFIERS))
        self._ruleset: RuleSet | None = None
        self.error: RulesError | None = None
        self.notices: list[str] = []

    @classmethod
    def for_workspace(cls, workspace_path: Path,
                      known_notifiers: Callable[[], set[str]] | None = None) -> RulesProvider:
        return cls(default_rules_dir(workspace_path), known_notifiers)

    @property
    def ruleset(self) -> RuleSet | None:
        if self._ruleset is None and self.error is None:
            try:
                self._ruleset = load_ruleset(self.directory, known_notifiers=self.known_notifiers())
            except RulesError as error:
                self.error = error
                count = len(error.problems)
                self.notices.append(f"the rule files in {self.directory} have {count} problem"
                                    f"{'' if count == 1 else 's'}; severity was not classified "
                                    f"(see `incident-desk rules check`)")
        return self._ruleset

    def classify(self, incident: Incident, now: datetime) -> Severity:
        ruleset = self.ruleset
        if ruleset is None:
            return incident.severity.model_copy(deep=True)
        return ruleset.classify(incident, now)


def install_default_rules(workspace_path: Path) -> Path:
    """Copy the bundled rule files into `<workspace>/rules` unless the workspace has its own.

    Only the rule files are copied: notifiers live in `<workspace>/notifiers.yaml` and message templates
    come from `<workspace>/templates/` over the bundled ones, so there is one place to edit each."""
    target = Path(workspace_path) / "rules"
    if not target.exists():
        target.mkdir(parents=True)
        for name in FILE_NAMES.values():
            shutil.copyfile(bundled_rules_dir() / name, target / name)
        for name in EXTRA_RULES:
            source = bundled_rules_dir() / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            elif source.exists():
                shutil.copyfile(source, target / name)
    return target


#: rule files read by the learning features (metrics, maturity, playbooks) beside the classifier's
EXTRA_RULES = ("playbooks", "maturity.yaml", "improvements.yaml")
