"""Severity rules compiled into one generated Python function, the fast path of `RuleSet.classify`.

`compile_classifier(rules, default, fields)` writes, once when the rules are loaded, the source of a
function `classify(incident, env, digest, override) -> Severity` that reads each field the rules need once
into a local, evaluates every rule inline as plain three-valued expressions (a missing fact never
matches), picks the most severe matching level and builds the explanation of the deciding rules inline:
one CriterionResult per leaf (a frozen dataclass, its slots set directly), its sentence from parts written
at load time with only the actual value formatted. It returns what `SeverityRules.severity_of_reference`
(the closure-based evaluator) returns.

Each leaf remembers the sentence it wrote last with the values it was written from (`_remembered`):
classifying an incident whose facts have not changed reuses the strings instead of formatting them again.
Scalars are compared by identity, durations by value; lists are never remembered.

What may become source text: names the engine itself chose (locals, helpers), field names from the
registry (checked to be identifiers) and model field names. Every value that comes from a rule file
(expected values, pre-compiled patterns, rule ids, descriptions, levels, sentence parts) reaches the
function as a named constant of its namespace, never as text in its source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import dataclasses
from typing import Any, TypeAlias

from pydantic import BaseModel

from ..domain.incident import CriterionResult, RuleMatch, Severity
from .conditions import Leaf, Node
from .explain import (OP_SYMBOLS, _adjective, compile_sentence, frozen_dataclass_factory, frozen_expected,
                      model_factory, requirement)
from .fields import FIELDS, FieldSpec, duration_short, duration_texts, money_text, number_text, value_formatter

Classifier = Callable[[Any, Any, "str | None", Any], Severity]


def _contains(values: Any, expected: str) -> bool:
    for value in values:
        if value.casefold() == expected:
            return True
    return False


def _contains_any(values: Any, expected: frozenset) -> bool:
    for value in values:
        if value.casefold() in expected:
            return True
    return False


def _contains_all(values: Any, expected: frozenset) -> bool:
    return expected <= {value.casefold() for value in values}


def _lookup(incident: Any, env: Any, known: dict[str, Any]) -> Callable[[str], Any]:
    """What a sentence's phrase reads beyond the leaf's own value: known locals, else read once."""
    def lookup(name: str) -> Any:
        if name not in known:
            known[name] = FIELDS[name].extract(incident, env)
        return known[name]
    return lookup


def _field_set(cls: type[BaseModel]) -> str:
    model_factory(cls)  # refuses models that need pydantic's own constructor
    return "{" + ", ".join(repr(name) for name in cls.model_fields) + "}"


def _slot_names(cls: type) -> tuple[str, ...]:
    frozen_dataclass_factory(cls)  # refuses classes whose slots cannot simply be set
    return tuple(field.name for field in dataclasses.fields(cls))


class _Writer:
    """Source lines and the namespace of the generated function."""

    def __init__(self, remember: bool = True) -> None:
        self.remember = remember
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "_new": object.__new__,
            "_set_dict": BaseModel.__dict__["__dict__"].__set__,
            "_set_fields_set": BaseModel.__dict__["__pydantic_fields_set__"].__set__,
            "_set_extra": BaseModel.__dict__["__pydantic_extra__"].__set__,
            "_set_private": BaseModel.__dict__["__pydantic_private__"].__set__,
            "_CriterionResult": CriterionResult, "_RuleMatch": RuleMatch, "_Severity": Severity,
            "_contains": _contains, "_contains_any": _contains_any, "_contains_all": _contains_all,
            "_lookup": _lookup, "_number_text": number_text, "_money_text": money_text,
            "_duration_texts": duration_texts, "_duration_short": duration_short,
        }
        self.fields_of: dict[type, str] = {Severity: _field_set(Severity)}
        self.slots_of: dict[type, Any] = {cls: _slot_names(cls) for cls in (CriterionResult, RuleMatch)}
        for cls, names in self.slots_of.items():
            for name in names:
                self.namespace[f"_set_{cls.__name__}_{name}"] = cls.__dict__[name].__set__
        self._count = 0
        self.depth = 1

    def const(self, value: Any) -> str:
        name = f"_k{self._count}"
        self._count += 1
        self.namespace[name] = value
        return name

    def temp(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def model(self, target: str, cls: type, values: Sequence[tuple[str, str]]) -> None:
        """`target = cls(**values)` (values already valid): a frozen dataclass the way
        `explain.frozen_dataclass_factory` builds it, a pydantic model the way `explain.model_factory` does."""
        slots = self.slots_of.get(cls)
        if slots is not None:
            given = dict(values)
            if set(given) != set(slots):
                raise ValueError(f"{cls.__name__} takes exactly the fields {slots}")
            self.line(f"{target} = _new(_{cls.__name__})")
            for name in slots:
                self.line(f"_set_{cls.__name__}_{name}({target}, {given[name]})")
            return
        body = ", ".join(f"{key!r}: {source}" for key, source in values)
        self.line(f"{target} = _new(_{cls.__name__})")
        self.line(f"_set_dict({target}, {{{body}}})")
        self.line(f"_set_fields_set({target}, {self.fields_of[cls]})")
        self.line(f"_set_extra({target}, None)")
        self.line(f"_set_private({target}, None)")


def _local(name: str) -> str:
    if not name.isidentifier() or name not in FIELDS:
        raise ValueError(f"not a registry field: {name!r}")
    return "v_" + name


def _read(spec: FieldSpec, w: _Writer, facts: str = "incident.facts") -> str:
    """Source reading one field from `incident`: the attribute itself when the extractor only reads one
    (lists are not copied: they are only looked at, and copied where a result keeps them)."""
    reads = getattr(spec.extract, "reads", None)
    if reads is not None:
        owner, attribute = reads
        if not attribute.isidentifier():
            raise ValueError(f"not an attribute name: {attribute!r}")
        return f"{facts if owner == 'facts' else 'incident'}.{attribute}"
    return f"{w.const(spec.extract)}(incident, env)"


def _read_into_local(name: str, w: _Writer, read: set[str]) -> None:
    """Lines setting the field's local (and those of the fields it is computed from), once each."""
    if name in read:
        return
    extract = FIELDS[name].extract
    derives = getattr(extract, "derives", None)
    span = getattr(extract, "span", None)
    if derives is not None:
        function, inputs = derives
        for other in inputs:
            _read_into_local(other, w, read)
        args = ", ".join(_local(other) for other in inputs)
        w.line(f"{_local(name)} = {w.const(function)}({args})")
    elif span is not None:
        start, end = span
        if not (start.isidentifier() and end.isidentifier()):
            raise ValueError(f"not clock attributes: {span!r}")
        w.line(f"span_start, span_end = incident.clock.{start}, incident.clock.{end} or env.now")
        w.line(f"{_local(name)} = None if span_start is None or span_end is None "
               f"else (span_end - span_start).total_seconds()")
    else:
        w.line(f"{_local(name)} = {_read(FIELDS[name], w, 'facts')}")
    read.add(name)


# ----------------------------------------------------------------------------- conditions


def _condition(leaf: Leaf, w: _Writer) -> str:
    """The leaf's outcome as an expression, given its field's local is not None (except for `exists`)."""
    v, op, e = _local(leaf.field), leaf.op, leaf.value
    kind = FIELDS[leaf.field].type
    if op == "exists":
        if kind == "list":
            return f"bool({v})" if e else f"not {v}"
        return f"{v} is not None" if e else f"{v} is None"
    if op == "between":
        low, high = e
        return f"{w.const(low)} <= {v} <= {w.const(high)}"
    if op == "matches":
        return f"{w.const(e.search)}({v}) is not None"
    if op in ("contains_any", "contains_all"):
        return f"_{op}({v}, {w.const(e)})"
    if op == "contains":
        return f"{w.const(e)} in {v}.casefold()" if kind == "text" else f"_contains({v}, {w.const(e)})"
    subject = f"{v}.casefold()" if kind == "text" else v
    symbol = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "in": "in",
              "not_in": "not in"}[op]
    return f"{subject} {symbol} {w.const(e)}"


def _true_false(node: Node, w: _Writer) -> tuple[str, str]:
    """Expressions that hold when the node is True, and when it is False (Kleene logic: a node may be
    neither when a fact it needs is missing)."""
    if isinstance(node, Leaf):
        condition = _condition(node, w)
        if node.op == "exists":
            return f"({condition})", f"(not ({condition}))"
        v = _local(node.field)
        return f"({v} is not None and ({condition}))", f"({v} is not None and not ({condition}))"
    pairs = [_true_false(child, w) for child in node.children]
    if node.kind == "not":
        true, false = pairs[0]
        return false, true
    if len(pairs) == 1:
        return pairs[0]
    trues, falses = [p[0] for p in pairs], [p[1] for p in pairs]
    if node.kind == "all":
        return "(" + " and ".join(trues) + ")", "(" + " or ".join(falses) + ")"
    return "(" + " or ".join(trues) + ")", "(" + " and ".join(falses) + ")"


# ----------------------------------------------------------------------------- explanations


def _leaves_known(node: Node, known: bool | None, negated: bool = False):
    """Each leaf with its outcome where the rule's own outcome decides it (`all` true: every child true;
    `any` false: every child false; `not` flips), else None; and whether it sits under an odd `not`."""
    if isinstance(node, Leaf):
        yield node, known, negated
        return
    if node.kind == "not":
        yield from _leaves_known(node.children[0], None if known is None else not known, not negated)
        return
    decided = (node.kind == "all" and known is True) or (node.kind == "any" and known is False)
    for child in node.children:
        yield from _leaves_known(child, known if decided or len(node.children) == 1 else None, negated)


def _shown(spec: FieldSpec, v: str, w: _Writer, words: str | None) -> str:
    """`value_formatter(spec)(v)` for a value known not to be None."""
    kind = spec.type
    if kind == "duration":
        return words or f"_duration_texts({v})[0]"
    if kind == "percent":
        return f"_number_text({v}) + '%'"
    if kind == "money":
        suffix = spec.unit.removeprefix("$") if spec.unit.startswith("$/") else ""
        return f"_money_text({v}) + {w.const(suffix)}"
    if kind == "list":
        return f"(', '.join({v}) if {v} else 'none')"
    if kind == "boolean":
        return f"('yes' if {v} else 'no')"
    return f"{w.const(value_formatter(spec))}({v})"


def _phrase_inputs(spec: FieldSpec, fields: frozenset[str], w: _Writer) -> str:
    """Source of a dict of the phrase's inputs the rules already read (others are read on demand)."""
    known = [name for name in spec.phrase_inputs if name in fields]
    return "{" + ", ".join(f"{name!r}: {_local(name)}" for name in known) + "}"


Keys: TypeAlias = "tuple[str, ...] | None"


def _shown_keys(spec: FieldSpec, v: str) -> Keys:
    """The locals `_shown` depends on, when its text may be remembered (see `_remembered`)."""
    return (v,) if spec.type in _REMEMBERED_KINDS else None


def _met_text(leaf: Leaf, spec: FieldSpec, level: str, fields: frozenset[str], w: _Writer,
              shown: str) -> tuple[str, Keys]:
    """The sentence of a leaf that holds, not negated (`compile_sentence`'s `result is True` branch), and
    the locals it depends on (None: it reads more, it is not to be remembered)."""
    head = f"{spec.label}: "
    v = _local(leaf.field)
    if spec.type == "duration" and leaf.op in ("gt", "gte"):
        tail = f" ({OP_SYMBOLS[leaf.op]} {_adjective(leaf.value)} target for {level})"
        return f"{w.const(head)} + {shown} + {w.const(tail)}", _shown_keys(spec, v)
    phrase = spec.phrase
    if phrase is not None:
        parts = getattr(phrase, "parts", None)
        if parts is not None:
            before, text, after = parts
            formatter = "_number_text" if text is number_text else "_money_text" if text is money_text \
                else w.const(text)
            return f"{w.const(head + before)} + {formatter}({v}) + {w.const(after)}", _shown_keys(spec, v)
        from_inputs = getattr(phrase, "from_inputs", None)
        if from_inputs is not None:
            args = [_local(name) if name in fields else _read(FIELDS[name], w) for name in spec.phrase_inputs]
            remembered = all(name in fields and FIELDS[name].type in _REMEMBERED_KINDS
                             for name in spec.phrase_inputs) and spec.type in _REMEMBERED_KINDS
            keys = tuple(dict.fromkeys([v, *args])) if remembered else None
            return f"{w.const(head)} + {w.const(from_inputs)}({', '.join(args)})", keys
        lookup = f"_lookup(incident, env, {_phrase_inputs(spec, fields, w)})"
        return f"{w.const(head)} + {w.const(phrase)}({v}, {lookup})", None
    need = requirement(leaf)
    return f"{w.const(head)} + {shown} + {w.const(' (' + need.split(' ', 1)[1] + ')')}", _shown_keys(spec, v)


# Field types whose values are immutable scalars (float, int, bool, str): a sentence made from them may be
# remembered by their identity. Durations are remembered by value (their texts depend on the number only);
# lists are mutable and cheap to show, never remembered.
_REMEMBERED_KINDS = frozenset({"boolean", "integer", "money", "percent", "severity", "status", "text"})
_UNSEEN = object()


def _remembered(w: _Writer, target: str, expression: str, keys: Sequence[str], equal: bool = False) -> None:
    """Lines setting `target` to `expression`, reusing the value this line computed the last time when its
    keys are the same: the same objects (`is`), or equal numbers when `equal`. The value is an immutable
    string (or pair of strings), safe to share between results. One cell per line holds (keys..., value)
    as one tuple, read and replaced whole, so threads classifying at once never mix two entries."""
    if not w.remember:
        w.line(f"{target} = {expression}")
        return
    cell = w.const([(_UNSEEN,) * len(keys) + (None,)])
    last = w.temp("last")
    w.line(f"{last} = {cell}[0]")
    compare = "==" if equal else "is"
    w.line("if " + " and ".join(f"{last}[{i}] {compare} {key}" for i, key in enumerate(keys)) + ":")
    w.line(f"    {target} = {last}[{len(keys)}]")
    w.line("else:")
    w.line(f"    {target} = {expression}")
    w.line(f"    {cell}[0] = ({''.join(key + ', ' for key in keys)}{target})")


def _explain_leaf(leaf: Leaf, known: bool | None, negated: bool, level: str, fields: frozenset[str],
                  w: _Writer) -> str:
    """Lines building one CriterionResult; returns the name of the local holding it."""
    spec = FIELDS[leaf.field]
    v = _local(leaf.field)
    target = w.temp("c")
    expected_source = w.const(frozen_expected(leaf.raw))
    if leaf.op == "exists":  # rare: the closure sentence, which also covers a missing value
        sentence = w.const(compile_sentence(leaf, negated))
        lookup = f"_lookup(incident, env, {_phrase_inputs(spec, fields, w)})"
        stored = (f"None if {v} is None else _duration_short({v})" if spec.type == "duration"
                  else f"None if {v} is None else tuple({v})" if spec.type == "list" else v)
        result = w.temp("r")
        w.line(f"{result} = {_condition(leaf, w)}")
        matched = f"{result} is False" if negated else f"{result} is True"
        w.model(target, CriterionResult, [
            ("field", repr(leaf.field)), ("op", repr(leaf.op)), ("expected", expected_source),
            ("actual", stored), ("matched", matched), ("missing", "False"),
            ("text", f"{sentence}({v}, {result}, {w.const(level)}, {lookup})")])
        return target

    words = None
    stored = v
    if spec.type == "duration":
        words, short = w.temp("dw"), w.temp("ds")
        stored = short
    elif spec.type == "list":
        stored = f"tuple({v})"
    need = requirement(leaf)
    head = w.const(f"{spec.label}: ")

    def prepare_duration() -> None:
        if words is not None:
            texts = w.temp("dt")
            _remembered(w, texts, f"_duration_texts({v})", (v,), equal=True)
            w.line(f"{words}, {short} = {texts}")

    shown = _shown(spec, v, w, words)
    shown_keys = _shown_keys(spec, v)
    if negated:
        holds_text = f"{head} + {shown} + {w.const(f' (rule needs NOT {need}; not met)')}"
        fails_text = f"{head} + {shown} + {w.const(f' (rule needs NOT {need}; met)')}"
        holds_keys = shown_keys
    else:
        holds_text, holds_keys = _met_text(leaf, spec, level, fields, w, shown)
        fails_text = f"{head} + {shown} + {w.const(f' (rule needs {need})')}"

    if known is not None:
        prepare_duration()
        holds = known is not negated
        text, keys = (holds_text, holds_keys) if known else (fails_text, shown_keys)
        if keys is not None:
            local = w.temp("t")
            _remembered(w, local, text, keys)
            text = local
        w.model(target, CriterionResult, [
            ("field", repr(leaf.field)), ("op", repr(leaf.op)), ("expected", expected_source),
            ("actual", stored), ("matched", repr(holds)), ("missing", "False"), ("text", text)])
        return target

    result, text, stored_local = w.temp("r"), w.temp("t"), w.temp("a")
    missing_text = w.const(f"{spec.label}: {leaf.field} not recorded (rule needs {need})")
    w.line(f"if {v} is None:")
    w.depth += 1
    w.line(f"{result} = None")
    w.line(f"{text} = {missing_text}")
    w.line(f"{stored_local} = None")
    w.depth -= 1
    w.line("else:")
    w.depth += 1
    prepare_duration()
    w.line(f"{stored_local} = {stored}")
    w.line(f"{result} = {_condition(leaf, w)}")
    either = f"({holds_text}) if {result} else ({fails_text})"
    if holds_keys is not None and shown_keys is not None:
        _remembered(w, text, either, tuple(dict.fromkeys([*holds_keys, *shown_keys, result])))
    else:
        w.line(f"{text} = {either}")
    w.depth -= 1
    matched = f"{result} is False" if negated else f"{result} is True"
    w.model(target, CriterionResult, [
        ("field", repr(leaf.field)), ("op", repr(leaf.op)), ("expected", expected_source),
        ("actual", stored_local), ("matched", matched), ("missing", f"{result} is None"), ("text", text)])
    return target


# ----------------------------------------------------------------------------- the whole function


def classifier_source(rules: Sequence[Any], default: str, fields: Sequence[str],
                      plain: Sequence[str], remember: bool = True) -> tuple[str, dict[str, Any]]:
    """Source and namespace of `classify(incident, env, digest, override)`; `rules` sorted most severe
    first (SeverityRule objects: id, level, description, node). `remember=False` writes no memo of the
    last sentence per leaf (for tests and the benchmark)."""
    w = _Writer(remember)
    w.lines.append("def classify(incident, env, digest, override):")
    w.line("facts = incident.facts")
    read: set[str] = set()
    for name in fields:
        _read_into_local(name, w, read)
    field_set = frozenset(read)
    for i, rule in enumerate(rules):  # every rule is evaluated
        w.line(f"m{i} = {_true_false(rule.node, w)[0]}")
    w.line("explanation = []")
    groups: list[tuple[str, list[int]]] = []
    for i, rule in enumerate(rules):
        if groups and groups[-1][0] == rule.level:
            groups[-1][1].append(i)
        else:
            groups.append((rule.level, [i]))
    for g, (level, members) in enumerate(groups):
        w.line(("if " if g == 0 else "elif ") + " or ".join(f"m{i}" for i in members) + ":")
        w.depth += 1
        w.line(f"computed = {w.const(level)}")
        for i in members:
            rule = rules[i]
            w.line(f"if m{i}:")
            w.depth += 1
            criteria = [_explain_leaf(leaf, known, negated, level, field_set, w)
                        for leaf, known, negated in _leaves_known(rule.node, True)]
            match = w.temp("match")
            w.model(match, RuleMatch, [("rule_id", w.const(rule.id)), ("level", w.const(rule.level)),
                                       ("description", w.const(rule.description)),
                                       ("criteria", "(" + "".join(c + ", " for c in criteria) + ")")])
            w.line(f"explanation.append({match})")
            w.depth -= 1
        w.depth -= 1
    w.line("else:" if groups else "if True:")
    w.depth += 1
    w.line(f"computed = {w.const(default)}")
    w.depth -= 1
    w.line("missing = []")
    for name in plain:
        w.line(f"if {_local(name)} is None:")
        w.line(f"    missing.append({name!r})")
    w.model("severity", Severity, [("computed", "computed"), ("explanation", "tuple(explanation)"),
                                   ("missing_facts", "missing"), ("rules_digest", "digest"),
                                   ("override", "override")])
    w.line("return severity")
    return "\n".join(w.lines) + "\n", w.namespace


def compile_classifier(rules: Sequence[Any], default: str, fields: Sequence[str],
                       plain: Sequence[str], remember: bool = True) -> Classifier:
    """The generated classifier of one rule set (see the module docstring)."""
    source, namespace = classifier_source(rules, default, fields, plain, remember)
    exec(compile(source, "<severity rules>", "exec"), namespace)  # noqa: S102 - source written above
    classify = namespace["classify"]
    classify.source = source
    return classify


__all__ = ["classifier_source", "compile_classifier"]
