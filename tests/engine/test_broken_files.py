"""Broken rule files each give their precise error (file, line, dotted path, message), never a traceback."""

from __future__ import annotations

import pytest

from incident_desk.engine import RulesError, load_ruleset

from .broken_cases import CASES
from .conftest import LEVELS, write_rules


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("kind, text, line, path, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_file_gives_its_precise_error(tmp_path, kind, text, line, path, message):
    files = {kind: text} if kind == "severity" else {"severity": LEVELS, kind: text}
    directory = write_rules(tmp_path, **files)
    with pytest.raises(RulesError) as caught:
        load_ruleset(directory)
    problems = caught.value.problems
    assert problems, "RulesError without problems"
    first = problems[0]
    assert first.file == str(directory / f"{kind}.yaml")
    assert (first.line, first.path) == (line, path), [str(p) for p in problems]
    assert message in first.message, [str(p) for p in problems]
    assert str(first).startswith(f"{first.file}:{line}: " if line else f"{first.file}: ")
    assert "Traceback" not in str(caught.value)


def test_every_error_is_reported_at_once(tmp_path):
    text = LEVELS + """\
rules:
  - id: a
    level: SEV-9
    when: {field: customer_impct_pct, op: gte, value: 5}
  - id: b
    level: SEV-1
    when: {all: []}
  - id: b
    level: SEV-2
    when: {field: type, op: gte, value: x}
"""
    with pytest.raises(RulesError) as caught:
        load_ruleset(write_rules(tmp_path, severity=text))
    found = [(p.line, p.path) for p in caught.value.problems]
    assert found == [(10, "rules[0].level"), (11, "rules[0].when.field"), (14, "rules[1].when.all"),
                     (15, "rules[2].id"), (17, "rules[2].when.op")]


def test_missing_directory_and_missing_severity_file(tmp_path):
    with pytest.raises(RulesError, match="rules directory not found"):
        load_ruleset(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RulesError, match="severity.yaml: file not found"):
        load_ruleset(tmp_path / "empty")


def test_recursive_alias_is_refused(tmp_path):
    text = LEVELS + "rules: &loop\n  - *loop\n"
    with pytest.raises(RulesError) as caught:
        load_ruleset(write_rules(tmp_path, severity=text))
    assert any("recursive alias" in p.message for p in caught.value.problems)


def test_anchors_and_merge_keys_of_plain_data_work(tmp_path):
    text = LEVELS + """\
rules:
  - id: r1
    level: SEV-1
    when: &impact {field: customer_impact_pct, op: gte, value: 50}
  - id: r2
    level: SEV-2
    when: {<<: *impact, value: 10}
"""
    rules = load_ruleset(write_rules(tmp_path, severity=text)).severity_rules.rules
    assert [(r.id, r.node.field, r.node.op, r.node.value) for r in rules] == [
        ("r1", "customer_impact_pct", "gte", 50.0), ("r2", "customer_impact_pct", "gte", 10.0)]
