"""Hostile and clumsy input through the real command line (issue 7, points 2, 3, 5 and 8): one strict id
grammar on every entry path, finite bounded numbers, dates within 1970-2200, `set` all-or-nothing, and
terminal output that never interprets control or bidi characters from the data."""

from __future__ import annotations

import json
import shutil

import pytest


def strict_json(text: str):
    def refuse(constant: str):
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def exported(cli, incident_id: str) -> dict:
    result = cli("export", incident_id)
    assert result.code == 0, result.err
    return strict_json(result.out)


def write_json(path, document) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- 2. ids


@pytest.mark.parametrize("bad_id", ["INC-2026-²", "INC-2026-٠٠٢", "INC-2026-001\n", " INC-2026-001",
                                    "INC-2026-99999999999999999999", "INC-0001-001", "../INC-2026-001"])
def test_show_with_a_hostile_id_is_a_clean_usage_error(cli, bad_id):
    cli("declare", "Real one")
    result = cli("show", bad_id)
    assert result.code == 2, result
    assert "is not a valid incident id" in result.err and "Traceback" not in result.err
    assert result.err.count("\n") == 1  # one line, the newline in the id shown escaped


def test_imported_hostile_ids_are_refused_and_later_declares_still_work(cli, tmp_path):
    first = cli("declare", "Payments down", "--json").json()["id"]
    document = exported(cli, first)
    for bad in ("INC-2026-99999999999999999999", f"{first}\n", "INC-2026-٠٠٢", "INC-2026-0001234567"):
        document["incident"]["id"] = bad
        result = cli("import", write_json(tmp_path / "bad.json", document))
        assert result.code == 4 and "is not a valid incident id" in result.err, (bad, result)
    assert [r["id"] for r in cli("list", "--json").json()] == [first]
    assert cli("show", first, "--json").json()["title"] == "Payments down"
    later = cli("declare", "Next one", "--json")
    assert later.code == 0, later.err
    assert later.json()["id"] == first[:-3] + "002"


def test_a_hostile_file_name_in_the_incidents_folder_is_reported_and_skipped(cli, workspace):
    first = cli("declare", "Payments down", "--json").json()["id"]
    year_dir = workspace / "incidents" / first[4:8]
    for name in ("INC-2026-٠٠٢", "INC-2026-99999999999999999999", "INC-2026-003\n"):
        shutil.copy(year_dir / f"{first}.json", year_dir / f"{name}.json")
    for _ in range(3):
        listed = cli("list", "--json")
        assert listed.code == 0, listed.err
        assert [r["id"] for r in listed.json()] == [first]
        assert "whose name is not an incident id" in listed.err
    assert not (workspace / "index" / "damaged").exists() or not list((workspace / "index" / "damaged").iterdir())
    declared = cli("declare", "Second", "--json")
    assert declared.code == 0, declared.err
    assert declared.json()["id"] == first[:-3] + "002"
    assert cli("list").code == 0
    assert cli("audit", "verify").code == 0


def test_a_counter_beyond_the_id_grammar_is_ignored_with_a_notice(cli, workspace):
    first = cli("declare", "Payments down", "--json").json()["id"]
    year = first[4:8]
    (workspace / "ids.json").write_text(json.dumps({"counters": {year: {"year": int(year), "last": 10**12}}}))
    result = cli("declare", "Next", "--json")
    assert result.code == 0, result.err
    assert result.json()["id"] == f"INC-{year}-002"
    assert "was ignored and rebuilt from the incident files" in result.err


# --------------------------------------------------------------------------- 3. numbers and dates


@pytest.mark.parametrize(("fact", "field"), [
    ("revenue_per_hour=inf", "facts.revenue_per_hour"),
    ("revenue_per_hour=-inf", "facts.revenue_per_hour"),
    ("customer_impact_pct=nan", "facts.customer_impact_pct"),
    ("customers_affected=12345678901234567890123456", "facts.customers_affected"),
    ("failed_transactions=1e400", "facts.failed_transactions"),
    ("revenue_per_hour=1e300", "facts.revenue_per_hour"),
])
def test_non_finite_and_huge_numbers_are_refused_naming_the_field(cli, fact, field):
    declared = cli("declare", "Payments down", "--fact", fact)
    assert declared.code == 4 and declared.err.startswith(f"incident-desk: error: {field}:"), declared
    assert cli("list", "--json").json() == []
    incident_id = cli("declare", "Payments down", "--json").json()["id"]
    changed = cli("set", incident_id, "--fact", fact)
    assert changed.code == 4 and field in changed.err, changed
    assert cli("show", incident_id, "--json").json()["revision"] == 1


def test_imported_non_finite_or_huge_numbers_are_refused(cli, tmp_path):
    incident_id = cli("declare", "Payments down", "--fact", "revenue_per_hour=85000", "--json").json()["id"]
    document = exported(cli, incident_id)
    for field, value in (("revenue_per_hour", "Infinity"), ("customers_affected", "1" * 26)):
        text = json.dumps(document).replace('"revenue_per_hour": 85000.0', f'"{field}": {value}')
        assert value in text
        path = tmp_path / f"{field}.json"
        path.write_text(text, encoding="utf-8")
        result = cli("import", "--replace", str(path))
        assert result.code == 4 and f"facts.{field}" in result.err, result
    shown = cli("show", incident_id, "--json")
    assert strict_json(shown.out)["facts"]["revenue_per_hour"] == 85000


def test_json_output_is_always_strict_json(cli):
    incident_id = cli("declare", "Payments down", "--fact", "revenue_per_hour=85000",
                      "--fact", "customer_impact_pct=100", "--json").json()["id"]
    for args in (("show", incident_id, "--json"), ("list", "--json"), ("report", incident_id, "--format", "json"),
                 ("analyze", "--metrics", "--period", "monthly", "--format", "json")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        strict_json(result.out)


def test_dates_outside_1970_to_2200_are_refused_everywhere_they_enter(cli, tmp_path):
    result = cli("declare", "Ancient", "--started-at", "0001-01-01T00:00:00Z")
    assert result.code == 4 and "started_at: is outside the supported range 1970-01-01 to 2200-12-31" in result.err
    incident_id = cli("declare", "Payments down", "--started-at", "1970-01-01T00:00:00Z", "--json").json()["id"]
    far = cli("timeline", "add", incident_id, "From the far future", "--at", "9999-12-31T00:00:00Z")
    assert far.code == 4 and "outside the supported range" in far.err
    clock = cli("set", incident_id, "--clock", "resolved_at=2201-01-01T00:00:00Z")
    assert clock.code == 4 and "outside the supported range" in clock.err
    due = cli("action", "add", incident_id, "Fix it", "--owner", "Ops", "--due", "9999-12-31")
    assert due.code == 4 and "outside the supported range" in due.err
    document = exported(cli, incident_id)
    document["incident"]["timeline"][0]["at"] = "9999-12-31T00:00:00Z"
    imported = cli("import", "--replace", write_json(tmp_path / "far.json", document))
    assert imported.code == 4 and "outside the supported range" in imported.err
    for args in (("report", incident_id, "--tz", "Etc/GMT+12"), ("report", incident_id, "--tz", "Etc/GMT-14"),
                 ("analyze", "--metrics", "--period", "monthly")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    monthly = cli("analyze", "--metrics", "--period", "monthly", "--format", "json").out
    assert strict_json(monthly)["period"] == "monthly"  # one period and its predecessor, never one per month
    assert len(monthly.splitlines()) < 1000


# --------------------------------------------------------------------------- 5. set is all or nothing


@pytest.mark.parametrize("bad", [("--title", "   "), ("--clock", "resolved_at=2000-01-01T00:00:00Z"),
                                 ("--fact", "support_tickets=-1"), ("--clock", "started_at=tomorrow")])
def test_set_saves_all_of_its_changes_or_none(cli, bad):
    incident_id = cli("declare", "Payments down", "--json").json()["id"]
    before = cli("show", incident_id, "--json").json()
    result = cli("set", incident_id, "--fact", "customer_impact_pct=77", "--summary", "new summary", *bad)
    assert result.code in (2, 4), result
    after = cli("show", incident_id, "--json").json()
    assert after == before
    assert len(cli("audit", "log", incident_id, "--json").json()) == 1
    ok = cli("set", incident_id, "--fact", "customer_impact_pct=77", "--title", "Payments down hard",
             "--clock", "alerted_at=" + before["clock"]["started_at"], "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["revision"] == 2 and ok.json()["facts"]["customer_impact_pct"] == 77


# --------------------------------------------------------------------------- 8. terminal output


HOSTILE_TITLE = "Evil\x1b[31mRED\x1b[0m\rOK\x07 \u202eevil\u202c\x9b2J\nSecond line"


def test_control_and_bidi_characters_are_shown_escaped_and_tables_stay_one_line_per_row(cli):
    incident_id = cli("declare", HOSTILE_TITLE, "--json").json()["id"]
    cli("declare", "Plain one")
    cli("timeline", "add", incident_id, "note with \x1b]0;title\x07 and \u2066isolate\u2069")
    outputs = {}
    for args in (("list",), ("show", incident_id), ("report", incident_id),
                 ("report", incident_id, "--format", "markdown"), ("timeline", "list", incident_id)):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        outputs[args] = result.out + result.err
    for args, text in outputs.items():
        for char in ("\x1b", "\r", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069"):
            assert char not in text, (args, repr(char))
    rows = outputs[("list",)].splitlines()
    assert len(rows) == 4, rows  # header, rule, two incidents
    assert r"Evil\x1b[31mRED\x1b[0m\rOK\x07 \u202eevil\u202c\x9b2J\nSec" in rows[2] + rows[3]
    assert r"\u202eevil" in outputs[("show", incident_id)]
    # the data itself is kept as typed; only its display is neutralised
    assert cli("show", incident_id, "--json").json()["title"] == HOSTILE_TITLE


def test_errors_and_warnings_with_hostile_text_stay_one_clean_line(cli):
    result = cli("show", "INC-2026-\x1b[2J\u202e1")
    assert result.code == 2
    assert "\x1b" not in result.err and "\u202e" not in result.err and result.err.count("\n") == 1


def test_numbers_on_the_command_line_are_bounded(cli):
    incident_id = cli("declare", "Payments down", "--json").json()["id"]
    for args in (("list", "--limit", "-5"), ("list", "--limit", "1" * 30),
                 ("set", incident_id, "--title", "x", "--revision", "1" * 30),
                 ("watch", "--interval", "inf", "--once")):
        result = cli(*args)
        assert result.code == 2 and "Traceback" not in result.err, (args, result)
    credits = cli("impact", "set", incident_id, "--sla-credits", "inf")
    assert credits.code == 4 and "sla_credits" in credits.err
    far = cli("notify", incident_id, "-t", "status_investigating", "--preview", "--next-update", "9" * 25 + "w")
    assert far.code == 2 and "longer than 100 years" in far.err
    assert cli("show", incident_id, "--json").json()["revision"] == 1
