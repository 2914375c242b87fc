"""`incident-desk improvements`: process improvements and recommendations derived from the data."""

from __future__ import annotations

from dataclasses import asdict

import click

from .common import AppContext, emit, json_option, pass_app
from .context import open_desk

TITLES = {"process_improvements": "PROCESS IMPROVEMENTS", "recommendations": "RECOMMENDATIONS"}


def _text(items) -> str:
    if not items:
        return "Nothing to improve from the data (rules/improvements.yaml found no pattern)."
    lines = []
    for section, title in TITLES.items():
        chosen = [i for i in items if i.section == section]
        if chosen:
            lines.append(f"{title}:")
            for n, item in enumerate(chosen, 1):
                lines += [f"{n}. {item.text}", f"   evidence ({item.rule_id}): {item.evidence}"]
            lines.append("")
    return "\n".join(lines).rstrip()


@click.command("improvements")
@json_option
@pass_app
def improvements(app: AppContext, as_json: bool) -> None:
    """Process improvements and recommendations found in the incident history, with their evidence."""
    from ..app import improvements_service

    with open_desk(app) as desk:
        items = improvements_service.derive(desk)
    emit([asdict(i) for i in items], as_json, lambda _: _text(items))


COMMANDS = [improvements]
