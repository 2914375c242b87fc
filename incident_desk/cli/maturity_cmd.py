"""`incident-desk maturity`: the incident response maturity assessment, with evidence and next steps."""

from __future__ import annotations

from dataclasses import asdict

import click

from .common import AppContext, emit, json_option, pass_app
from .context import open_desk


def assessment_text(result) -> str:
    lines = [f"Incident response maturity: {result.level}/5 ({result.level_name}); target {result.target}/5 "
             f"({result.target_name}). Signals over the last {result.window_days} days.", ""]
    for dimension in result.dimensions:
        lines.append(f"{dimension.name}: {dimension.level}/5 - {dimension.description}")
        lines += [f"  evidence: {c.evidence}" for c in dimension.criteria]
        if dimension.level < 5:
            needs = "; ".join(dimension.next_level_needs) or "nothing more from the signals measured"
            lines.append(f"  next level ({dimension.level + 1}) needs: {needs}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


@click.command("maturity")
@json_option
@pass_app
def maturity(app: AppContext, as_json: bool) -> None:
    """Score the workspace against rules/maturity.yaml: level per dimension, evidence, what the next level needs."""
    from ..app import maturity_service

    with open_desk(app) as desk:
        result = maturity_service.assess(desk)
    emit(asdict(result), as_json, lambda _: assessment_text(result).rstrip("\n"))


COMMANDS = [maturity]
