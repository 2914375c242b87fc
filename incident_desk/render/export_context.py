"""What an exporter receives besides the incident: the report context and the facts about the export.

The app layer builds an `ExportContext` (from the workspace, the rules and the audit trail) and hands it
to the exporter a plugin registered; exporters never read the store or the wall clock themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .context import ReportContext


@dataclass(frozen=True)
class ExportContext:
    """Everything an exporter may use besides the incident.

    - `report`: the `ReportContext` the text and Markdown renderers take (level names, metrics, time zone).
    - `generated_at`: the instant of the export, printed in the PDF footer.
    - `audit_head`: head hash of the incident's audit trail when exported (ties the file to a stored state).
    - `rules_version`: digest of the rule set in force.
    - `regulatory`: the incident's regulatory clocks (deadlines and filings) from the rules.
    - `signer`: who will sign the file ("" when it is not signed), for the PDF cover.
    - `author`: who exported it.
    - `export_document()`: the incident's export document (what `import` reads back: the incident as
      stored with its whole audit trail), built by the desk on first call.
    """

    report: ReportContext = field(default_factory=ReportContext)
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    audit_head: str = ""
    rules_version: str = ""
    regulatory: tuple[Any, ...] = ()
    signer: str = ""
    author: str = ""
    document_source: Callable[[], Mapping[str, Any]] | None = field(default=None, repr=False, compare=False)

    def export_document(self) -> Mapping[str, Any]:
        if self.document_source is None:
            raise ValueError("this export has no desk behind it: the export document is not available")
        return self.document_source()
