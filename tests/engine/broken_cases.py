"""Broken rule files for test_broken_files: (id, file kind, text, line, path, message)."""

from __future__ import annotations

from .conftest import LEVELS

RULE = LEVELS + "rules:\n  - id: r1\n    level: SEV-1\n    when: {field: customer_impact_pct, op: gte, value: 50}\n"


def sev(when: str, level: str = "SEV-1") -> str:
    return LEVELS + f"rules:\n  - id: r1\n    level: {level}\n    when: {when}\n"


ESC_HEAD = "version: 1\npolicies:\n  - id: p1\n"


def esc(body: str) -> str:
    return ESC_HEAD + body


REG_HEAD = "version: 1\nregimes:\n  - id: g1\n    name: G\n    when: {field: regions, op: contains, value: EU}\n"

CASES = [
    ("yaml-syntax", "severity", LEVELS + "rules:\n  - id: r1\n    level: [SEV-1\n", 11, "",
     "YAML syntax error"),
    ("tab-indent", "severity", "version: 1\nlevels:\n\t- id: SEV-1\n", 3, "", "YAML syntax error"),
    ("python-tag", "severity", LEVELS + "rules: !!python/object/apply:os.system ['echo hi']\n", 8, "rules",
     "tag '!!python/object/apply:os.system' is not allowed"),
    ("custom-tag", "severity", sev("!cond {field: customer_impact_pct, op: gte, value: 50}"), 11, "rules[0].when",
     "tag '!cond' is not allowed"),
    ("alias-bomb", "severity",
     "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", 1, "",
     "alias bomb"),
    ("too-big", "severity", LEVELS + "# " + "x" * (1024 * 1024) + "\n", 0, "", "limited to 1,048,576 bytes"),
    ("not-a-mapping", "severity", "- just\n- a list\n", 1, "", "must hold a mapping at the top"),
    ("unknown-top-key", "severity", LEVELS + "rulez: []\n", 8, "rulez", "unknown key 'rulez' - did you mean 'rules'?"),
    ("unknown-field", "severity", sev("{field: customer_impact, op: gte, value: 50}"), 11, "rules[0].when.field",
     "unknown field 'customer_impact' - did you mean 'customer_impact_pct'?"),
    ("unknown-op", "severity", sev("{field: customer_impact_pct, op: gtee, value: 50}"), 11, "rules[0].when.op",
     "unknown operator 'gtee' - did you mean 'gte'?"),
    ("gte-on-text", "severity", sev("{field: type, op: gte, value: security}"), 11, "rules[0].when.op",
     "operator 'gte' does not apply to text field 'type'"),
    ("contains-on-number", "severity", sev("{field: revenue_per_hour, op: contains, value: 5}"), 11,
     "rules[0].when.op", "operator 'contains' does not apply to money field 'revenue_per_hour'"),
    ("wrong-value-type", "severity", sev("{field: customer_impact_pct, op: gte, value: lots}"), 11,
     "rules[0].when.value", "field 'customer_impact_pct' is a percent; 'lots' is not a number"),
    ("percent-out-of-range", "severity", sev("{field: customer_impact_pct, op: gte, value: 150}"), 11,
     "rules[0].when.value", "150 is not between 0 and 100"),
    ("bool-not-number", "severity", sev("{field: revenue_per_hour, op: gt, value: true}"), 11,
     "rules[0].when.value", "True is not a number"),
    ("bad-duration", "severity", sev("{field: duration, op: gt, value: 5 minutes}"), 11, "rules[0].when.value",
     "'5 minutes' is not a duration such as 5m, 2h or 3d"),
    ("bad-boolean", "severity", sev("{field: security_breach, op: eq, value: 'yes'}"), 11, "rules[0].when.value",
     "field 'security_breach' is a boolean; 'yes' is not true or false"),
    ("empty-all", "severity", sev("{all: []}"), 11, "rules[0].when.all", "'all' is empty"),
    ("any-not-a-list", "severity", sev("{any: {field: type, op: eq, value: x}}"), 11, "rules[0].when.any",
     "'any' takes a list of conditions"),
    ("mixed-group-and-leaf", "severity", sev("{all: [{field: type, op: eq, value: x}], field: type}"), 11,
     "rules[0].when", "exactly one of all / any / not"),
    ("missing-op", "severity", sev("{field: type, value: x}"), 11, "rules[0].when", "condition is missing 'op'"),
    ("missing-value", "severity", sev("{field: type, op: eq}"), 11, "rules[0].when", "condition is missing 'value'"),
    ("unknown-condition-key", "severity", sev("{field: type, op: eq, valeu: x}"), 11, "rules[0].when.valeu",
     "unknown condition key 'valeu' - did you mean 'value'?"),
    ("between-reversed", "severity", sev("{field: customer_impact_pct, op: between, value: [50, 10]}"), 11,
     "rules[0].when.value", "'between' range is reversed"),
    ("between-one-value", "severity", sev("{field: customer_impact_pct, op: between, value: [50]}"), 11,
     "rules[0].when.value", "'between' takes a list of two values"),
    ("in-empty", "severity", sev("{field: type, op: in, value: []}"), 11, "rules[0].when.value",
     "'in' takes a non-empty list"),
    ("bad-regex", "severity", sev("{field: title, op: matches, value: '(unclosed'}"), 11, "rules[0].when.value",
     "bad regular expression: missing ), unterminated subpattern"),
    ("regex-too-long", "severity", sev("{field: title, op: matches, value: '" + "a" * 201 + "'}"), 11,
     "rules[0].when.value", "pattern is 201 characters; at most 200"),
    ("unknown-status", "severity", sev("{field: status, op: eq, value: resolvd}"), 11, "rules[0].when.value",
     "unknown status value 'resolvd' - did you mean 'resolved'?"),
    ("severity-in-severity-rules", "severity", sev("{field: severity, op: eq, value: SEV-1}"), 11,
     "rules[0].when.field", "cannot be used in severity rules"),
    ("unknown-severity-level", "severity", sev("{field: type, op: eq, value: x}", level="SEV-7"), 10,
     "rules[0].level", "unknown severity 'SEV-7'"),
    ("not-a-severity", "severity", sev("{field: type, op: eq, value: x}", level="critical"), 10, "rules[0].level",
     "'critical' is not a severity level such as SEV-1"),
    ("unknown-default", "severity", LEVELS.replace("default: SEV-4", "default: SEV-9"), 7, "default",
     "unknown severity 'SEV-9'"),
    ("duplicate-rule-id", "severity", RULE + "  - id: r1\n    level: SEV-2\n    when: {field: type, op: eq, value: x}\n",
     12, "rules[1].id", "duplicate rule id 'r1' (first at line 9)"),
    ("duplicate-level", "severity", LEVELS.replace("SEV-4, name: Low", "SEV-3, name: Low"), 6, "levels[3].id",
     "duplicate level 'SEV-3'"),
    ("duplicate-key", "severity", RULE.replace("    level: SEV-1\n", "    level: SEV-1\n    level: SEV-2\n"), 11,
     "rules[0].level", "duplicate key 'level'"),
    ("bad-rule-id", "severity", RULE.replace("id: r1", "id: 'Rule One'"), 9, "rules[0].id", "is not an id"),
    ("unknown-rule-key", "severity", RULE.replace("    level: SEV-1\n", "    level: SEV-1\n    priority: 1\n"), 11,
     "rules[0].priority", "unknown key 'priority'"),
    ("missing-when", "severity", LEVELS + "rules:\n  - id: r1\n    level: SEV-1\n", 9, "rules[0]",
     "missing required key 'when'"),
    ("missing-levels", "severity", "version: 1\ndefault: SEV-4\n", 1, "", "missing required key 'levels'"),
    ("bad-response-duration", "severity",
     LEVELS.replace("{id: SEV-1, name: Critical}", "{id: SEV-1, name: Critical, response: {acknowledge_within: soon, "
                                                   "update_every: 1h, resolve_within: 4h}}"), 3,
     "levels[0].response.acknowledge_within", "'soon' is not a duration"),
    ("test-unknown-field", "severity", RULE + "tests:\n  - name: t\n    given: {customer_impact: 5}\n"
                                              "    expect: {level: SEV-1}\n", 14, "tests[0].given.customer_impact",
     "did you mean 'customer_impact_pct'?"),
    ("test-unknown-rule", "severity", RULE + "tests:\n  - name: t\n    given: {}\n    expect: {level: SEV-4, rules: [r2]}\n",
     15, "tests[0].expect.rules[0]", "unknown rule 'r2'"),
    ("unknown-notifier", "escalation", esc("    trigger: {state: unacknowledged, after: 5m}\n    actions:\n"
                                           "      - notify: {notifier: slak, target: x}\n"), 6,
     "policies[0].actions[0].notify.notifier", "unknown notifier 'slak' - did you mean 'slack'?"),
    ("trigger-state-typo", "escalation", esc("    trigger: {state: unacknowleged, after: 5m}\n    actions:\n"
                                             "      - notify: {notifier: log, target: x}\n"), 4,
     "policies[0].trigger", "unknown trigger state 'unacknowleged' - did you mean 'unacknowledged'?"),
    ("trigger-both", "escalation", esc("    trigger: {state: unresolved, clock: declared_at, after: 5m}\n"
                                       "    actions:\n      - notify: {notifier: log, target: x}\n"), 4,
     "policies[0].trigger", "give exactly one of 'state' or 'clock'"),
    ("repeat-zero", "escalation", esc("    trigger: {state: unresolved, after: 5m}\n    repeat: {every: 0m, max: 2}\n"
                                      "    actions:\n      - notify: {notifier: log, target: x}\n"), 5,
     "policies[0].repeat.every", "'every' must be longer than zero"),
    ("action-two-kinds", "escalation", esc("    trigger: {state: unresolved, after: 5m}\n    actions:\n"
                                           "      - {raise_severity: SEV-1, notify: {notifier: log, target: x}}\n"),
     6, "policies[0].actions[0]", "exactly one of notify, raise_severity, assign_role"),
    ("raise-unknown-level", "escalation", esc("    trigger: {state: unresolved, after: 5m}\n    actions:\n"
                                              "      - raise_severity: SEV-8\n"), 6,
     "policies[0].actions[0].raise_severity", "unknown severity 'SEV-8'"),
    ("unknown-role", "escalation", esc("    trigger: {state: unresolved, after: 5m}\n    actions:\n"
                                       "      - assign_role: {role: boss, person: x}\n"), 6,
     "policies[0].actions[0].assign_role.role", "Input should be 'incident_commander'"),
    ("no-actions", "escalation", esc("    trigger: {state: unresolved, after: 5m}\n    actions: []\n"), 5,
     "policies[0].actions", "List should have at least 1 item"),
    ("bad-anchor", "regulatory", REG_HEAD + "    obligations:\n      - id: o1\n        name: O\n"
                                            "        due: {from: awareness, within: 72h}\n", 9,
     "regimes[0].obligations[0].due.from", "unknown anchor 'awareness' - did you mean 'aware'?"),
    ("bad-span", "regulatory", REG_HEAD + "    obligations:\n      - id: o1\n        name: O\n"
                                          "        due: {from: aware, within: 3 fortnights}\n", 9,
     "regimes[0].obligations[0].due[0].within", "'3 fortnights' is not a time span"),
    ("sla-negative-fee", "sla", "version: 1\nmonthly_fee: -5\n", 2, "monthly_fee",
     "Input should be greater than or equal to 0"),
    ("sla-duplicate-tier", "sla", "version: 1\ncredit_tiers:\n  - {below: 99.9, credit_pct: 10}\n"
                                  "  - {below: 99.9, credit_pct: 20}\n", 4, "credit_tiers[1].below",
     "duplicate tier below 99.9"),
]
