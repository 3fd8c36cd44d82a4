"""Framework files (one per regulation, YAML or JSON): parse and validate before anything is written.

Pure: text in, a validated definition (plain dict) or a FrameworkFileError out. The error lists every
fault with its place in the file, e.g. ``tree[0] (D1) › children[1] (A2) › weight: ...``. The format
is described in docs/frameworks.md.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from .scoring import FORMULAS, PREDICATE_FROM_ROUNDED, PREDICATE_RULES

FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"


class FrameworkFileError(ValueError):
    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


MAX_FILE_CHARS = 4 * 1024 * 1024
MAX_INDEX_NAME = 60
MAX_NESTING = 40  # a framework tree is a handful of levels deep; its criteria and items a few more


class BoundedYamlLoader(yaml.SafeLoader):
    """YAML without aliases and without deep nesting: a 4 KB file of nested aliases would expand to
    gigabytes, and deep nesting would exhaust the stack. A framework file needs neither."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, _("aliases (*name) are not allowed in a framework file"), mark)
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, _("nested deeper than %(limit)s levels") % {"limit": MAX_NESTING}, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _depth(value, limit):
    """True when ``value`` (parsed JSON) nests deeper than ``limit``; iterative, never recursing."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def parse(text: str, *, name: str = "") -> dict:
    """The data of a YAML or JSON framework file (JSON is YAML, but JSON names keep JSON's errors)."""
    if len(text) > MAX_FILE_CHARS:
        raise FrameworkFileError([_("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_CHARS // (1024 * 1024)}])
    try:
        if name.endswith(".json"):
            data = json.loads(text)
            if _depth(data, MAX_NESTING):
                raise FrameworkFileError([_("The file is nested deeper than %(limit)s levels.") % {"limit": MAX_NESTING}])
        else:
            data = yaml.load(text, Loader=BoundedYamlLoader)  # noqa: S506 — a SafeLoader, bounded
    except RecursionError:
        raise FrameworkFileError([_("The file is nested deeper than %(limit)s levels.") % {"limit": MAX_NESTING}]) from None
    except json.JSONDecodeError as error:
        raise FrameworkFileError([_("line %(line)s: not valid JSON: %(problem)s") % {"line": error.lineno, "problem": error.msg}]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        problem = getattr(error, "problem", None) or str(error)
        raise FrameworkFileError([_("line %(line)s: not valid YAML: %(problem)s") % {"line": line, "problem": problem}]) from None
    if not isinstance(data, dict):
        raise FrameworkFileError([_("The file must hold a mapping (code, name, tree, …) at its top.")])
    return data


def load_text(text: str, *, name: str = "") -> dict:
    """Parse and validate; the validated definition or FrameworkFileError."""
    definition = parse(text, name=name)
    validate(definition)
    return definition


def content_hash(definition: dict) -> str:
    """SHA-256 of the definition's content, whatever its formatting or key order."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Keys whose values are only words for people: changing them changes no number. Everything else
# (codes, weights, formula, scale, predicates and their names, tree shape, level scales' levels,
# external scoring) is scoring content. See docs/frameworks.md "Versions".
TEXT_KEYS_TOP = ("name", "index_name", "regulation", "source_note", "sources")
TEXT_KEYS_SCALE = ("name", "description")
TEXT_KEYS_NODE = ("name", "explanation", "criteria")
TEXT_KEYS_NESTED = ("text", "name", "description", "note")  # e.g. the texts of evidence items of a node


def _without_texts(value):
    """A copy of nested lists/dicts under a node (e.g. evidence items) without their text keys."""
    if isinstance(value, dict):
        return {key: _without_texts(item) for key, item in value.items() if key not in TEXT_KEYS_NESTED}
    if isinstance(value, list):
        return [_without_texts(item) for item in value]
    return value


def scoring_content(definition: dict) -> dict:
    """The definition without its texts (names, descriptions, explanations, criteria, notes, sources,
    evidence-item texts): what the numbers depend on. Two files with the same scoring content give
    every period the same indices, whatever their words."""

    def node(data):
        kept = {key: value for key, value in data.items() if key not in TEXT_KEYS_NODE and key != "children"}
        kept = {key: _without_texts(value) for key, value in kept.items()}
        if data.get("children"):
            kept["children"] = [node(child) for child in data["children"]]
        return kept

    content = {key: value for key, value in definition.items() if key not in TEXT_KEYS_TOP}
    # Versions loaded before files stated the rule were read from the rounded index: the same rule.
    content.setdefault("predicate_from", PREDICATE_FROM_ROUNDED)
    content["tiers"] = [{key: value for key, value in tier.items() if key != "label"} for tier in definition["tiers"]]
    content["level_scales"] = {
        key: {
            **{k: v for k, v in spec.items() if k not in TEXT_KEYS_SCALE and k != "levels"},
            "levels": {str(level): {k: v for k, v in (spec_level or {}).items() if k not in TEXT_KEYS_SCALE}
                       for level, spec_level in spec["levels"].items()},
        }
        for key, spec in definition["level_scales"].items()
    }
    content["tree"] = [node(item) for item in definition["tree"]]
    return content


def scoring_hash(definition: dict) -> str:
    """SHA-256 of the scoring content only: equal when two definitions differ in texts alone."""
    return content_hash(scoring_content(definition))


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _show(number: Decimal) -> str:
    """27.50 → 27.5, 101.0 → 101, for messages."""
    return format(number.normalize(), "f")


def validate(data: dict) -> None:
    errors: list[str] = []

    def fault(place, message):
        errors.append(f"{place}: {message}")

    for key in ("code", "name", "regulation", "scale", "formula", "weights_total", "tiers", "level_scales", "predicates", "tree"):
        if key not in data or data[key] in (None, "", [], {}):
            fault(key, _("missing"))
    if errors:
        raise FrameworkFileError(errors)

    # Scale
    scale = data["scale"]
    low, high = (scale.get("min"), scale.get("max")) if isinstance(scale, dict) else (None, None)
    if not (isinstance(low, int) and isinstance(high, int) and low < high):
        fault("scale", _("needs whole numbers min < max"))
        raise FrameworkFileError(errors)
    levels = list(range(low, high + 1))

    if data["formula"] not in FORMULAS:
        fault("formula", _("must be one of %(choices)s") % {"choices": ", ".join(FORMULAS)})

    # How the predicate is read is a rule of the regulation: the file states it, nothing assumes it.
    if data.get("predicate_from") not in PREDICATE_RULES:
        fault("predicate_from", _("must be one of %(choices)s (is the predicate read from the rounded index or from the exact one?)")
              % {"choices": ", ".join(PREDICATE_RULES)})

    total = _number(data["weights_total"])
    if total is None or total <= 0:
        fault("weights_total", _("must be a positive number"))

    # Tiers
    tiers = data["tiers"]
    if not isinstance(tiers, list) or not all(isinstance(t, dict) and t.get("key") and t.get("label") for t in tiers):
        fault("tiers", _("must be a list of {key, label}"))
        raise FrameworkFileError(errors)
    if not 2 <= len(tiers) <= 4:
        fault("tiers", _("must have two to four tiers (the last one is the indicator)"))

    # Level scales
    scales = data["level_scales"]
    if not isinstance(scales, dict):
        fault("level_scales", _("must be a mapping of scale keys"))
        scales = {}
    for key, spec in scales.items():
        place = f"level_scales.{key}"
        spec_levels = spec.get("levels") if isinstance(spec, dict) else None
        if not isinstance(spec_levels, dict):
            fault(place, _("needs levels"))
            continue
        found = sorted(int(level) for level in spec_levels if str(level).lstrip("-").isdigit())
        if found != levels or len(spec_levels) != len(levels):
            fault(f"{place}.levels", _("must name every level %(low)s–%(high)s once") % {"low": low, "high": high})
        for level, level_spec in spec_levels.items():
            if not isinstance(level_spec, dict) or not level_spec.get("name"):
                fault(f"{place}.levels.{level}", _("needs a name"))
    default_scale = data.get("default_level_scale")
    if default_scale is not None and default_scale not in scales:
        fault("default_level_scale", _("names no scale in level_scales: %(key)s") % {"key": default_scale})

    # Predicate bands: cover [min, max] with no gap and no overlap.
    bands = data["predicates"]
    if not isinstance(bands, list):
        fault("predicates", _("must be a list of {name, min, max}"))
        bands = []
    parsed_bands = []
    for index, band in enumerate(bands):
        place = f"predicates[{index}]" + (f" ({band.get('name')})" if isinstance(band, dict) and band.get("name") else "")
        lower, upper = (_number(band.get("min")), _number(band.get("max"))) if isinstance(band, dict) else (None, None)
        if not isinstance(band, dict) or not band.get("name") or lower is None or upper is None:
            fault(place, _("needs a name, min and max"))
            continue
        if lower >= upper:
            fault(place, _("min must be below max"))
            continue
        parsed_bands.append((lower, upper, place))
    names = [band.get("name") for band in bands if isinstance(band, dict)]
    if len(set(names)) != len(names):
        fault("predicates", _("names must be unique"))
    parsed_bands.sort()
    if parsed_bands:
        if parsed_bands[0][0] != low:
            fault(parsed_bands[0][2], _("the lowest band must start at the bottom of the scale (%(low)s)") % {"low": low})
        if parsed_bands[-1][1] != high:
            fault(parsed_bands[-1][2], _("the highest band must end at the top of the scale (%(high)s)") % {"high": high})
        for (_low1, upper1, place1), (lower2, _high2, place2) in zip(parsed_bands, parsed_bands[1:]):
            if lower2 < upper1:
                fault(place2, _("overlaps %(other)s (starts at %(start)s, before %(end)s)") % {"other": place1, "start": _show(lower2), "end": _show(upper1)})
            elif lower2 > upper1:
                fault(place2, _("leaves a gap after %(other)s (%(end)s to %(start)s)") % {"other": place1, "start": _show(lower2), "end": _show(upper1)})

    # The tree
    seen_codes: dict[str, str] = {}
    last_tier = len(tiers) - 1

    def check_node(node, place, depth):
        if not isinstance(node, dict):
            fault(place, _("must be a mapping"))
            return None
        code = node.get("code")
        label = f"{place} ({code})" if code not in (None, "") else place
        if code in (None, ""):
            fault(place, _("missing code"))
        else:
            code = str(code)
            if code in seen_codes:
                fault(label, _("code %(code)s is used twice (also at %(other)s)") % {"code": code, "other": seen_codes[code]})
            else:
                seen_codes[code] = label
        if not node.get("name"):
            fault(label, _("missing name"))
        weight = _number(node.get("weight"))
        if weight is None or weight <= 0:
            fault(f"{label} › weight", _("must be a positive number"))
        scale_key = node.get("level_scale")
        if scale_key is not None and scale_key not in scales:
            fault(f"{label} › level_scale", _("names no scale in level_scales: %(key)s") % {"key": scale_key})
        children = node.get("children") or []
        if depth < last_tier:
            if not children:
                fault(label, _("a %(tier)s needs children (%(next)s)") % {"tier": tiers[depth]["key"], "next": tiers[depth + 1]["key"]})
            if node.get("externally_scored") or node.get("criteria"):
                fault(label, _("only indicators take externally_scored and criteria"))
            if "explanation" in node:
                fault(f"{label} › explanation", _("only indicators take an explanation"))
            if node.get("evidence_items") is not None or node.get("evidence_items_source") is not None:
                fault(f"{label} › evidence_items", _("only indicators take evidence items"))
            child_weights = [check_node(child, f"{label} › children[{index}]", depth + 1) for index, child in enumerate(children)]
            if weight is not None and child_weights and None not in child_weights and sum(child_weights) != weight:
                fault(f"{label} › weight", _("is %(weight)s but its children add up to %(sum)s") % {"weight": _show(weight), "sum": _show(sum(child_weights))})
        else:
            if children:
                fault(label, _("an indicator (the last tier) has no children"))
            external = node.get("externally_scored")
            if external is not None and not isinstance(external, bool):
                fault(f"{label} › externally_scored", _("must be true or false"))
            elif external and not str(node.get("external_source") or "").strip():
                fault(f"{label} › external_source", _("an externally scored indicator names the institution that scores it"))
            criteria = node.get("criteria") or {}
            if not isinstance(criteria, dict):
                fault(f"{label} › criteria", _("must map levels to texts"))
            else:
                for level, text in criteria.items():
                    if not str(level).isdigit() or int(level) not in levels:
                        fault(f"{label} › criteria.{level}", _("level outside the scale %(low)s–%(high)s") % {"low": low, "high": high})
                    elif not _is_text(text):
                        fault(f"{label} › criteria.{level}", _("must be a non-empty text"))
            if "explanation" in node and not _is_text(node["explanation"]):
                fault(f"{label} › explanation", _("must be a non-empty text"))
            if node.get("evidence_items") is not None:
                check_evidence_items(node["evidence_items"], f"{label} › evidence_items")
            source = node.get("evidence_items_source")
            if source is not None and (not isinstance(source, str) or not source.strip() or len(source) > 300):
                fault(f"{label} › evidence_items_source", _("must be a text of at most 300 characters"))
            elif source is not None and node.get("evidence_items") is None:
                fault(f"{label} › evidence_items_source", _("names the source of evidence_items, which this indicator does not list"))
        return weight

    # Evidence items ("butir"): per level, a list of {code, text}; codes unique in the whole file.
    seen_item_codes: dict[str, str] = {}

    def check_evidence_items(items, place):
        if not isinstance(items, dict) or not items:
            fault(place, _("must map levels to lists of {code, text}"))
            return
        for level, entries in items.items():
            level_place = f"{place}.{level}"
            if not str(level).isdigit() or int(level) not in levels:
                fault(level_place, _("level outside the scale %(low)s–%(high)s") % {"low": low, "high": high})
            if not isinstance(entries, list) or not entries:
                fault(level_place, _("must be a non-empty list of {code, text}"))
                continue
            for index, entry in enumerate(entries):
                entry_place = f"{level_place}[{index}]"
                if not isinstance(entry, dict):
                    fault(entry_place, _("must be a mapping {code, text}"))
                    continue
                code = entry.get("code")
                code = "" if code is None else str(code).strip()
                if not code:
                    fault(entry_place, _("missing code"))
                elif len(code) > 40:
                    fault(entry_place, _("code %(code)s is longer than 40 characters") % {"code": code})
                elif code in seen_item_codes:
                    fault(f"{entry_place} ({code})", _("evidence item code %(code)s is used twice (also at %(other)s)") % {
                        "code": code, "other": seen_item_codes[code]})
                else:
                    seen_item_codes[code] = entry_place
                if not isinstance(entry.get("text"), str) or not entry["text"].strip():
                    fault(f"{entry_place} ({code})" if code else entry_place, _("missing text"))

    tree = data["tree"]
    if not isinstance(tree, list):
        fault("tree", _("must be a list"))
        raise FrameworkFileError(errors)
    root_weights = [check_node(node, f"tree[{index}]", 0) for index, node in enumerate(tree)]
    if total is not None and None not in root_weights and sum(root_weights) != total:
        fault("tree", _("top-level weights add up to %(sum)s, but weights_total says %(total)s") % {"sum": _show(sum(root_weights)), "total": _show(total)})

    # Every indicator must end up with a level scale (its own, an ancestor's or the default).
    def check_scales(node, inherited, place):
        if not isinstance(node, dict):
            return
        own = node.get("level_scale") or inherited
        label = f"{place} ({node.get('code')})"
        children = node.get("children") or []
        if not children and own is None:
            fault(label, _("has no level scale (set level_scale here, on an ancestor, or default_level_scale)"))
        for index, child in enumerate(children):
            check_scales(child, own, f"{label} › children[{index}]")

    for index, node in enumerate(tree):
        check_scales(node, default_scale, f"tree[{index}]")

    sources = data.get("sources")
    if sources is not None:
        if not isinstance(sources, list) or not sources:
            fault("sources", _("must be a list of {covers, where, name, note}"))
        else:
            for index, source in enumerate(sources):
                place = f"sources[{index}]"
                if not isinstance(source, dict):
                    fault(place, _("must be a mapping {covers, where, name, note}"))
                    continue
                for key in ("covers", "where"):
                    if not _is_text(source.get(key)):
                        fault(f"{place} › {key}", _("must be a non-empty text"))
                for key in ("name", "note"):
                    if key in source and not _is_text(source[key]):
                        fault(f"{place} › {key}", _("must be a non-empty text"))
                for key in source:
                    if key not in ("covers", "where", "name", "note"):
                        fault(f"{place} › {key}", _("unknown key (use covers, where, name, note)"))
    index_name = data.get("index_name")
    if index_name is not None and not (isinstance(index_name, str) and index_name.strip() and len(index_name) <= MAX_INDEX_NAME):
        fault("index_name", _("must be a text of at most %(limit)s characters, e.g. Indeks SPBE") % {"limit": MAX_INDEX_NAME})

    years = data.get("evaluation_years")
    if years is not None and not (isinstance(years, dict) and isinstance(years.get("from"), int)):
        fault("evaluation_years", _("needs from (a year) and optionally to"))

    if errors:
        raise FrameworkFileError(errors)


def bundled_files() -> list[Path]:
    return sorted(FRAMEWORK_DIR.glob("*.yaml")) + sorted(FRAMEWORK_DIR.glob("*.json"))
