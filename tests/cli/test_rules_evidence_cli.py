"""Issue 7, reproduction 9: rules are versioned evidence. A truncated severity.yaml that still parses is
caught (not reported valid, not used to classify lower), every version used is archived by its digest,
and changes of the rule files are recorded with who noticed them and when."""

from __future__ import annotations

import json


def severity_file(workspace):
    return workspace / "rules" / "severity.yaml"


def history(workspace) -> list[dict]:
    return [json.loads(line) for line in (workspace / "rules-archive" / "history.jsonl").read_text().splitlines()]


def cut_file(path) -> None:
    """Cut severity.yaml mid-file where it still parses, as the issue saw (line 57 of 123, just before the
    SEV-2 rules): the later rules and the test cases are gone."""
    lines = path.read_text().splitlines(keepends=True)
    cut = next(n for n, line in enumerate(lines) if "# ---- SEV-2" in line)
    assert 0.3 < cut / len(lines) < 0.6
    path.write_text("".join(lines[:cut]))


def declare_quarter(cli) -> dict:
    result = cli("declare", "A quarter of customers affected", "--fact", "customer_impact_pct=25", "--json")
    assert result.code == 0, result.err
    return result.json()


def test_a_truncated_severity_file_is_not_valid_and_does_not_classify_lower(cli, workspace):
    before = declare_quarter(cli)
    assert before["severity"]["computed"] == "SEV-2"
    in_use = before["severity"]["rules_digest"]
    path = severity_file(workspace)
    cut_file(path)

    check = cli("rules", "check")
    assert check.code == 1
    assert "removed severity.yaml rules 'sev2-significant-customer-impact'" in check.out
    assert "removed severity.yaml tests" in check.out and "FAILED" in check.out
    assert "no test cases" in check.err

    listed = cli("list")
    assert listed.code == 0 and f"differ from rules version {in_use} in use" in listed.err

    after = declare_quarter(cli)
    assert after["severity"]["computed"] == "SEV-2" and after["severity"]["rules_digest"] == in_use
    assert f"the desk keeps using version {in_use}" in cli("declare", "Another", "--fact",
                                                           "customer_impact_pct=30").err
    assert not (workspace / "rules-archive" / check_digest(cli)).exists()  # never put in use


def check_digest(cli) -> str:
    return cli("rules", "check", "--json").json()["digest"]


def test_accepting_a_removal_is_recorded_with_who_and_when(cli, workspace):
    declare_quarter(cli)
    path = severity_file(workspace)
    cut_file(path)
    accepted = cli("--user", "carol", "rules", "check", "--accept-changes")
    assert accepted.code == 0 and "ACCEPTED" in accepted.out
    last = history(workspace)[-1]
    assert last["event"] == "accepted" and last["actor"] == "carol" and last["at"].endswith("Z")
    assert "removed severity.yaml rules 'sev2-revenue-at-risk'" in last["changes"]
    assert declare_quarter(cli)["severity"]["computed"] == "SEV-4"
    assert cli("rules", "check").code == 0


def test_a_change_on_disk_is_archived_and_recorded(cli, workspace):
    first = declare_quarter(cli)["severity"]["rules_digest"]
    path = severity_file(workspace)
    path.write_text(path.read_text().replace("when: {field: customer_impact_pct, op: gte, value: 10}",
                                             "when: {field: customer_impact_pct, op: gte, value: 30}"))
    result = cli("--user", "dave", "declare", "Quarter", "--fact", "customer_impact_pct=25", "--json")
    assert result.code == 0
    second = result.json()["severity"]
    assert second["computed"] == "SEV-3" and second["rules_digest"] != first
    assert "changed severity.yaml rules 'sev2-significant-customer-impact'" in result.err
    last = history(workspace)[-1]
    assert (last["event"], last["actor"], last["previous"], last["digest"]) == (
        "changed on disk", "dave", first, second["rules_digest"])
    assert last["files"]["severity.yaml"]["modified_at"].endswith("Z")
    for digest in (first, second["rules_digest"]):
        assert (workspace / "rules-archive" / digest / "severity.yaml").is_file()
    archived = (workspace / "rules-archive" / first / "severity.yaml").read_text()
    assert "value: 10}" in archived
    assert cli("audit", "verify").code == 0
    assert cli("backup").code == 0  # snapshots keep the evidence too
    (snapshot,) = [p for p in (workspace / "backups").iterdir() if p.name.startswith("snapshot-")][-1:]
    assert (snapshot / "rules-archive" / first / "severity.yaml").read_text() == archived
    assert (snapshot / "rules-archive" / "history.jsonl").is_file()


def test_an_edited_archive_or_history_is_reported_by_audit_verify(cli, workspace):
    digest = declare_quarter(cli)["severity"]["rules_digest"]
    archived = workspace / "rules-archive" / digest / "severity.yaml"
    archived.write_text(archived.read_text().replace("value: 10}", "value: 99}"))
    verify = cli("audit", "verify")
    assert verify.code == 1 and "archived rule files were changed" in verify.out
    archived.write_text(archived.read_text().replace("value: 99}", "value: 10}"))
    log = workspace / "rules-archive" / "history.jsonl"
    log.write_text(log.read_text().replace('"actor":"alice"', '"actor":"mallory"'))
    verify = cli("audit", "verify")
    assert verify.code == 1 and "history.jsonl line 1: changed, removed or reordered" in verify.out
