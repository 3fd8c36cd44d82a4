"""The index engine: a framework tree and levels per indicator in, indices out. Pure Python, no
database: every page, report, export and API that shows an index calls this module, so the portal
has one formula, tested against hand-computed values (tests/assessments/test_scoring.py).

Two formulas, named by the framework file (``formula``):

``weighted_mean`` (PermenPANRB 59/2020)
    Every index — overall, domain, aspect — is Σ(weight_i × level_i) / Σ weight_i over the
    indicators below it.

``declared_weights`` (PermenPANRB 8/2026, Indeks Pemdi)
    A node's index is Σ(weight_child × index_child) / weight_node with the weights the file
    declares (Indeks Aspek_a = Σ w_i·level_i / w_a); the overall index is
    Σ(weight_top × index_top) / weights_total (Indeks Pemdi = Σ w_a/100 × Indeks Aspek_a).

With weights that add up (the loader insists), both give the same numbers; each framework still
computes by its own regulation's text.

An externally scored indicator (``externally_scored`` in the file: its value is another
institution's index, e.g. Bappenas' Satu Data score) takes an exact decimal value inside the scale
(a Decimal or Fraction: 2.99 counts as 2.99, never truncated); every other indicator takes a whole
level. The plan and the next-level gains never propose raising an externally scored indicator:
the agency cannot claim it.

An indicator without a level counts at the bottom of the scale (an index is never outside it) and
is listed in ``Scores.missing`` so that pages can say how many were not assessed ("x of n
indicators assessed"). Indices are exact fractions inside; ``Scores.index`` rounds half up to two
decimals as published. The framework file states which value the predicate is read from
(``predicate_from``: ``rounded``, the published two-decimal index, or ``exact``); the scores and the
improvement plan both follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from fractions import Fraction
from typing import Mapping

WEIGHTED_MEAN = "weighted_mean"
DECLARED_WEIGHTS = "declared_weights"
FORMULAS = (WEIGHTED_MEAN, DECLARED_WEIGHTS)

TWO_PLACES = Decimal("0.01")

PREDICATE_FROM_ROUNDED = "rounded"
PREDICATE_FROM_EXACT = "exact"
PREDICATE_RULES = (PREDICATE_FROM_ROUNDED, PREDICATE_FROM_EXACT)


def to_fraction(value) -> Fraction:
    """A weight or bound from a file (int, float, Decimal or string) as an exact fraction."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value))) if not isinstance(value, (int, Fraction)) else Fraction(value)


def rounded(value: Fraction) -> Decimal:
    """An index as published: two decimals, half up."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    tier: str
    weight: Fraction
    children: tuple["Node", ...] = ()
    level_scale: str | None = None
    externally_scored: bool = False
    external_source: str = ""
    criteria: Mapping[int, str] = field(default_factory=dict)

    @property
    def is_indicator(self) -> bool:
        return not self.children

    def indicators(self):
        if self.is_indicator:
            yield self
        for child in self.children:
            yield from child.indicators()

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Band:
    """A predicate band: ``lower`` ≤ index < ``upper`` (the top band includes the scale maximum)."""

    name: str
    lower: Fraction
    upper: Fraction


@dataclass(frozen=True)
class Framework:
    code: str
    name: str
    scale_min: int
    scale_max: int
    formula: str
    weights_total: Fraction
    bands: tuple[Band, ...]
    roots: tuple[Node, ...]
    level_names: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    predicate_from: str = PREDICATE_FROM_ROUNDED

    @classmethod
    def from_definition(cls, definition: Mapping) -> "Framework":
        """Build from a validated framework definition (see assessments.framework_files)."""

        def node(data, depth):
            return Node(
                code=str(data["code"]),
                name=data["name"],
                tier=definition["tiers"][depth]["key"],
                weight=to_fraction(data["weight"]),
                children=tuple(node(child, depth + 1) for child in data.get("children", ())),
                level_scale=data.get("level_scale"),
                externally_scored=bool(data.get("externally_scored", False)),
                external_source=data.get("external_source", ""),
                criteria={int(level): text for level, text in (data.get("criteria") or {}).items()},
            )

        roots = tuple(node(item, 0) for item in definition["tree"])
        # A node without its own scale takes its parent's.
        roots = tuple(_inherit_scale(root, definition.get("default_level_scale")) for root in roots)
        bands = tuple(
            Band(band["name"], to_fraction(band["min"]), to_fraction(band["max"]))
            for band in sorted(definition["predicates"], key=lambda band: to_fraction(band["min"]))
        )
        return cls(
            code=definition["code"],
            name=definition["name"],
            scale_min=int(definition["scale"]["min"]),
            scale_max=int(definition["scale"]["max"]),
            formula=definition["formula"],
            weights_total=to_fraction(definition["weights_total"]),
            bands=bands,
            roots=roots,
            level_names={
                key: {int(level): spec["name"] for level, spec in scale["levels"].items()}
                for key, scale in definition["level_scales"].items()
            },
            predicate_from=definition.get("predicate_from", PREDICATE_FROM_ROUNDED),
        )

    @cached_property
    def _indicators(self) -> tuple[Node, ...]:
        return tuple(indicator for root in self.roots for indicator in root.indicators())

    def indicators(self) -> tuple[Node, ...]:
        return self._indicators

    @cached_property
    def external_codes(self) -> frozenset[str]:
        """Codes of the externally scored indicators."""
        return frozenset(indicator.code for indicator in self.indicators() if indicator.externally_scored)

    @cached_property
    def step_gains(self) -> dict[str, Fraction]:
        """What one level more on each indicator adds to the overall index. Both formulas are
        linear in the levels, so this does not depend on the levels themselves: computed once."""
        floor = {indicator.code: self.scale_min for indicator in self.indicators()}
        base = compute(self, floor).overall
        return {code: compute(self, {**floor, code: self.scale_min + 1}).overall - base for code in floor}

    def nodes(self) -> tuple[Node, ...]:
        return tuple(node for root in self.roots for node in root.walk())

    def predicate_basis(self, exact: Fraction) -> Fraction:
        """The value the predicate is read from, by the file's rule: the published (rounded) index
        or the exact one."""
        return to_fraction(rounded(exact)) if self.predicate_from == PREDICATE_FROM_ROUNDED else exact

    def predicate_of(self, exact: Fraction) -> str:
        """The predicate of an exact index, by the file's rule."""
        return self.predicate_for(self.predicate_basis(exact))

    def predicate_for(self, index: Decimal | Fraction) -> str:
        """The band a value falls in (the value as given: see ``predicate_of`` for the rule)."""
        value = to_fraction(index)
        for band in self.bands:
            if band.lower <= value < band.upper:
                return band.name
        if value == self.bands[-1].upper:
            return self.bands[-1].name
        raise ValueError(f"Index {index} is outside the scale {self.scale_min}–{self.scale_max}.")

    def band_position(self, name: str) -> int:
        """0 for the lowest predicate, counting up."""
        return [band.name for band in self.bands].index(name)

    def band_above(self, index: Decimal | Fraction) -> Band | None:
        value = to_fraction(index)
        higher = [band for band in self.bands if band.lower > value]
        return higher[0] if higher else None

    def level_name(self, indicator: Node, level: int) -> str:
        return self.level_names.get(indicator.level_scale or "", {}).get(level, "")


def _inherit_scale(node: Node, scale: str | None) -> Node:
    own = node.level_scale or scale
    children = tuple(_inherit_scale(child, own) for child in node.children)
    return Node(
        code=node.code, name=node.name, tier=node.tier, weight=node.weight, children=children, level_scale=own,
        externally_scored=node.externally_scored, external_source=node.external_source, criteria=node.criteria,
    )


@dataclass(frozen=True)
class Scores:
    framework: Framework
    overall: Fraction
    by_node: Mapping[str, Fraction]
    levels: Mapping[str, int | Fraction]  # a Fraction only for an externally scored indicator
    missing: tuple[str, ...]

    @property
    def index(self) -> Decimal:
        return rounded(self.overall)

    @property
    def predicate(self) -> str:
        return self.framework.predicate_of(self.overall)

    def node_index(self, code: str) -> Decimal:
        return rounded(self.by_node[code])

    def node_predicate(self, code: str) -> str:
        return self.framework.predicate_of(self.by_node[code])

    @property
    def is_complete(self) -> bool:
        return not self.missing

    @property
    def indicator_count(self) -> int:
        return len(self.levels)

    @property
    def assessed_count(self) -> int:
        """Indicators with a level of their own (the rest count at the bottom of the scale)."""
        return len(self.levels) - len(self.missing)


def _counted_level(framework: Framework, indicator: Node, level) -> int | Fraction:
    """A given level as the engine counts it: a whole number, or for an externally scored
    indicator an exact fraction; ValueError when it is neither or outside the scale."""
    if isinstance(level, bool) or not isinstance(level, (int, Decimal, Fraction)):
        raise ValueError(f"Level {level!r} of indicator {indicator.code} is not an exact number.")
    if isinstance(level, Decimal) and not level.is_finite():
        raise ValueError(f"Level {level} of indicator {indicator.code} is not a number.")
    exact = Fraction(level)
    if not framework.scale_min <= exact <= framework.scale_max:
        raise ValueError(
            f"Level {level} of indicator {indicator.code} is outside the scale {framework.scale_min}–{framework.scale_max}."
        )
    if exact.denominator == 1:
        return int(exact)
    if not indicator.externally_scored:
        raise ValueError(f"Level {level} of indicator {indicator.code} is not a whole level.")
    return exact


def compute(framework: Framework, levels: Mapping[str, int | Decimal | Fraction | None]) -> Scores:
    """Indices of every node and overall, from ``levels`` keyed by indicator code (whole levels;
    exact decimals for externally scored indicators)."""
    counted: dict[str, int | Fraction] = {}
    missing = []
    for indicator in framework.indicators():
        level = levels.get(indicator.code)
        if level is None:
            missing.append(indicator.code)
            level = framework.scale_min
        counted[indicator.code] = _counted_level(framework, indicator, level)

    by_node: dict[str, Fraction] = {}
    if framework.formula == WEIGHTED_MEAN:

        def sums(node: Node) -> tuple[Fraction, Fraction]:
            """(Σ weight × level, Σ weight) over the indicators below ``node``."""
            if node.is_indicator:
                weighted, weight = node.weight * counted[node.code], node.weight
            else:
                weighted = weight = Fraction(0)
                for child in node.children:
                    child_weighted, child_weight = sums(child)
                    weighted += child_weighted
                    weight += child_weight
            by_node[node.code] = weighted / weight
            return weighted, weight

        totals = [sums(root) for root in framework.roots]
        overall = sum((weighted for weighted, _ in totals), Fraction(0)) / sum((weight for _, weight in totals), Fraction(0))
    elif framework.formula == DECLARED_WEIGHTS:

        def value(node: Node) -> Fraction:
            if node.is_indicator:
                by_node[node.code] = Fraction(counted[node.code])
            else:
                by_node[node.code] = sum((child.weight * value(child) for child in node.children), Fraction(0)) / node.weight
            return by_node[node.code]

        overall = sum((root.weight * value(root) for root in framework.roots), Fraction(0)) / framework.weights_total
    else:
        raise ValueError(f"Unknown formula {framework.formula!r}.")
    return Scores(framework=framework, overall=overall, by_node=by_node, levels=counted, missing=tuple(missing))


@dataclass(frozen=True)
class Gain:
    """What raising one indicator by one level adds to the overall index."""

    indicator: Node
    from_level: int
    gain: Fraction

    @property
    def gain_rounded(self) -> Decimal:
        return (Decimal(self.gain.numerator) / Decimal(self.gain.denominator)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanStep:
    indicator: Node
    from_level: int
    to_level: int
    gain: Fraction


@dataclass(frozen=True)
class Plan:
    current: Scores
    target_index: Decimal
    target_predicate: str
    steps: tuple[PlanStep, ...]
    reached: Scores
    reachable: bool

    @property
    def step_count(self) -> int:
        return sum(step.to_level - step.from_level for step in self.steps)


def next_level_gains(framework: Framework, levels: Mapping[str, int | None]) -> list[Gain]:
    """Every indicator below the top of the scale, with what its next level adds, largest first
    (ties in framework order). Externally scored indicators are left out: the agency cannot raise
    them by a claim."""
    current = compute(framework, levels).levels
    step = framework.step_gains
    gains = [
        Gain(indicator, current[indicator.code], step[indicator.code])
        for indicator in framework.indicators()
        if not indicator.externally_scored and current[indicator.code] < framework.scale_max
    ]
    return sorted(gains, key=lambda gain: -gain.gain)  # stable: ties keep framework order


def improvement_plan(framework: Framework, levels: Mapping[str, int | None], target: Decimal | None = None) -> Plan | None:
    """The fewest one-level steps that lift the index to ``target`` (default: the lower bound of
    the next predicate band). A step's gain does not depend on the other steps (the formulas are
    linear), so taking the largest gains first gives the fewest steps; ties go to the indicator
    that comes first in the framework. The target is met as the predicate is read (the file's
    ``predicate_from``: the rounded or the exact index). None when the index is already in the top
    band and no target is asked for. Externally scored indicators keep their value (see
    next_level_gains)."""
    current = compute(framework, levels)
    if target is None:
        band = framework.band_above(framework.predicate_basis(current.overall))
        if band is None:
            return None
        target = rounded(band.lower)
    target = Decimal(target).quantize(TWO_PLACES)
    goal = to_fraction(target)
    target_predicate = framework.predicate_for(min(max(target, Decimal(framework.scale_min)), Decimal(framework.scale_max)))

    # Every possible one-level step, largest gain first; among equal gains, first steps before
    # second steps (spread the work over indicators), then framework order.
    candidates = sorted(
        (-gain.gain, extra, position, gain)
        for position, gain in enumerate(next_level_gains(framework, current.levels))
        for extra in range(1, framework.scale_max - gain.from_level + 1)
    )
    raised: dict[str, int] = {}
    overall = current.overall
    for _, _, _, gain in candidates:
        if framework.predicate_basis(overall) >= goal:
            break
        raised[gain.indicator.code] = raised.get(gain.indicator.code, 0) + 1
        overall += gain.gain
    reached = compute(framework, {**current.levels, **{code: current.levels[code] + n for code, n in raised.items()}})
    step = framework.step_gains
    by_code = {indicator.code: indicator for indicator in framework.indicators()}
    steps = tuple(
        PlanStep(by_code[code], current.levels[code], current.levels[code] + n, step[code] * n) for code, n in raised.items()
    )
    return Plan(
        current=current,
        target_index=target,
        target_predicate=target_predicate,
        steps=steps,
        reached=reached,
        reachable=framework.predicate_basis(reached.overall) >= goal,
    )
