"""Workspace metrics on a small fixed dataset entered through the desk with exact times, checked against
values computed by hand here, in every output format.

November 2025 in Europe/Berlin is [2025-10-31T23:00Z, 2025-11-30T23:00Z) (CET, 30 days); October 2025
in Berlin is [2025-09-30T22:00Z, 2025-10-31T23:00Z) (31 days and the hour the clocks went back).

    A  starts 2025-10-31T23:30Z: 1 November in Berlin, still October in UTC. SEV-2, checkout, Dana
    B  reopened: resolved 11:00, relapsed 12:00, resolved again 14:00. SEV-3, checkout + search
    C  backfilled days later with its real times and a 50-minute outage window; credits recorded. SEV-1
    D  still open, never acknowledged. SEV-4, checkout
    E  October (the previous period). SEV-2, checkout
    F  a drill in November: left out unless asked for
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from datetime import date, datetime, timezone

import pytest

from incident_desk.app import metrics_service
from incident_desk.app.metrics_service import MetricsRequest
from incident_desk.app.wiring import open_desk
from incident_desk.cli.main import main
from incident_desk.domain.period_metrics import MetricsFilter

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def minutes(n: float) -> float:
    return n * 60.0


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    path = tmp_path_factory.mktemp("metrics") / "ws"
    desk = open_desk(path, create=True, actor="tester")
    ids = {}

    def clock(text):
        desk.clock = lambda: at(text)

    # A: starts just after midnight in Berlin on 1 November (23:30 UTC on 31 October)
    clock("2025-10-31T23:33:00")
    a = desk.declare(title="Checkout errors", type="availability", severity="sev2", services=["checkout"],
                     facts={"revenue_per_hour": 12000}, started_at=at("2025-10-31T23:30:00"),
                     alerted_at=at("2025-10-31T23:31:00"), declared_at=at("2025-10-31T23:33:00"), commander="Dana")
    ids["A"] = a.id
    desk.acknowledge(a.id, at=at("2025-10-31T23:36:00"))
    desk.transition(a.id, "resolved", at=at("2025-11-01T01:30:00"))
    clock("2025-11-02T10:00:00")
    desk.set_postmortem(a.id, held_at=at("2025-11-02T01:30:00"))
    first = desk.add_action_item(a.id, title="Add a canary", owner="SRE", due=date(2025, 11, 10))
    desk.add_action_item(a.id, title="Alert on error budget", owner="SRE", due=date(2025, 11, 20))
    clock("2025-11-05T10:00:00")
    desk.update_action_item(a.id, first.id, {"status": "done"})

    # B: reopened after its first resolution
    clock("2025-11-10T10:10:00")
    b = desk.declare(title="Slow search", type="performance", severity="sev3", services=["checkout", "search"],
                     tags=["team-search"],
                     facts={"revenue_per_hour": 6000}, started_at=at("2025-11-10T10:00:00"),
                     alerted_at=at("2025-11-10T10:00:00"), declared_at=at("2025-11-10T10:10:00"))
    ids["B"] = b.id
    desk.acknowledge(b.id, at=at("2025-11-10T10:30:00"))
    desk.transition(b.id, "resolved", at=at("2025-11-10T11:00:00"))
    desk.transition(b.id, "investigating", at=at("2025-11-10T12:00:00"), note="errors are back")
    desk.transition(b.id, "resolved", at=at("2025-11-10T14:00:00"))
    clock("2025-11-14T10:00:00")
    desk.set_postmortem(b.id, held_at=at("2025-11-13T14:00:00"))  # 72 h after resolution: late
    desk.add_action_item(b.id, title="Tune the search cache", owner="Search", due=date(2025, 12, 15))
    dropped = desk.add_action_item(b.id, title="Rewrite search", owner="Search", due=date(2025, 11, 15))
    desk.update_action_item(b.id, dropped.id, {"status": "cancelled"})

    # C: backfilled on 20 November with the times it really happened on the 15th
    clock("2025-11-20T09:00:00")
    c = desk.declare(title="Card data exposure", type="security", severity="sev1", services=["payments-api"],
                     facts={"revenue_per_hour": 60000}, started_at=at("2025-11-15T08:00:00"),
                     alerted_at=at("2025-11-15T08:05:00"), declared_at=at("2025-11-15T08:20:00"), commander="Dana")
    ids["C"] = c.id
    desk.acknowledge(c.id, at=at("2025-11-15T08:25:00"))
    desk.transition(c.id, "resolved", at=at("2025-11-15T09:20:00"))
    desk.set_impact(c.id, sla_credits=1000,
                    windows=[("complete_outage", at("2025-11-15T08:00:00"), at("2025-11-15T08:50:00"))])

    # D: open, never acknowledged
    clock("2025-11-28T12:02:00")
    d = desk.declare(title="Checkout latency", type="availability", severity="sev4", services=["checkout"],
                     started_at=at("2025-11-28T12:00:00"), alerted_at=at("2025-11-28T12:00:00"),
                     declared_at=at("2025-11-28T12:02:00"))
    ids["D"] = d.id

    # E: the previous period (October in Berlin)
    clock("2025-10-20T10:05:00")
    e = desk.declare(title="Checkout down", type="availability", severity="sev2", services=["checkout"],
                     facts={"revenue_per_hour": 12000}, started_at=at("2025-10-20T10:00:00"),
                     alerted_at=at("2025-10-20T10:00:00"), declared_at=at("2025-10-20T10:05:00"))
    ids["E"] = e.id
    desk.acknowledge(e.id, at=at("2025-10-20T10:15:00"))
    desk.transition(e.id, "resolved", at=at("2025-10-20T13:00:00"))
    clock("2025-10-21T10:00:00")
    late_done = desk.add_action_item(e.id, title="Runbook for checkout", owner="SRE", due=date(2025, 11, 1))
    desk.set_postmortem(e.id, held_at=at("2025-10-22T12:00:00"))  # 47 h after resolution
    clock("2025-11-11T10:00:00")
    desk.update_action_item(e.id, late_done.id, {"status": "done"})

    # F: a drill in November
    clock("2025-11-05T10:00:00")
    f = desk.declare(title="Game day: region failover", type="security", severity="sev1", services=["checkout"],
                     started_at=at("2025-11-05T10:00:00"), drill=True)
    ids["F"] = f.id
    # the levels this dataset is about, whatever the rules derive from outages (SLA breaches) meanwhile
    for key, level in {"A": "SEV-2", "B": "SEV-3", "C": "SEV-1", "D": "SEV-4", "E": "SEV-2"}.items():
        if desk.get(ids[key]).severity.level != level:
            desk.override_severity(ids[key], level, "level fixed for the metrics test")
    desk.close()
    return path, ids


NOV = (at("2025-10-31T23:00:00"), at("2025-11-30T23:00:00"))
OCT = (at("2025-09-30T22:00:00"), at("2025-10-31T23:00:00"))
NOV_SECONDS = (NOV[1] - NOV[0]).total_seconds()
OCT_SECONDS = (OCT[1] - OCT[0]).total_seconds()


def availability(downtime: float, length: float) -> float:
    return round(100 * (1 - downtime / length), 4)


# Hand-computed November figures (Berlin).
TTD = [minutes(3), minutes(10), minutes(20), minutes(2)]               # A, B, C, D
TTA = [minutes(5), minutes(30), minutes(20)]                            # D was never acknowledged
TTR = [minutes(120), minutes(240), minutes(80)]                         # B: start to its final resolution
CHECKOUT_DOWN = minutes(120) + minutes(240) + (NOV[1] - at("2025-11-28T12:00:00")).total_seconds()  # D runs on
EXPECTED_NOV = {
    "count": 4, "open": 1, "drills_left_out": 1,
    "severity": {"SEV-1": 1, "SEV-2": 1, "SEV-3": 1, "SEV-4": 1},
    "mttd": {"mean": sum(TTD) / 4, "median": (minutes(3) + minutes(10)) / 2, "p90": minutes(20), "known": 4,
             "unknown": 0},
    "mtta": {"mean": round(sum(TTA) / 3, 3), "median": minutes(20), "p90": minutes(30), "known": 3, "unknown": 1},
    "mttr": {"mean": round(sum(TTR) / 3, 3), "median": minutes(120), "p90": minutes(240), "known": 3, "unknown": 1},
    "mtbf": (at("2025-11-28T12:00:00") - at("2025-10-31T23:30:00")).total_seconds() / 3,
    "availability": {"checkout": availability(CHECKOUT_DOWN, NOV_SECONDS),
                     "internal-wiki": 100.0,
                     "payments-api": availability(minutes(50), NOV_SECONDS),
                     "search": availability(minutes(240), NOV_SECONDS)},
    "sla_compliance_pct": 25.0,  # only internal-wiki meets its target
    # A and B: 10% of the 425,000 monthly fee each (below 99.95% over sla.yaml's 30 days); C recorded 1,000;
    # D is open: unknown
    "sla_credits": 42500 + 42500 + 1000, "sla_credits_unknown": 1,
    "revenue_loss": 12000 * 2 + 6000 * 4 + 60000 * 50 / 60, "revenue_loss_unknown": 1,
    "action_items": {"opened": 4, "closed": 2, "overdue": 1, "completion_rate_pct": round(100 / 3, 2),
                     "median_days_to_close": statistics.median([3.0, 21.0])},
    "postmortems": {"due": 3, "held_within_48h": 1, "held_within_48h_pct": round(100 / 3, 2)},
}
EXPECTED_OCT = {
    "count": 1, "severity": {"SEV-1": 0, "SEV-2": 1, "SEV-3": 0, "SEV-4": 0},
    "mttd": {"mean": minutes(5)}, "mtta": {"mean": minutes(15)}, "mttr": {"mean": minutes(180)}, "mtbf": None,
    "availability": {"checkout": availability(minutes(180), OCT_SECONDS), "internal-wiki": 100.0,
                     "payments-api": 100.0},
    "sla_compliance_pct": round(200 / 3, 2), "sla_credits": 42500, "revenue_loss": 36000,
    "action_items": {"opened": 1, "closed": 0, "overdue": 0, "completion_rate_pct": 0.0,
                     "median_days_to_close": None},
    "postmortems": {"due": 1, "held_within_48h": 1, "held_within_48h_pct": 100.0},
}


def run(path, *args):
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--workspace", str(path), *map(str, args)])
    return code, out.getvalue(), err.getvalue()


def metrics_json(path, *args):
    code, out, err = run(path, "metrics", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def check_figures(document, expected):
    for key, value in expected.items():
        if key == "availability":
            assert {a["service"]: a["availability_pct"] for a in document["availability"]} == value
        elif isinstance(value, dict):
            for inner, number in value.items():
                assert document[key][inner] == pytest.approx(number) if number is not None \
                    else document[key][inner] is None, (key, inner)
        elif isinstance(value, float):
            assert document[key] == pytest.approx(value), key
        else:
            assert document[key] == value, key


def test_every_figure_matches_the_hand_computation_in_berlin(workspace):
    path, ids = workspace
    document = metrics_json(path, "--period", "monthly", "--at", "2025-11-15", "--tz", "Europe/Berlin")
    assert (document["from"], document["to"]) == ("2025-10-31T23:00:00Z", "2025-11-30T23:00:00Z")
    assert document["previous"]["from"] == "2025-09-30T22:00:00Z"
    current = document["current"]
    assert sorted(current["incidents"]) == sorted(ids[k] for k in "ABCD")
    check_figures(current, EXPECTED_NOV)
    check_figures(document["previous"], EXPECTED_OCT)
    trends = {t["figure"]: t for t in document["trends"]}
    assert trends["count"] == {"figure": "count", "current": 4, "previous": 1, "change": 3, "change_pct": 300.0,
                               "direction": "worse"}
    assert trends["mttd.mean"]["direction"] == "worse"  # 8 m 45 s against 5 m
    assert trends["mttr.mean"]["direction"] == "better"  # 2 h 26 m 40 s against 3 h
    assert trends["postmortem_on_time_pct"]["direction"] == "worse"
    assert trends["mtbf"]["direction"] == "unknown"  # one incident in October: no MTBF to compare with
    assert trends["availability.search"]["direction"] == "unknown"


def test_the_time_zone_moves_an_incident_across_the_month_boundary(workspace):
    path, ids = workspace
    utc = metrics_json(path, "--period", "monthly", "--at", "2025-11-15", "--tz", "UTC")
    assert sorted(utc["current"]["incidents"]) == sorted(ids[k] for k in "BCD")
    assert sorted(utc["previous"]["incidents"]) == sorted(ids[k] for k in "AE")
    (path / "settings.yaml").write_text("time_zone: Europe/Berlin\n")
    try:
        workspace_zone = metrics_json(path, "--at", "2025-11-15")  # monthly, in the workspace's zone
        assert workspace_zone["time_zone"] == "Europe/Berlin" and workspace_zone["current"]["count"] == 4
        (path / "settings.yaml").write_text("time_zone: Europe/Berlinn\n")
        code, _, err = run(path, "metrics")
        assert code == 2 and "settings.yaml:1: time_zone: unknown time zone 'Europe/Berlinn'" in err
    finally:
        (path / "settings.yaml").unlink()


def test_filters_and_drills_and_custom_ranges(workspace):
    path, ids = workspace
    base = ("--at", "2025-11-15", "--tz", "Europe/Berlin")
    assert metrics_json(path, *base, "--service", "search")["current"]["incidents"] == [ids["B"]]
    assert sorted(metrics_json(path, *base, "--commander", "dana")["current"]["incidents"]) == [ids["A"], ids["C"]]
    assert metrics_json(path, *base, "--incident-type", "performance")["current"]["incidents"] == [ids["B"]]
    assert metrics_json(path, *base, "--tag", "TEAM-search")["current"]["incidents"] == [ids["B"]]
    assert metrics_json(path, *base, "--level", "sev1")["current"]["incidents"] == [ids["C"]]
    with_drills = metrics_json(path, *base, "--include-drills")["current"]
    assert with_drills["count"] == 5 and ids["F"] in with_drills["incidents"]
    custom = metrics_json(path, "--from", "2025-11-10", "--to", "2025-11-15", "--tz", "Europe/Berlin")
    assert custom["period"] is None and (custom["from"], custom["to"]) == ("2025-11-09T23:00:00Z",
                                                                          "2025-11-15T23:00:00Z")
    assert sorted(custom["current"]["incidents"]) == sorted([ids["B"], ids["C"]])
    assert custom["previous"]["from"] == "2025-11-03T23:00:00Z"  # the six days before
    year = metrics_json(path, "--period", "yearly", "--at", "2025-06-01", "--tz", "Europe/Berlin")
    assert year["current"]["count"] == 5 and year["from"] == "2024-12-31T23:00:00Z"
    quarter = metrics_json(path, "--period", "quarterly", "--at", "2025-11-15", "--tz", "Europe/Berlin")
    assert quarter["current"]["count"] == 5 and quarter["from"] == "2025-09-30T22:00:00Z"


def test_text_markdown_and_csv_show_the_same_figures(workspace):
    path, _ = workspace
    base = ("metrics", "--at", "2025-11-15", "--tz", "Europe/Berlin")
    code, text, _ = run(path, *base)
    assert code == 0
    rows = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    assert "4" in rows["Incidents"].split() and "+3 (worse)" in rows["Incidents"]
    assert "8m 45s" in rows["MTTD mean"] and "6m 30s" in rows["MTTD median"] and "20m" in rows["MTTD p90"]
    assert "18m 20s" in rows["MTTA mean"] and "30m" in rows["MTTA p90"]
    assert "2h 26m" in rows["MTTR mean"] and "4h" in rows["MTTR p90"] and "3h" in rows["MTTR mean"]
    assert "$86,000" in rows["SLA credits"] and "$98,000" in rows["Revenue loss"] and "$36,000" in rows["Revenue loss"]
    assert "25%" in rows["SLA compliance (services meeting target)"]
    assert "33.33%" in rows["Post-mortems held within 48 h"]
    assert "12 days" in rows["Median days to close an action item"]
    assert f"{EXPECTED_NOV['availability']['checkout']}%" in rows["Availability checkout (target 99.95%)"]
    assert "SEV-4 (Low)" in text and "1 still open" in text and "1 drill left out" in text

    code, markdown, _ = run(path, *base, "--format", "markdown")
    assert code == 0 and markdown.startswith("# Incident metrics, monthly period 2025-11-01 to 2025-11-30 (Europe/Berlin)")
    assert "| MTTR p90 | 4h | 3h | +1h (worse) |" in markdown
    assert "| SLA credits | $86,000 | $42,500 | +$43,500 (worse) |" in markdown

    code, table, _ = run(path, *base, "--format", "csv")
    assert code == 0
    by_figure = {row["figure"]: row for row in csv.DictReader(io.StringIO(table))}
    assert float(by_figure["mtta.mean"]["current"]) == pytest.approx(sum(TTA) / 3, abs=0.001)
    assert float(by_figure["mttr.p90"]["previous"]) == minutes(180)
    assert float(by_figure["revenue_loss"]["current"]) == 98000 and by_figure["revenue_loss"]["unit"] == "USD"
    assert float(by_figure["availability.payments-api"]["current"]) == EXPECTED_NOV["availability"]["payments-api"]
    assert by_figure["severity.SEV-3"]["current"] == "1" and by_figure["severity.SEV-3"]["previous"] == "0"
    assert by_figure["action_items.opened"]["direction"] == "neutral"


def test_bad_requests_are_usage_errors(workspace):
    path, _ = workspace
    code, out, err = run(path, "metrics", "--format", "xml")
    assert code == 2 and out == ""
    code, _, err = run(path, "metrics", "--from", "2025-11-10")
    assert code == 2 and "needs both --from and --to" in err
    code, _, err = run(path, "metrics", "--from", "2025-11-10", "--to", "2025-11-01")
    assert code == 2 and "must be after" in err
    code, _, err = run(path, "metrics", "--tz", "Mars/Olympus")
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in err
    code, _, err = run(path, "analyze", "--metrics", "--format", "pdf")
    assert code == 2 and "Traceback" not in err


def test_the_seed_invocation_writes_json_by_suffix(workspace, tmp_path):
    path, ids = workspace
    target = tmp_path / "metrics.json"
    code, _, err = run(path, "analyze", "--metrics", "--period", "monthly", "--at", "2025-11-15",
                       "--tz", "Europe/Berlin", "--output", target)
    assert code == 0 and "Wrote metrics" in err
    check_figures(json.loads(target.read_text())["current"], EXPECTED_NOV)


def test_the_service_computes_from_the_desk_without_the_cli(workspace):
    path, ids = workspace
    with open_desk(path) as desk:
        desk.clock = lambda: at("2025-11-20T00:00:00")  # mid-period: as of then
        report = metrics_service.compute(desk, MetricsRequest(period="monthly", tz="Europe/Berlin",
                                                              filters=MetricsFilter(services=("checkout",))))
    current = report.current
    assert current.as_of == at("2025-11-20T00:00:00")
    assert set(current.incident_ids) == {ids["A"], ids["B"], ids["D"]}
    # the second action item of A (due 20 November) is not overdue on the 19th
    assert current.action_items.overdue == 0


def test_json_output_follows_the_published_schema(workspace):
    import jsonschema

    from incident_desk.app.rules_service import bundled_rules_dir

    schema = json.loads((bundled_rules_dir().parent / "docs" / "metrics.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    path, _ = workspace
    for args in (("--tz", "Europe/Berlin", "--at", "2025-11-15"), ("--from", "2025-01-01", "--to", "2025-01-02")):
        jsonschema.validate(metrics_json(path, *args), schema)
    broken = metrics_json(path, "--at", "2025-11-15")
    broken["current"]["count"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_fast_credit_agrees_with_the_rules_sla_assessment(workspace):
    path, ids = workspace
    with open_desk(path) as desk:
        credit = metrics_service.sla_terms(desk).credit
        ruleset = desk.rules.ruleset
        by_id = {s.id: s for s in desk.summaries()}
        for key in "ABDE":  # C has recorded credits
            incident = desk.get(ids[key])
            assert credit(by_id[incident.id]) == ruleset.sla(incident).credit_amount, key
