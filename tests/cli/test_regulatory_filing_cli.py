"""Regulatory deadlines met by recorded filings, and the SEC clock from the materiality determination,
through the real command line on a real workspace."""

from __future__ import annotations

import json


def declare_breach(cli, *extra: str) -> str:
    result = cli("declare", "Customer PII exposed", "--type", "security", "--fact", "data_categories=personal",
                 "--declared-at", "2026-03-02T09:00:00Z", "--json", *extra)
    assert result.code == 0, result.err
    return result.json()["id"]


def regulatory(cli, incident_id: str, at: str) -> dict:
    result = cli("clocks", incident_id, "--at", at, "--json")
    assert result.code == 0, result.err
    return {(c["regime"], c["obligation"]): c for c in result.json()["regulatory"]}


def test_sec_due_four_business_days_after_the_recorded_determination_across_a_weekend(cli):
    incident_id = declare_breach(cli, "--tag", "material")
    sec = regulatory(cli, incident_id, "2026-03-02T10:00:00Z")[("sec", "form-8k")]
    assert sec["due_at"] is None and sec["state"] == "not yet known"
    assert "File Form 8-K Item 1.05 due not yet known" in cli("clocks", incident_id, "--at",
                                                              "2026-03-02T10:00:00Z").out

    # determined Thursday 2026-03-05 15:00: Fri, Mon, Tue, Wed -> Wednesday 2026-03-11 15:00
    done = cli("set", incident_id, "--clock", "materiality_determined_at=2026-03-05T15:00:00Z")
    assert done.code == 0, done.err
    sec = regulatory(cli, incident_id, "2026-03-06T15:00:00Z")[("sec", "form-8k")]
    assert sec["due_at"] == "2026-03-11T15:00:00Z" and sec["state"] == "running"
    assert sec["time_left_seconds"] == 5 * 24 * 3600
    assert cli("show", incident_id, "--json").json()["clock"]["materiality_determined_at"] == "2026-03-05T15:00:00Z"


def test_a_recorded_determination_alone_starts_the_sec_clock(cli):
    incident_id = declare_breach(cli)
    assert ("sec", "form-8k") not in regulatory(cli, incident_id, "2026-03-02T10:00:00Z")
    cli("set", incident_id, "--clock", "materiality_determined=2026-03-06T09:00:00Z")  # `_at` may be left off
    sec = regulatory(cli, incident_id, "2026-03-06T10:00:00Z")[("sec", "form-8k")]
    assert sec["due_at"] == "2026-03-12T09:00:00Z"  # Friday -> Mon, Tue, Wed, Thu


def test_determination_before_impact_started_is_refused(cli):
    incident_id = declare_breach(cli)
    result = cli("set", incident_id, "--clock", "materiality_determined_at=2026-03-01T09:00:00Z")
    assert result.code == 4
    assert result.err.strip() == ("incident-desk: error: clock: materiality_determined (2026-03-01T09:00:00Z) "
                                  "is before started (2026-03-02T09:00:00Z)")


def test_gdpr_filed_on_time_is_no_longer_overdue(cli):
    incident_id = declare_breach(cli)
    filed = cli("regulatory", "file", incident_id, "gdpr", "supervisory-authority", "--at",
                "2026-03-03T10:00:00Z", "--reference", "DPA-2026-118", "--json")
    assert filed.code == 0, filed.err
    data = filed.json()
    assert data["filing"] == {"regime": "gdpr", "obligation": "supervisory-authority",
                              "filed_at": "2026-03-03T10:00:00Z", "reference": "DPA-2026-118", "author": "alice"}
    assert data["clock"]["state"] == "filed on time"

    # long after the 72 h deadline (2026-03-05T09:00Z) the obligation is met, not overdue
    gdpr = regulatory(cli, incident_id, "2026-03-09T09:00:00Z")[("gdpr", "supervisory-authority")]
    assert gdpr["due_at"] == "2026-03-05T09:00:00Z"
    assert (gdpr["overdue"], gdpr["state"], gdpr["on_time"], gdpr["filed_at"], gdpr["time_left_seconds"]) == \
        (False, "filed on time", True, "2026-03-03T10:00:00Z", None)
    text = cli("clocks", incident_id, "--at", "2026-03-09T09:00:00Z").out
    assert "due 2026-03-05T09:00:00Z, filed 2026-03-03T10:00:00Z (on time, reference DPA-2026-118)" in text
    assert "OVERDUE" not in text.split("GDPR:")[1].split("\n")[0]

    timeline = cli("timeline", "list", incident_id, "--json").json()
    event = next(e for e in timeline if e["source"] == "regulatory")
    assert event["at"] == "2026-03-03T10:00:00Z" and event["kind"] == "communication"
    assert event["text"] == ("Regulatory filing: GDPR: Notify the supervisory authority (Art. 33) "
                             "(reference DPA-2026-118)")
    assert cli("audit", "verify", incident_id).code == 0


def test_a_late_filing_shows_late(cli):
    incident_id = declare_breach(cli)
    filed = cli("regulatory", "file", incident_id, "GDPR", "Supervisory-Authority", "--at", "2026-03-06T12:00:00Z")
    assert filed.code == 0, filed.err
    assert "filed 2026-03-06T12:00:00Z (late)" in filed.out
    gdpr = regulatory(cli, incident_id, "2026-03-07T09:00:00Z")[("gdpr", "supervisory-authority")]
    assert (gdpr["state"], gdpr["on_time"], gdpr["overdue"]) == ("filed late", False, False)
    assert "filed 2026-03-06T12:00:00Z (late)" in cli("clocks", incident_id, "--at", "2026-03-07T09:00:00Z").out


def test_unknown_regime_or_obligation_is_refused_with_did_you_mean(cli):
    incident_id = declare_breach(cli)
    wrong = cli("regulatory", "file", incident_id, "gdpr", "supervisory-authorty", "--at", "2026-03-03T10:00:00Z")
    assert wrong.code == 4
    assert wrong.err.strip() == ("incident-desk: error: unknown obligation 'supervisory-authorty' of regime gdpr "
                                 "- did you mean 'supervisory-authority'?")
    wrong = cli("regulatory", "file", incident_id, "gpdr", "supervisory-authority")
    assert wrong.code == 4 and "unknown regime 'gpdr' in regulatory.yaml - did you mean 'gdpr'?" in wrong.err
    assert cli("show", incident_id, "--json").json()["regulatory_filings"] == []


def test_duplicate_future_and_early_filings_are_refused(cli):
    incident_id = declare_breach(cli)
    assert cli("regulatory", "file", incident_id, "gdpr", "supervisory-authority", "--at",
               "2026-03-03T10:00:00Z", "--reference", "A-1").code == 0
    again = cli("regulatory", "file", incident_id, "gdpr", "supervisory-authority", "--at", "2026-03-04T10:00:00Z")
    assert again.code == 4
    assert again.err.strip() == (f"incident-desk: error: {incident_id} already has a filing for gdpr "
                                 "supervisory-authority, recorded as filed at 2026-03-03T10:00:00Z (reference A-1)")
    early = cli("regulatory", "file", incident_id, "hipaa", "individual-notice", "--at", "2026-03-01T10:00:00Z")
    assert early.code == 4 and "is before the incident started (2026-03-02T09:00:00Z)" in early.err
    future = cli("regulatory", "file", incident_id, "hipaa", "individual-notice", "--at", "2999-01-01T00:00:00Z")
    assert future.code == 4 and "cannot be recorded in the future" in future.err
    filings = cli("show", incident_id, "--json").json()["regulatory_filings"]
    assert [(f["regime"], f["filed_at"]) for f in filings] == [("gdpr", "2026-03-03T10:00:00Z")]


def test_filing_for_a_regime_that_does_not_apply_is_recorded_with_a_warning(cli):
    incident_id = declare_breach(cli)
    result = cli("regulatory", "file", incident_id, "hipaa", "individual-notice", "--at", "2026-03-03T10:00:00Z")
    assert result.code == 0
    assert f"hipaa does not apply to {incident_id} under the current rules" in result.err


def _without_new_fields(incident: dict) -> dict:
    assert incident.pop("regulatory_filings") == []
    assert incident["clock"].pop("materiality_determined_at") is None
    return incident


def test_an_incident_exported_before_filings_existed_still_loads(cli, tmp_path):
    incident_id = declare_breach(cli, "--tag", "material")
    document = json.loads(cli("export", incident_id).out)
    _without_new_fields(document["incident"])
    document["format_version"] = 1  # as exported then: no audit trail in the document
    del document["audit"]
    old_file = tmp_path / "old.json"
    old_file.write_text(json.dumps(document), encoding="utf-8")

    other = tmp_path / "other"
    assert cli("--workspace", other, "init").code == 0
    imported = cli("--workspace", other, "import", old_file, "--allow-unverified")
    assert imported.code == 0, imported.err
    shown = cli("--workspace", other, "show", incident_id, "--json").json()
    assert shown["regulatory_filings"] == [] and shown["clock"]["materiality_determined_at"] is None
    clocks = cli("--workspace", other, "clocks", incident_id, "--at", "2026-03-02T10:00:00Z", "--json").json()
    assert {(c["regime"], c["state"]) for c in clocks["regulatory"]} == {("gdpr", "running"),
                                                                         ("sec", "not yet known")}
    filed = cli("--workspace", other, "regulatory", "file", incident_id, "gdpr", "supervisory-authority",
                "--at", "2026-03-03T10:00:00Z")
    assert filed.code == 0, filed.err


def _seal_as_written(stored: dict) -> None:
    """An older desk sealed the file it wrote: its last audit record holds the state hash of that content."""
    from incident_desk.store import audit

    def ordered(table: dict) -> list:
        return [doc for _, doc in sorted(table.items(), key=lambda item: int(item[0]))]

    head = stored["audit"][str(len(stored["audit"]))]
    head["state_hash"] = audit.state_hash(stored["incident"]["1"], ordered(stored.get("timeline", {})),
                                          ordered(stored.get("communications", {})))
    head["hash"] = audit.record_hash(head)


def test_a_stored_incident_file_without_the_new_fields_still_loads(cli, workspace):
    incident_id = declare_breach(cli)
    path = next(workspace.glob(f"incidents/*/{incident_id}.json"))
    stored = json.loads(path.read_text(encoding="utf-8"))
    for doc in stored["incident"].values():
        _without_new_fields(doc)
    _seal_as_written(stored)
    path.write_text(json.dumps(stored), encoding="utf-8")

    shown = cli("show", incident_id, "--json")
    assert shown.code == 0, shown.err
    assert shown.json()["regulatory_filings"] == []
    gdpr = regulatory(cli, incident_id, "2026-03-02T10:00:00Z")[("gdpr", "supervisory-authority")]
    assert gdpr["state"] == "running"
    assert cli("regulatory", "file", incident_id, "gdpr", "supervisory-authority", "--at",
               "2026-03-03T10:00:00Z").code == 0
    assert cli("show", incident_id, "--json").json()["regulatory_filings"][0]["regime"] == "gdpr"
