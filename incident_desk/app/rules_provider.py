"""The active rule set of a workspace, loaded lazily and once, for the desk to classify with.

A workspace's rules are `<workspace>/rules` (copied from the bundled defaults when the workspace is
created), or `$INCIDENT_DESK_RULES`. If the files are invalid the desk keeps working: incidents can
still be declared and changed during an outage, severity is left as it is, and a notice says why.

Every version used is archived and compared with the version in use (`rules_archive`): a change that
removes rules or tests is not put in use until confirmed; the archived version in use keeps working.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..domain import Incident, Severity
from ..engine import RuleSet, RulesError, load_ruleset
from ..engine import DEFAULT_NOTIFIERS, FILE_NAMES
from ..engine.ruleset import digest_of
from ..store.errors import StoreError
from .rules_archive import RulesArchive
from .rules_service import bundled_rules_dir, default_rules_dir


class RulesProvider:
    """Loads the rule set on first use; remembers a load failure as a notice instead of raising."""

    def __init__(self, directory: Path, known_notifiers: Callable[[], set[str]] | None = None, *,
                 workspace_path: Path | None = None, actor: str = "") -> None:
        self.directory = directory
        self.known_notifiers = known_notifiers or (lambda: set(DEFAULT_NOTIFIERS))
        self._ruleset: RuleSet | None = None
        self.error: RulesError | None = None
        self.notices: list[str] = []
        self.archive = RulesArchive(workspace_path) if workspace_path is not None else None
        self.actor = actor

    @classmethod
    def for_workspace(cls, workspace_path: Path, known_notifiers: Callable[[], set[str]] | None = None,
                      actor: str = "") -> RulesProvider:
        return cls(default_rules_dir(workspace_path), known_notifiers, workspace_path=workspace_path, actor=actor)

    @property
    def ruleset(self) -> RuleSet | None:
        if self._ruleset is None and self.error is None:
            try:
                self._ruleset = self._version_in_use(load_ruleset(self.directory,
                                                                  known_notifiers=self.known_notifiers()))
            except RulesError as error:
                self.error = error
                count = len(error.problems)
                self.notices.append(f"the rule files in {self.directory} have {count} problem"
                                    f"{'' if count == 1 else 's'}; severity was not classified "
                                    f"(see `incident-desk rules check`)")
        return self._ruleset

    def _version_in_use(self, loaded: RuleSet) -> RuleSet:
        """The rule set to use: the files on disk, archived and recorded, unless they remove something
        from the version in use; then that archived version, with a notice."""
        if self.archive is None:
            return loaded
        try:
            status = self.archive.status(loaded)
            if status.in_use is None:
                self.archive.record(loaded, event="first seen", actor=self.actor)
            elif status.in_use == loaded.digest:
                self.archive.archive(loaded)
            elif status.needs_confirmation:
                kept = load_ruleset(self.archive.version_dir(status.in_use), known_notifiers=self.known_notifiers())
                self.notices.append(
                    f"the rule files in {self.directory} changed since rules version {status.in_use} was put in "
                    f"use and the change removes something: {status.diff.summary()}; the desk keeps using version "
                    f"{status.in_use} until the change is confirmed with `incident-desk rules check "
                    "--accept-changes`")
                return kept
            else:
                self.archive.record(loaded, event="changed on disk", actor=self.actor, diff=status.diff)
                self.notices.append(f"the rule files in {self.directory} changed since rules version "
                                    f"{status.in_use}: {status.diff.summary()}; version {loaded.digest} is now in "
                                    "use (recorded in the rules history)")
        except (OSError, StoreError, RulesError, ValueError) as error:
            self.notices.append(f"rules version {loaded.digest} could not be archived in the workspace: {error}")
        return loaded

    def drift_notices(self) -> list[str]:
        """For commands that never load the rules: a cheap check (a digest of the files' bytes) that the
        rule files still are the version in use."""
        if self._ruleset is not None or self.error is not None or self.archive is None:
            return []
        try:
            in_use = self.archive.in_use()
            if in_use is None:
                return []
            raw = {kind: (self.directory / name).read_bytes() for kind, name in FILE_NAMES.items()
                   if (self.directory / name).is_file()}
        except OSError:
            return []
        if digest_of(raw) == in_use:
            return []
        return [f"the rule files in {self.directory} differ from rules version {in_use} in use; "
                "`incident-desk rules check` shows what changed"]

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
    return target
