"""Every hook is documented: a docstring with a `:param:` line per argument, and a mention in docs/plugins.md."""

from __future__ import annotations

import inspect
import types
from pathlib import Path

from incident_desk.plugin import spec
from incident_desk.plugin.markers import PROJECT_NAME

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def hookspecs(module: types.ModuleType) -> dict[str, types.FunctionType]:
    return {name: fn for name, fn in vars(module).items()
            if inspect.isfunction(fn) and hasattr(fn, f"{PROJECT_NAME}_spec")}


def hook_doc_problems(module: types.ModuleType, guide_text: str) -> list[str]:
    problems = []
    for name, function in hookspecs(module).items():
        doc = inspect.getdoc(function) or ""
        if len(doc.split("\n")[0].strip()) < 10:
            problems.append(f"{name}: no docstring saying what the hook is for")
        for argument in inspect.signature(function).parameters:
            if f":param {argument}:" not in doc:
                problems.append(f"{name}: argument {argument} has no ':param {argument}:' line")
        if f"`{name}`" not in guide_text and f"{name}(" not in guide_text:
            problems.append(f"{name}: not mentioned in docs/plugins.md")
    return problems


def test_every_hook_is_documented_in_code_and_guide():
    assert len(hookspecs(spec)) == 15
    assert hook_doc_problems(spec, GUIDE.read_text(encoding="utf-8")) == []


def test_hook_lists_match_the_specs():
    assert set(spec.all_hook_names()) == set(hookspecs(spec))


def test_checker_flags_an_undocumented_hook():
    fake = types.ModuleType("fake_spec")
    from incident_desk.plugin.markers import hookspec

    @hookspec
    def incident_did_explode(incident, blast_radius):
        """Called when an incident explodes, which is rare.

        :param incident: the incident.
        """

    fake.incident_did_explode = incident_did_explode
    problems = hook_doc_problems(fake, "nothing here")
    assert "incident_did_explode: argument blast_radius has no ':param blast_radius:' line" in problems
    assert "incident_did_explode: not mentioned in docs/plugins.md" in problems
