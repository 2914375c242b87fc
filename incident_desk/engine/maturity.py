"""The maturity rubric (`rules/maturity.yaml`): validated model, in-file tests, and scoring from signals.

A dimension reaches level L (2..5) when every one of its criteria meets its threshold for L (a
criterion without a threshold for L does not hold it back); level 1 needs nothing. The overall level is
the lowest dimension level: a team is at a level when every dimension is. Each score carries the
evidence (the signal values and what was counted) and what the next level needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from ..domain.maturity_signals import SIGNALS, Signal
from .errors import Problem, RulesError
from .models import RuleId, Strict, Text, validate_model
from .suggest import unknown
from .yamlsafe import Document, load_file

LEVELS = (1, 2, 3, 4, 5)
DEFAULT_NAMES = {1: "Initial", 2: "Developing", 3: "Defined", 4: "Managed", 5: "Optimizing"}


class CriterionModel(Strict):
    signal: str
    levels: dict[int, float] = Field(description="Threshold per level 2..5")


class DimensionModel(Strict):
    id: RuleId
    name: Text
    describe: dict[int, Text] = Field(description="What the dimension looks like at each level 1..5")
    criteria: list[CriterionModel] = Field(min_length=1)


class LevelName(Strict):
    level: int = Field(ge=1, le=5)
    name: Text


class MaturityTest(Strict):
    name: Text
    given: dict[str, float | None]
    expect: dict[str, int]


class MaturityFile(Strict):
    version: Literal[1] = 1
    window_days: int = Field(365, ge=7, le=3660)
    target_level: int | None = Field(None, ge=1, le=5)
    levels: list[LevelName] = Field(default_factory=lambda: [LevelName(level=k, name=v)
                                                             for k, v in DEFAULT_NAMES.items()])
    dimensions: list[DimensionModel] = Field(min_length=1)
    tests: list[MaturityTest] = Field(default_factory=list)

    @model_validator(mode="after")
    def _levels_complete(self) -> MaturityFile:
        if sorted(level.level for level in self.levels) != list(LEVELS):
            raise ValueError("levels must name each of 1, 2, 3, 4 and 5 exactly once")
        return self

    def level_name(self, level: int) -> str:
        return next(item.name for item in self.levels if item.level == level)


def _check(doc: Document, model: MaturityFile) -> None:
    seen: set[str] = set()
    for i, dimension in enumerate(model.dimensions):
        if dimension.id in seen:
            doc.problem(("dimensions", i, "id"), f"duplicate dimension '{dimension.id}'")
        seen.add(dimension.id)
        missing = [level for level in LEVELS if level not in dimension.describe]
        if missing:
            doc.problem(("dimensions", i, "describe"), f"describe every level 1-5 (missing {missing})")
        for j, criterion in enumerate(dimension.criteria):
            path = ("dimensions", i, "criteria", j)
            spec = SIGNALS.get(criterion.signal)
            if spec is None:
                doc.problem(path + ("signal",), unknown("signal", criterion.signal, SIGNALS))
                continue
            bad = [level for level in criterion.levels if level not in (2, 3, 4, 5)]
            if bad:
                doc.problem(path + ("levels",), f"thresholds are for levels 2-5 (got {bad})")
            ordered = [criterion.levels[k] for k in sorted(criterion.levels) if k in (2, 3, 4, 5)]
            steps = list(zip(ordered, ordered[1:], strict=False))
            if any((b < a) if spec.higher_is_better else (b > a) for a, b in steps):
                direction = "rise" if spec.higher_is_better else "fall"
                doc.problem(path + ("levels",), f"{criterion.signal} thresholds must {direction} with the level "
                                                f"(higher {'is' if spec.higher_is_better else 'is not'} better)")
    for i, test in enumerate(model.tests):
        for name in test.given:
            if name not in SIGNALS:
                doc.problem(("tests", i, "given", name), unknown("signal", name, SIGNALS))
        for name, level in test.expect.items():
            if name != "overall" and name not in seen:
                doc.problem(("tests", i, "expect", name), unknown("dimension", name, sorted(seen) + ["overall"]))
            if level not in LEVELS:
                doc.problem(("tests", i, "expect", name), f"a level is 1-5 (got {level})")


@dataclass(frozen=True)
class Rubric:
    model: MaturityFile
    file: str
    test_lines: tuple[int, ...] = ()


def load_rubric(path: Path) -> Rubric:
    """Read and validate maturity.yaml; RulesError listing every problem (`file:line: path: message`)."""
    doc = load_file(path, str(path))
    model = validate_model(doc, MaturityFile)
    if model is not None:
        _check(doc, model)
    if doc.problems or model is None:
        raise RulesError(doc.problems or [Problem(str(path), 0, "", "invalid maturity rubric")])
    return Rubric(model, str(path), tuple(doc.line_of(("tests", i)) for i in range(len(model.tests))))


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class CriterionScore:
    signal: str
    value: float | None
    level: int  # the highest level this criterion allows
    evidence: str
    next_threshold: float | None  # what the next level above the dimension's needs, if anything


@dataclass(frozen=True)
class DimensionScore:
    id: str
    name: str
    level: int
    description: str
    criteria: tuple[CriterionScore, ...]
    next_level_needs: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    level: int
    level_name: str
    target: int
    target_name: str
    dimensions: tuple[DimensionScore, ...]
    target_descriptions: tuple[tuple[str, str], ...]
    window_days: int


def _meets(value: float | None, threshold: float, higher_is_better: bool) -> bool:
    if value is None:
        return False
    return value >= threshold if higher_is_better else value <= threshold


def _criterion_level(criterion: CriterionModel, value: float | None) -> int:
    spec = SIGNALS[criterion.signal]
    level = 1
    for candidate in (2, 3, 4, 5):
        threshold = criterion.levels.get(candidate)
        if threshold is not None and not _meets(value, threshold, spec.higher_is_better):
            break
        level = candidate
    return level


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measurable yet"
    text = f"{value:g}"
    return f"{text}%" if unit == "%" else text


def score(rubric: Rubric, signals: dict[str, Signal]) -> Assessment:
    model = rubric.model
    dimensions = []
    for dimension in model.dimensions:
        scored = []
        for criterion in dimension.criteria:
            signal = signals.get(criterion.signal) or Signal(criterion.signal, None, "not measured")
            scored.append((criterion, signal, _criterion_level(criterion, signal.value)))
        level = min(lvl for _, _, lvl in scored)
        needs = []
        results = []
        for criterion, signal, allowed in scored:
            spec = SIGNALS[criterion.signal]
            nxt = criterion.levels.get(level + 1) if level < 5 else None
            if nxt is not None and not _meets(signal.value, nxt, spec.higher_is_better):
                needs.append(f"{criterion.signal} {'>=' if spec.higher_is_better else '<='} "
                             f"{_fmt(nxt, spec.unit)} (now {_fmt(signal.value, spec.unit)})")
            results.append(CriterionScore(criterion.signal, signal.value, allowed,
                                          f"{criterion.signal} = {_fmt(signal.value, spec.unit)}: {signal.evidence}",
                                          nxt))
        dimensions.append(DimensionScore(dimension.id, dimension.name, level, dimension.describe[level],
                                         tuple(results), tuple(needs)))
    overall = min(d.level for d in dimensions)
    target = model.target_level or min(overall + 1, 5)
    target = max(target, overall)
    by_id = {d.id: d for d in model.dimensions}
    return Assessment(overall, model.level_name(overall), target, model.level_name(target), tuple(dimensions),
                      tuple((d.name, by_id[d.id].describe[target]) for d in dimensions), model.window_days)


@dataclass(frozen=True)
class MaturityTestResult:
    name: str
    passed: bool
    message: str
    file: str
    line: int


def run_tests(rubric: Rubric) -> list[MaturityTestResult]:
    """The rubric's own test cases: given signal values, the expected level per dimension (and overall)."""
    results = []
    for test, line in zip(rubric.model.tests, rubric.test_lines, strict=True):
        signals = {name: Signal(name, value, "given") for name, value in test.given.items()}
        assessment = score(rubric, signals)
        actual: dict[str, Any] = {d.id: d.level for d in assessment.dimensions}
        actual["overall"] = assessment.level
        wrong = [f"{name}: expected {level}, got {actual.get(name)}" for name, level in test.expect.items()
                 if actual.get(name) != level]
        results.append(MaturityTestResult(test.name, not wrong, "; ".join(wrong) or "ok", rubric.file, line))
    return results
