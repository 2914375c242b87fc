"""The severity explanation (frozen CriterionResult / RuleMatch dataclasses) keeps the stored JSON format.

`data/explanations_from_main.jsonl` was written by the code before the explanation became dataclasses
(pydantic models with lists): two demo incidents with their stored explanation, and a Severity with every
kind of expected and actual value. Each loads with today's code and is written back byte for byte (apart
from fields added to the incident since, which are written with their defaults); bad data inside an
explanation is refused with the path of the field, directly and through the store.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from incident_desk.domain import CriterionResult, Incident, RuleMatch, Severity
from incident_desk.store import DamagedFile, Workspace

FROM_MAIN = (Path(__file__).parent / "data" / "explanations_from_main.jsonl").read_bytes().splitlines()


def load(line: bytes) -> Incident | Severity:
    return (Incident if line.startswith(b'{"id"') else Severity).model_validate_json(line)


# Incident fields added after the file was written (regulatory filings, the materiality determination,
# the data-loss facts, the playbook checklist and the drill flag): old data gets their defaults.
def added_since(loaded: Incident | Severity) -> dict:
    if not isinstance(loaded, Incident):
        return {}
    assert loaded.regulatory_filings == [] and loaded.clock.materiality_determined_at is None
    assert loaded.checklist == [] and loaded.drill is False
    new_facts = {"customers_total", "data_lost", "records_lost", "data_loss_window", "data_recoverable",
                 "backups_failed"}
    assert all(getattr(loaded.facts, name) is None for name in new_facts)
    return {"regulatory_filings": True, "checklist": True, "drill": True, "clock": {"materiality_determined_at"},
            "facts": new_facts}


@pytest.mark.parametrize("line", FROM_MAIN, ids=["demo-seed", "demo-security", "every-value-kind"])
def test_json_written_before_loads_and_is_written_back_byte_for_byte(line):
    loaded = load(line)
    new = added_since(loaded)
    assert loaded.model_dump_json(exclude=new).encode() == line
    assert orjson.dumps(loaded.model_dump(mode="json", exclude=new)) == line  # as the store serialises
    assert load(loaded.model_dump_json().encode()) == loaded
    severity = loaded.severity if isinstance(loaded, Incident) else loaded
    assert severity.explanation and all(isinstance(m, RuleMatch) for m in severity.explanation)
    for match in severity.explanation:
        assert isinstance(match.criteria, tuple)
        for criterion in match.criteria:
            assert isinstance(criterion, CriterionResult)
            assert not isinstance(criterion.expected, list) and not isinstance(criterion.actual, list)
            assert json.loads(json.dumps(criterion.json_data())) == criterion.json_data()


def test_lists_read_from_disk_become_tuples_equal_to_what_the_engine_builds():
    severity = load(FROM_MAIN[2])
    mixed = severity.explanation[0]
    assert mixed.level == "SEV-2"
    assert mixed.criteria[0].expected == (10, 50.5)
    assert mixed.criteria[2].expected == ("personal", "payment") and mixed.criteria[2].actual == ("personal",)
    assert mixed.criteria[1].missing and mixed.criteria[1].actual is None
    assert severity.explanation[1].criteria == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        mixed.criteria[0].matched = False
    assert hash(severity.explanation)  # immutable all the way down


BAD = {
    "wrong type": (("criteria", 0, "matched"), "perhaps", "explanation.0.criteria.0.matched"),
    "unknown key": (("criteria", 1, "colour"), "red", "explanation.0.criteria.1.colour"),
    "bad level": (("level",), "catastrophic", "explanation.0.level"),
    "criteria not a list": (("criteria",), "all of them", "explanation.0.criteria"),
    "text not a string": (("criteria", 2, "text"), ["a"], "explanation.0.criteria.2.text"),
}


def _spoiled(data: dict, where: tuple, value) -> dict:
    target = data["explanation"][0]
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return data


@pytest.mark.parametrize("case", BAD)
def test_bad_data_inside_an_explanation_is_refused_with_its_path(case):
    where, value, path = BAD[case]
    data = _spoiled(json.loads(FROM_MAIN[2]), where, value)
    with pytest.raises(ValidationError) as error:
        Severity.model_validate_json(json.dumps(data))
    locations = [".".join(str(p) for p in e["loc"]) for e in error.value.errors()]
    assert path in locations, locations


def test_the_store_refuses_a_file_with_a_bad_explanation_naming_the_field(tmp_path):
    incident = load(FROM_MAIN[0])
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ws.create(incident, actor="alice")
        stored = ws.get(incident.id)
        assert stored.severity == incident.severity
        assert stored.severity.model_dump_json() == incident.severity.model_dump_json()
        path = ws.incident_path(incident.id)
        raw = orjson.loads(path.read_bytes())
        (core,) = raw["incident"].values()
        core["severity"]["explanation"][1]["criteria"][0]["missing"] = "maybe"
        path.write_bytes(orjson.dumps(raw))
        with pytest.raises(DamagedFile) as damage:
            ws.get(incident.id)
    assert "severity.explanation.1.criteria.0.missing" in str(damage.value)
    assert str(path.name) in str(damage.value)
