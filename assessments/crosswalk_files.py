"""Crosswalk files (assessments/crosswalks/*.yaml): how the indicators of one framework draw on
those of an earlier one, so that an index of the later framework can be *estimated* from levels
measured under the earlier one. Data, validated like framework files (every fault with its place);
the format is described in docs/frameworks.md.

Pure: definitions in, a Crosswalk (or CrosswalkFileError) out. The estimate of a target indicator's
level is the weighted mean of its mapped source levels (rescaled to the target's scale); an unmapped
target stands at the bottom of the target's scale and is counted as not assessed. The target index
is then read through the engine (both formulas are linear in the levels: Framework.step_gains), so
an estimate is always exact arithmetic, and always flagged as an estimate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path

from django.utils.translation import gettext as _

from .framework_files import FRAMEWORK_DIR, FrameworkFileError, _number, parse
from .scoring import Framework as ScoringFramework, compute, rounded

logger = logging.getLogger(__name__)

CROSSWALK_DIR = Path(__file__).resolve().parent / "crosswalks"

SAME_FRAMEWORK = "same_framework"
CROSSWALK_ESTIMATE = "crosswalk_estimate"


class CrosswalkFileError(FrameworkFileError):
    pass


def indicator_codes(definition: dict) -> list[str]:
    """The indicator (leaf) codes of a framework definition, in file order."""
    codes, stack = [], list(reversed(definition.get("tree") or []))
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        children = node.get("children") or []
        if children:
            stack.extend(reversed(children))
        else:
            codes.append(str(node.get("code")))
    return codes


def validate(data: dict, *, source: dict, target: dict) -> None:
    """Raise CrosswalkFileError listing every fault, each with its place in the file. ``source`` and
    ``target`` are the definitions of the frameworks named by ``from`` and ``to``."""
    errors: list[str] = []

    def fault(place, message):
        errors.append(f"{place}: {message}")

    for key in ("from", "to", "source_note", "targets"):
        if key not in data or data[key] in (None, "", [], {}):
            fault(key, _("missing"))
    if errors:
        raise CrosswalkFileError(errors)
    if data["from"] != source.get("code"):
        fault("from", _("names %(code)s, not the source framework %(expected)s") % {"code": data["from"], "expected": source.get("code")})
    if data["to"] != target.get("code"):
        fault("to", _("names %(code)s, not the target framework %(expected)s") % {"code": data["to"], "expected": target.get("code")})
    if data["from"] == data["to"]:
        fault("to", _("a crosswalk joins two different frameworks"))
    source_codes, target_codes = set(indicator_codes(source)), indicator_codes(target)
    targets = data["targets"]
    if not isinstance(targets, list):
        fault("targets", _("must be a list of {target, sources or unmapped, basis}"))
        raise CrosswalkFileError(errors)
    seen: dict[str, str] = {}
    for index, entry in enumerate(targets):
        place = f"targets[{index}]"
        if not isinstance(entry, dict):
            fault(place, _("must be a mapping"))
            continue
        code = str(entry.get("target", "")) if entry.get("target") not in (None, "") else ""
        place = f"{place} ({code})" if code else place
        if not code:
            fault(place, _("missing target"))
        elif code not in target_codes:
            fault(f"{place} › target", _("%(code)s is no indicator of %(framework)s") % {"code": code, "framework": data["to"]})
        elif code in seen:
            fault(place, _("target %(code)s is listed twice (also at %(other)s)") % {"code": code, "other": seen[code]})
        else:
            seen[code] = place
        if not str(entry.get("basis") or "").strip():
            fault(f"{place} › basis", _("missing: say why it draws on these indicators (or why on none)"))
        sources = entry.get("sources")
        if entry.get("unmapped") is True:
            if sources:
                fault(f"{place} › sources", _("an unmapped target has no sources"))
            continue
        if entry.get("unmapped") not in (None, False):
            fault(f"{place} › unmapped", _("must be true or left out"))
        if not isinstance(sources, dict) or not sources:
            fault(f"{place} › sources", _("must map source indicator codes to weights, or say unmapped: true"))
            continue
        for source_code, weight in sources.items():
            if str(source_code) not in source_codes:
                fault(f"{place} › sources.{source_code}", _("%(code)s is no indicator of %(framework)s") % {"code": source_code, "framework": data["from"]})
            number = _number(weight)
            if number is None or number <= 0:
                fault(f"{place} › sources.{source_code}", _("weight must be a positive number"))
    for code in target_codes:
        if code not in seen:
            fault("targets", _("%(code)s of %(framework)s is not listed (list it with sources, or with unmapped: true)") % {"code": code, "framework": data["to"]})
    if errors:
        raise CrosswalkFileError(errors)


@dataclass(frozen=True)
class Estimate:
    """A target framework's index estimated from source levels. Always an estimate."""

    levels: dict  # target indicator code → Fraction, or None where unmapped
    not_assessed: tuple  # unmapped target indicators (counted at the bottom of the scale)
    overall: Fraction
    is_estimate = True

    @property
    def index(self) -> Decimal:
        return rounded(self.overall)


class Crosswalk:
    def __init__(self, data: dict, *, source: ScoringFramework, target: ScoringFramework):
        self.data = data
        self.source_code, self.target_code = data["from"], data["to"]
        self.source_note = data["source_note"]
        self.source, self.target = source, target
        self.mapping = {
            str(entry["target"]): {str(code): Fraction(str(weight)) for code, weight in (entry.get("sources") or {}).items()}
            for entry in data["targets"]
        }

    def _rescale(self, level: Fraction) -> Fraction:
        source, target = self.source, self.target
        return target.scale_min + (level - source.scale_min) * Fraction(target.scale_max - target.scale_min, source.scale_max - source.scale_min)

    def _source_level(self, levels, code) -> Fraction:
        level = levels.get(code)
        return Fraction(self.source.scale_min if level is None else int(level))  # unassessed: the bottom, as the engine counts it

    def target_levels(self, source_levels) -> dict:
        """Target indicator code → estimated level (weighted mean of its sources), None if unmapped."""
        estimated = {}
        for code, sources in self.mapping.items():
            if not sources:
                estimated[code] = None
                continue
            total = sum(sources.values())
            estimated[code] = self._rescale(sum(weight * self._source_level(source_levels, s) for s, weight in sources.items()) / total)
        return estimated

    @cached_property
    def coefficients(self) -> tuple[Fraction, dict]:
        """(base, {source code: k}): estimated overall = base + Σ k × (source level − source minimum).
        Exactly what ``estimate`` computes, written so that a database can add it up per agency."""
        base = compute(self.target, {}).overall
        gains = self.target.step_gains
        stretch = Fraction(self.target.scale_max - self.target.scale_min, self.source.scale_max - self.source.scale_min)
        factors: dict[str, Fraction] = {}
        for code, sources in self.mapping.items():
            total = sum(sources.values())
            for source_code, weight in sources.items():
                factors[source_code] = factors.get(source_code, Fraction(0)) + gains[code] * weight / total * stretch
        return base, factors

    def estimate(self, source_levels) -> Estimate:
        """The target index estimated from ``source_levels`` (source indicator code → level or None)."""
        levels = self.target_levels(source_levels)
        base = compute(self.target, {}).overall
        gains = self.target.step_gains
        overall = base + sum((gains[code] * (level - self.target.scale_min) for code, level in levels.items() if level is not None), Fraction(0))
        return Estimate(levels=levels, not_assessed=tuple(code for code, level in levels.items() if level is None), overall=overall)


def bundled_files() -> list[Path]:
    return sorted(CROSSWALK_DIR.glob("*.yaml"))


def framework_definition(code: str) -> dict | None:
    """The bundled framework file with ``code`` (for validating bundled crosswalks)."""
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")) + sorted(FRAMEWORK_DIR.glob("*.json")):
        data = parse(path.read_text(encoding="utf-8"), name=path.name)
        if data.get("code") == code:
            return data
    return None


def load_text(text: str, *, name: str = "", source: dict, target: dict) -> Crosswalk:
    data = parse(text, name=name)
    validate(data, source=source, target=target)
    return Crosswalk(data, source=ScoringFramework.from_definition(source), target=ScoringFramework.from_definition(target))


_CACHE: dict[tuple, Crosswalk | None] = {}


def crosswalk_between(source_version, target_version) -> Crosswalk | None:
    """The bundled crosswalk from ``source_version``'s framework to ``target_version``'s, validated
    against those two versions; None when there is none (or it does not fit them)."""
    source_code, target_code = source_version.framework.code, target_version.framework.code
    key = (source_version.pk, source_version.content_sha256, target_version.pk, target_version.content_sha256)
    if key not in _CACHE:
        found = None
        for path in bundled_files():
            text = path.read_text(encoding="utf-8")
            data = parse(text, name=path.name)
            if data.get("from") == source_code and data.get("to") == target_code:
                try:
                    validate(data, source=source_version.definition, target=target_version.definition)
                except CrosswalkFileError as error:
                    # A file that does not fit these versions estimates nothing (no change is shown).
                    logger.warning("Crosswalk %s does not fit %s → %s: %s", path.name, source_version, target_version, error)
                    continue
                found = Crosswalk(data, source=source_version.scoring, target=target_version.scoring)
                break
        _CACHE[key] = found
    return _CACHE[key]
