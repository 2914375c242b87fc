"""`show` reads an `IncidentView` straight from a sealed incident file, without the pydantic models: it must
equal the view of the validated incident for every incident the desk writes, and any file the desk did not
seal (a hand edit, damage) must be shown, or refused, exactly as the validated path does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson
import pytest

from incident_desk import IncidentView
from incident_desk.app.wiring import open_desk
from incident_desk.store import incident_file
from incident_desk.store.errors import TamperedFile
from tests.cli_support import demo_workspace, run_cli_redirected

START = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def desk(tmp_path):
    desk = open_desk(tmp_path / "ws", create=True, actor="tester")
    yield desk
    desk.close()


def busy_incident(desk) -> str:
    """An incident with everything the view shows: an override, a role handed over, facts of every kind
    (percent, count, amount, list, flag, duration), every clock."""
    found = desk.declare(title="Payments failing", type="security", severity="sev1", started_at=START,
                         alerted_at=START + timedelta(minutes=2), declared_at=START + timedelta(minutes=5),
                         commander="alice", services=["payments", "checkout"], affected_systems=["db-1"],
                         facts={"customer_impact_pct": "12.5", "customers_affected": "1200",
                                "revenue_per_hour": "5000", "regions": "eu,us", "security_breach": "true",
                                "data_loss_window": "6h"})
    desk.assign_role(found.id, "incident_commander", "bob", at=START + timedelta(minutes=30))
    desk.assign_role(found.id, "scribe", "carol", at=START + timedelta(minutes=31))
    desk.acknowledge(found.id, at=START + timedelta(minutes=6))
    desk.add_event(found.id, "Rolled back the deploy", at=START + timedelta(minutes=40))
    desk.add_communication(found.id, "Payments are failing for some customers", channel="customer",
                           at=START + timedelta(minutes=45))
    desk.transition(found.id, "resolved", at=START + timedelta(hours=2))
    desk.add_action_item(found.id, title="Add a canary", owner="dev")
    return found.id


def stored(desk, incident_id: str) -> incident_file.StoredIncident:
    return incident_file.read_stored(desk.workspace.incident_path(incident_id), incident_id)


def from_file(desk, incident_id: str) -> IncidentView:
    raw = stored(desk, incident_id)
    return IncidentView.from_document(raw.core, len(raw.timeline), len(raw.communications))


def test_the_view_of_a_sealed_file_equals_the_view_of_the_validated_incident(desk):
    incident_id = busy_incident(desk)
    expected = IncidentView.of(desk.get(incident_id))
    assert from_file(desk, incident_id) == expected == desk.view(incident_id)
    assert expected.override is not None and expected.override.level == "SEV-1"
    assert [(h.role, h.person) for h in expected.holders] == [("incident_commander", "bob"), ("scribe", "carol")]
    assert dict(expected.facts)["regions"] == ["eu", "us"] and dict(expected.facts)["security_breach"] is True
    assert (expected.timeline_count, expected.communications_count, expected.action_items_count) == (
        len(desk.get(incident_id).timeline), 1, 1)


def test_the_view_carries_every_instant_of_the_clock():
    """The view lists the clock's fields by name (it must not load the models): a field added to the model
    must be added to the view, or `show` would drop it on both paths alike and the equality tests pass."""
    from incident_desk.domain import Clock
    from incident_desk.domain.incident_view import CLOCK_FIELDS

    assert CLOCK_FIELDS == tuple(Clock.model_fields)


def test_every_demo_incident_reads_the_same_both_ways(tmp_path_factory):
    root = demo_workspace(tmp_path_factory, "view-demo", 80)
    desk = open_desk(root, actor="tester")
    try:
        ids = desk.workspace.incident_ids()
        assert len(ids) >= 80  # the demo adds its story incidents to the generated ones
        for incident_id in ids:
            assert from_file(desk, incident_id) == IncidentView.of(desk.get(incident_id)), incident_id
    finally:
        desk.close()


def show(root, *args):
    return run_cli_redirected("--workspace", root, "show", *args)


def test_show_prints_the_same_block_from_the_file_as_from_the_model(desk):
    incident_id = busy_incident(desk)
    code, out, err = show(desk.workspace.path, incident_id)
    assert code == 0, err
    from incident_desk.cli.formatting import incident_block

    assert out == incident_block(desk.get(incident_id)) + "\n"
    assert "Payments failing" in out and "Roles:      Incident commander: bob; Scribe: carol" in out
    assert "data_loss_window=PT6H" in out and "regions=['eu', 'us']" in out


def hand_edit(desk, incident_id: str, change) -> None:
    path = desk.workspace.incident_path(incident_id)
    tables = orjson.loads(path.read_bytes())
    change(tables["incident"]["1"])
    path.write_bytes(orjson.dumps(tables))


def test_a_hand_edited_file_is_shown_as_the_models_read_it(desk):
    incident_id = busy_incident(desk)
    hand_edit(desk, incident_id, lambda core: core.update(title="  Edited by hand  ", services=["b", " b ", "a"]))
    with pytest.raises(TamperedFile, match="does not match its audit trail"):  # so the fast path does not apply
        stored(desk, incident_id).check_sealed()
    view = desk.view(incident_id)
    assert view == IncidentView.of(desk.get(incident_id))
    assert view.title == "Edited by hand" and view.services == ("b", "a")  # as the models clean them


def test_a_file_the_models_refuse_is_refused_by_show_with_the_same_message(desk):
    incident_id = busy_incident(desk)
    hand_edit(desk, incident_id, lambda core: core.update(status="on-fire"))
    code, out, err = show(desk.workspace.path, incident_id)
    json_code, _, json_err = show(desk.workspace.path, incident_id, "--json")
    assert code == json_code == 5 and out == ""
    assert err == json_err and f"{incident_id}.json" in err and "status" in err


@pytest.mark.parametrize("change", [
    lambda core: core.update(status="on-fire"),
    lambda core: core.update(revision=True),
    lambda core: core.update(services="payments"),
    lambda core: core["clock"].update(started_at="2026-03-02T09:30:00"),  # no time zone
    lambda core: core["clock"].update(resolved_at="2301-01-01T00:00:00Z"),  # out of range
    lambda core: core["facts"].update(customers_affected={"n": 1}),
    lambda core: core["severity"].update(override={"level": 1}),
    lambda core: core.update(roles=[{"role": "scribe"}]),
])
def test_a_document_of_another_shape_is_not_read_without_the_models(desk, change):
    incident_id = busy_incident(desk)
    raw = stored(desk, incident_id)
    change(raw.core)
    with pytest.raises((KeyError, TypeError, ValueError)):
        IncidentView.from_document(raw.core, len(raw.timeline), len(raw.communications))


def test_a_malformed_audit_trail_does_not_stop_show(desk):
    """The seal is checked only to choose the quick path: a trail the check cannot even read (a record
    without its hash) makes `show` validate the incident, as it always did, instead of failing."""
    incident_id = busy_incident(desk)
    path = desk.workspace.incident_path(incident_id)
    tables = orjson.loads(path.read_bytes())
    for record in tables["audit"].values():
        del record["hash"]
    path.write_bytes(orjson.dumps(tables))
    assert desk.view(incident_id) == IncidentView.of(desk.get(incident_id))
    code, out, err = show(desk.workspace.path, incident_id)
    assert code == 0 and out.startswith(f"{incident_id}  Payments failing"), err
