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
from typing import TYPE_CHECKING

from .config import bundled_rules_dir, default_rules_dir

if TYPE_CHECKING:  # the engine is imported on first classification, not by commands that only read
    from ..domain import Incident, Severity
    from ..engine import RuleSet, RulesError


class RulesProvider:
    """Loads the rule set on first use; remembers a load failure as a notice instead of raising."""

    def __init__(self, directory: Path, known_notifiers: Callable[[], set[str]] | None = None, *,
                 workspace_path: Path | None = None, actor: str = "") -> None:
        self.directory = directory
        # the desk fires what the rules say; a step naming an unconfigured notifier is reported when it
        # fires ("not sent: ...") and by `rules check`, never by refusing the whole rule set
        self.known_notifiers = known_notifiers
        self._ruleset: RuleSet | None = None
        self.error: RulesError | None = None
        self.notices: list[str] = []
        self._signature: tuple | None = None  # taken when the rules are first loaded or checked
        #: the workspace whose rules archive records every version used (None: no archive)
        self.workspace_path = workspace_path
        self.actor = actor

    def _known(self) -> set[str]:
        from ..engine import ANY_NOTIFIER

        return self.known_notifiers() if self.known_notifiers else set(ANY_NOTIFIER)

    def files_signature(self) -> tuple:
        """(name, modification time, size) of every rule file: a cheap way to see that one changed."""
        from ..engine import FILE_NAMES

        found = []
        for name in sorted(FILE_NAMES.values()):
            try:
                stat = (self.directory / name).stat()
            except OSError:
                continue
            found.append((name, stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def reload_if_changed(self) -> list[str]:
        """Load the rules again when a rule file changed, and say so. Invalid new files leave the rules
        that were in force in place (a half-saved edit must not stop escalations)."""
        from ..engine import RulesError, load_ruleset

        signature = self.files_signature()
        if self._signature is None:
            self._signature = signature
        if signature == self._signature:
            return []
        self._signature = signature
        before = len(self.notices)
        try:
            fresh = self._version_in_use(self.directory, lambda: load_ruleset(self.directory,
                                                                              known_notifiers=self._known()))
        except RulesError as error:
            count = len(error.problems)
            kept = "the previous rules stay in force" if self._ruleset is not None else "no rules are in force"
            return [f"the rule files in {self.directory} changed but have {count} problem{'' if count == 1 else 's'}; "
                    f"{kept} (see `incident-desk rules check`): {error.problems[0]}"]
        self._ruleset, self.error = fresh, None
        said = self.notices[before:]  # said here, by the watcher, not again at exit
        del self.notices[before:]
        return [f"the rule files in {self.directory} changed: reloaded (digest {fresh.digest})"] + said

    @classmethod
    def for_workspace(cls, workspace_path: Path, known_notifiers: Callable[[], set[str]] | None = None,
                      actor: str = "") -> RulesProvider:
        return cls(default_rules_dir(workspace_path), known_notifiers, workspace_path=workspace_path, actor=actor)

    @property
    def ruleset(self) -> RuleSet | None:
        if self._ruleset is None and self.error is None:
            from ..engine import RulesError, load_ruleset

            if self._signature is None:
                self._signature = self.files_signature()
            try:
                self._ruleset = self._version_in_use(self.directory, lambda: load_ruleset(
                    self.directory, known_notifiers=self._known()))
            except RulesError as error:
                self.error = error
                count = len(error.problems)
                self.notices.append(f"the rule files in {self.directory} have {count} problem"
                                    f"{'' if count == 1 else 's'}; severity was not classified "
                                    f"(see `incident-desk rules check`)")
        return self._ruleset

    def _version_in_use(self, directory: Path, load: Callable[[], RuleSet]) -> RuleSet:
        """The rule set to use: the files on disk (`load()`), archived and recorded, unless they remove
        something from the version in use; then that archived version, with a notice."""
        if self.workspace_path is None:
            return load()
        from ..engine import RulesError, load_ruleset
        from ..store.errors import StoreError
        from .rules_archive import RulesArchive, rules_signature

        signature = rules_signature(directory)  # before loading: an edit meanwhile is seen next time
        loaded = load()

        archive = RulesArchive(self.workspace_path)
        try:
            status = archive.status(loaded)
            if status.in_use is None:
                archive.record(loaded, event="first seen", actor=self.actor)
            elif status.in_use == loaded.digest:
                archive.archive(loaded)
            elif status.needs_confirmation:
                kept = load_ruleset(archive.version_dir(status.in_use), known_notifiers=self._known())
                self.notices.append(
                    f"the rule files in {self.directory} changed since rules version {status.in_use} was put in "
                    f"use and the change removes something: {status.diff.summary()}; the desk keeps using version "
                    f"{status.in_use} until the change is confirmed with `incident-desk rules check "
                    "--accept-changes`")
                return kept
            else:
                archive.record(loaded, event="changed on disk", actor=self.actor, diff=status.diff)
                self.notices.append(f"the rule files in {self.directory} changed since rules version "
                                    f"{status.in_use}: {status.diff.summary()}; version {loaded.digest} is now in "
                                    "use (recorded in the rules history)")
            archive.remember_signature(signature, loaded.digest)
        except (OSError, StoreError, RulesError, ValueError) as error:
            self.notices.append(f"rules version {loaded.digest} could not be archived in the workspace: {error}")
        return loaded

    def record_installed(self) -> None:
        """Archive freshly installed rule files as the first version in use, without keeping them loaded
        (the desk loads its rules on first use, after any edit made meanwhile)."""
        if self.ruleset is not None:
            self._ruleset = None

    def drift_notices(self) -> list[str]:
        """For commands that never load the rules: whether the rule files still are the version in use.
        Cheap when they did not change (their names, times and sizes are those last seen with that
        version); otherwise their bytes are hashed."""
        if self._ruleset is not None or self.error is not None or self.workspace_path is None:
            return []
        from .rules_archive import RulesArchive, rules_signature

        try:
            drifted = RulesArchive(self.workspace_path).drifted(self.directory, rules_signature(self.directory))
        except OSError:
            return []
        if drifted is None:
            return []
        return [f"the rule files in {self.directory} differ from rules version {drifted} in use; "
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
    from ..engine import FILE_NAMES

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
