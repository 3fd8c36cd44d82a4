"""The index engine against hand-computed values, and its properties."""

from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.framework_files import FRAMEWORK_DIR, load_text
from assessments.scoring import Framework, compute, improvement_plan, next_level_gains


def framework(name):
    path = FRAMEWORK_DIR / name
    return Framework.from_definition(load_text(path.read_text(encoding="utf-8"), name=path.name))


SPBE = framework("permenpanrb-59-2020.yaml")
PEMDI = framework("permenpanrb-8-2026.yaml")
FRAMEWORKS = [SPBE, PEMDI]


def all_at(fw, level):
    return {indicator.code: level for indicator in fw.indicators()}


def test_permenpanrb_59_2020_has_4_domains_8_aspects_47_indicators():
    assert [root.code for root in SPBE.roots] == ["D1", "D2", "D3", "D4"]
    assert len([n for n in SPBE.nodes() if n.tier == "aspect"]) == 8
    assert len(SPBE.indicators()) == 47
    assert sum(i.weight for i in SPBE.indicators()) == 100


def test_permenpanrb_8_2026_has_7_aspects_20_indicators_and_external_ones():
    assert len(PEMDI.roots) == 7 and len(PEMDI.indicators()) == 20
    assert {i.code for i in PEMDI.indicators() if i.externally_scored} == {"I5", "I6", "I7", "I18"}


def test_worked_check_from_the_reference():
    """All 47 at level 2 except indicators 32–41 at level 4: (100×2 + 27.5×2)/100 = 2.55, Cukup."""
    levels = all_at(SPBE, 2) | {str(code): 4 for code in range(32, 42)}
    scores = compute(SPBE, levels)
    assert scores.index == Decimal("2.55")
    assert scores.predicate == "Cukup"
    assert scores.node_index("A7") == Decimal("4.00")
    assert scores.node_index("D4") == Decimal("3.21")  # (27.5×4 + 18×2) / 45.5 = 146/45.5 = 3.2088
    assert scores.node_index("D1") == Decimal("2.00")


def test_spbe_hand_computation_with_mixed_levels():
    # D1 (1–10) at 3, D2 (11–20) at 2, D3 (21–31) at 1, D4 (32–47) at 5:
    # (13×3 + 25×2 + 16.5×1 + 45.5×5) / 100 = (39 + 50 + 16.5 + 227.5)/100 = 3.33 → Baik
    levels = {str(c): 3 for c in range(1, 11)} | {str(c): 2 for c in range(11, 21)}
    levels |= {str(c): 1 for c in range(21, 32)} | {str(c): 5 for c in range(32, 48)}
    scores = compute(SPBE, levels)
    assert scores.index == Decimal("3.33")
    assert scores.predicate == "Baik"
    assert scores.node_index("D3") == Decimal("1.00")


def test_pemdi_hand_computation():
    # Kepuasan Pengguna Layanan Digital Pemerintah (25): I19 = 4 (w10), I20 = 3 (w15) → aspect (40 + 45)/25 = 3.40
    # Data (15): I5 5, I6 1, I7 1, I8 2 → (25 + 3 + 3 + 8)/15 = 2.60
    # Every other indicator at 2 → those aspects 2.00
    # Pemdi = 0.10×2 + 0.10×2 + 0.15×2.60 + 0.15×2 + 0.10×2 + 0.15×2 + 0.25×3.40
    #       = 0.2 + 0.2 + 0.39 + 0.3 + 0.2 + 0.3 + 0.85 = 2.44 → Cukup (1.50–<2.50)
    levels = all_at(PEMDI, 2) | {"I19": 4, "I20": 3, "I5": 5, "I6": 1, "I7": 1, "I8": 2}
    scores = compute(PEMDI, levels)
    assert scores.node_index("KPG") == Decimal("3.40")
    assert scores.node_index("DAT") == Decimal("2.60")
    assert scores.index == Decimal("2.44")
    assert scores.predicate == "Cukup"


@pytest.mark.parametrize(
    ("fw", "index", "predicate"),
    [
        (SPBE, "1.00", "Kurang"), (SPBE, "1.79", "Kurang"), (SPBE, "1.80", "Cukup"), (SPBE, "2.59", "Cukup"),
        (SPBE, "2.60", "Baik"), (SPBE, "3.49", "Baik"), (SPBE, "3.50", "Sangat Baik"), (SPBE, "4.19", "Sangat Baik"),
        (SPBE, "4.20", "Memuaskan"), (SPBE, "5.00", "Memuaskan"),
        (PEMDI, "1.49", "Kurang"), (PEMDI, "1.50", "Cukup"), (PEMDI, "2.50", "Baik"), (PEMDI, "3.99", "Sangat Baik"),
        (PEMDI, "4.00", "Memuaskan"), (PEMDI, "5.00", "Memuaskan"),
    ],
)
def test_predicate_bands_include_their_lower_bound(fw, index, predicate):
    assert fw.predicate_for(Decimal(index)) == predicate


def test_the_predicate_follows_the_published_two_decimal_index():
    # 1 + 18×0.03 (42–47 at 4) + 2×0.0275 (32, 33 at 2) + 8×0.025 (11–18 at 2) = 1.795 exactly,
    # published as 1.80, which is Cukup (not Kurang, as the unrounded value would be).
    levels = all_at(SPBE, 1) | {str(c): 4 for c in range(42, 48)} | {"32": 2, "33": 2}
    levels |= {str(c): 2 for c in range(11, 19)}
    scores = compute(SPBE, levels)
    assert scores.overall == Fraction("1.795")
    assert scores.index == Decimal("1.80")
    assert scores.predicate == "Cukup"


def framework_reading_predicates_from(path, rule):
    definition = load_text((FRAMEWORK_DIR / path).read_text(encoding="utf-8"), name=path)
    return Framework.from_definition({**definition, "predicate_from": rule})


def test_the_predicate_rule_is_the_file_s_and_the_plan_follows_it():
    # The same 1.795 (published 1.80) under each rule the file may state.
    levels = all_at(SPBE, 1) | {str(c): 4 for c in range(42, 48)} | {"32": 2, "33": 2}
    levels |= {str(c): 2 for c in range(11, 19)}
    exact = framework_reading_predicates_from("permenpanrb-59-2020.yaml", "exact")
    assert SPBE.predicate_from == "rounded"
    assert compute(exact, levels).index == Decimal("1.80")
    assert compute(exact, levels).predicate == "Kurang"  # 1.795 < 1.8
    assert compute(SPBE, levels).predicate == "Cukup"
    # Read exactly, Cukup is still ahead: one step of a public service (0.03) makes 1.825.
    plan = improvement_plan(exact, levels)
    assert plan.target_index == Decimal("1.80") and plan.target_predicate == "Cukup"
    assert [(s.indicator.code, s.to_level) for s in plan.steps] == [("42", 5)] and plan.reachable
    # Read from the rounded index, 1.80 is already Cukup: the plan aims at Baik, and a target of
    # 1.80 needs no step at all.
    assert improvement_plan(SPBE, levels).target_predicate == "Baik"
    assert improvement_plan(SPBE, levels, Decimal("1.80")).steps == ()
    assert improvement_plan(exact, levels, Decimal("1.80")).step_count == 1


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["59/2020", "8/2026"])
@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_all_indicators_at_level_k_give_k_everywhere(fw, level):
    scores = compute(fw, all_at(fw, level))
    assert scores.overall == level
    assert all(value == level for value in scores.by_node.values())


def test_a_missing_level_counts_as_the_bottom_of_the_scale_and_is_listed():
    levels = all_at(SPBE, 3)
    del levels["5"]
    levels["6"] = None
    scores = compute(SPBE, levels)
    assert scores.missing == ("5", "6")
    assert scores.levels["5"] == 1
    assert scores.overall == compute(SPBE, all_at(SPBE, 3) | {"5": 1, "6": 1}).overall


def test_a_level_outside_the_scale_is_refused():
    with pytest.raises(ValueError, match="outside the scale"):
        compute(SPBE, all_at(SPBE, 2) | {"7": 6})


def levels_for(fw):
    return st.fixed_dictionaries({i.code: st.integers(fw.scale_min, fw.scale_max) for i in fw.indicators()})


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["59/2020", "8/2026"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_index_stays_within_the_scale(fw, data):
    scores = compute(fw, data.draw(levels_for(fw)))
    assert fw.scale_min <= scores.overall <= fw.scale_max
    assert all(fw.scale_min <= value <= fw.scale_max for value in scores.by_node.values())


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["59/2020", "8/2026"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_raising_one_level_never_lowers_any_index(fw, data):
    levels = data.draw(levels_for(fw))
    raisable = [code for code, level in levels.items() if level < fw.scale_max]
    if not raisable:
        return
    code = data.draw(st.sampled_from(raisable))
    before = compute(fw, levels)
    after = compute(fw, {**levels, code: levels[code] + 1})
    assert after.overall > before.overall
    assert all(after.by_node[node] >= before.by_node[node] for node in before.by_node)


def test_next_level_gains_put_the_heaviest_indicators_first():
    gains = next_level_gains(SPBE, all_at(SPBE, 2))
    assert [g.indicator.code for g in gains[:6]] == ["42", "43", "44", "45", "46", "47"]  # weight 3.00 each
    assert gains[0].gain == Fraction("0.03")
    assert gains[-1].indicator.code == "10" and gains[-1].gain == Fraction("0.013")  # 1–10 weigh 1.30


def test_plan_from_the_worked_check_reaches_baik_with_two_public_service_steps():
    levels = all_at(SPBE, 2) | {str(code): 4 for code in range(32, 42)}
    plan = improvement_plan(SPBE, levels)
    assert plan.target_index == Decimal("2.60") and plan.target_predicate == "Baik"
    assert [(s.indicator.code, s.from_level, s.to_level) for s in plan.steps] == [("42", 2, 3), ("43", 2, 3)]
    assert plan.reached.index == Decimal("2.61") and plan.reachable


def test_plan_to_a_chosen_target_and_an_unreachable_one():
    levels = all_at(PEMDI, 2)
    plan = improvement_plan(PEMDI, levels, Decimal("2.50"))
    # I20 (15) gives 0.15 a level, I19 (10) 0.10: three I20 steps + one I19 = 0.55 → 2.55
    assert [(s.indicator.code, s.to_level) for s in plan.steps] == [("I20", 5), ("I19", 3)]
    assert plan.step_count == 4 and plan.reached.index == Decimal("2.55")
    assert improvement_plan(PEMDI, all_at(PEMDI, 5)) is None
    unreachable = improvement_plan(PEMDI, all_at(PEMDI, 1), Decimal("6.00"))
    # The externally scored I5, I6, I7, I18 (weights 5+3+3+3 = 14) are never raised by the plan:
    # 5 − 14×4/100 = 4.44 at most.
    assert not unreachable.reachable and unreachable.reached.index == Decimal("4.44")


TOY_DEFINITION = {
    "code": "TOY", "name": "Toy", "scale": {"min": 1, "max": 4}, "formula": "weighted_mean", "weights_total": 10,
    "tiers": [{"key": "aspect", "label": "Aspek"}, {"key": "indicator", "label": "Indikator"}],
    "level_scales": {"s": {"levels": {1: {"name": "a"}, 2: {"name": "b"}, 3: {"name": "c"}, 4: {"name": "d"}}}},
    "default_level_scale": "s",
    "predicates": [{"name": "low", "min": 1, "max": 2.5}, {"name": "high", "min": 2.5, "max": 4}],
    "tree": [{"code": "X", "name": "X", "weight": 10, "children": [
        {"code": "a", "name": "a", "weight": 1}, {"code": "b", "name": "b", "weight": 2},
        {"code": "c", "name": "c", "weight": 3}, {"code": "d", "name": "d", "weight": 4}]}],
}
TOY = Framework.from_definition(TOY_DEFINITION)


@pytest.mark.parametrize("target", ["1.50", "2.00", "2.50", "3.10", "3.70", "4.00"])
def test_plan_takes_the_fewest_steps_of_all_possible_ones(target):
    start = {"a": 1, "b": 2, "c": 1, "d": 1}
    plan = improvement_plan(TOY, start, Decimal(target))
    fewest = min(
        sum(levels) - sum(start.values())
        for levels in product(*(range(start[code], 5) for code in "abcd"))
        if compute(TOY, dict(zip("abcd", levels))).index >= Decimal(target)
    )
    assert plan.reachable and plan.step_count == fewest


# --- Externally scored indicators (8/2026: I5, I6, I7, I18) -----------------------------------------


def test_external_decimal_counts_exactly():
    """Everything at 1, I5 (weight 5 of 100, aspect Data weight 15) at 2.99:
    Data = (5×2.99 + 3 + 3 + 4)/15 = 24.95/15; Pemdi = 0.15 × 24.95/15 + 0.85 = 1 + 5×1.99/100 = 1.0995 → 1.10.
    Truncated to 2 it would be 1 + 5×1/100 = 1.05."""
    scores = compute(PEMDI, all_at(PEMDI, 1) | {"I5": Decimal("2.99")})
    assert scores.overall == Fraction(10995, 10000)
    assert scores.index == Decimal("1.10")
    assert scores.node_index("DAT") == Decimal("1.66")  # 24.95/15 = 1.6633
    assert scores.levels["I5"] == Fraction(299, 100)
    assert compute(PEMDI, all_at(PEMDI, 1) | {"I5": 2}).index == Decimal("1.05")
    assert compute(PEMDI, all_at(PEMDI, 1) | {"I5": Fraction(299, 100)}).overall == Fraction(10995, 10000)


def test_external_decimal_changes_the_predicate_where_truncation_would_not():
    """I20 (w15) at 3 adds 0.30, I19 (w10) at 2 adds 0.10: with I5 truncated to 2 the index is
    1.05 + 0.40 = 1.45 (Kurang); with I5 at 2.99 it is 1.0995 + 0.40 = 1.4995 → 1.50 (Cukup)."""
    base = all_at(PEMDI, 1) | {"I20": 3, "I19": 2}
    exact = compute(PEMDI, base | {"I5": Decimal("2.99")})
    truncated = compute(PEMDI, base | {"I5": 2})
    assert (exact.index, exact.predicate) == (Decimal("1.50"), "Cukup")
    assert (truncated.index, truncated.predicate) == (Decimal("1.45"), "Kurang")


@pytest.mark.parametrize("value", [Decimal("0.99"), Decimal("5.01"), Fraction(11, 2), Decimal("NaN")])
def test_external_value_outside_the_scale_is_refused(value):
    with pytest.raises(ValueError):
        compute(PEMDI, all_at(PEMDI, 1) | {"I5": value})


def test_external_value_must_be_exact():
    with pytest.raises(ValueError, match="exact"):
        compute(PEMDI, all_at(PEMDI, 1) | {"I5": 2.99})


@pytest.mark.parametrize("value", [Decimal("2.5"), Fraction(5, 2)])
def test_fractional_level_on_a_normal_indicator_is_refused(value):
    with pytest.raises(ValueError, match="whole"):
        compute(PEMDI, all_at(PEMDI, 1) | {"I8": value})
    with pytest.raises(ValueError, match="whole"):
        compute(SPBE, all_at(SPBE, 1) | {"1": value})


def test_whole_decimal_on_a_normal_indicator_counts_as_its_level():
    assert compute(PEMDI, all_at(PEMDI, 1) | {"I8": Decimal("2.00")}).levels["I8"] == 2


def test_external_without_value_counts_at_the_bottom_and_as_missing():
    scores = compute(PEMDI, all_at(PEMDI, 2) | {"I6": None})
    assert "I6" in scores.missing and scores.levels["I6"] == 1
    # (100×2 − 3×1)/100 = 1.97
    assert scores.index == Decimal("1.97")


def test_plan_never_lists_an_external_indicator_even_when_it_is_the_largest_gain():
    """The toy framework with its heaviest indicator d (weight 4 of 10) externally scored: a step
    of d adds 0.4, more than any other, yet neither the gains nor the plan ever name it."""
    import copy

    definition = copy.deepcopy(TOY_DEFINITION)
    definition["tree"][0]["children"][3] |= {"externally_scored": True, "external_source": "Bappenas"}
    toy = Framework.from_definition(definition)
    assert toy.step_gains["d"] == Fraction(2, 5) == max(toy.step_gains.values())
    start = {"a": 1, "b": 1, "c": 1, "d": Decimal("1.50")}
    assert [gain.indicator.code for gain in next_level_gains(toy, start)] == ["c", "b", "a"]
    # (1 + 2 + 3 + 4×1.5)/10 = 1.20; to 2.50 (high): c to 4 (+0.9 → 2.10), b to 3 (+0.4 → 2.50) — d never.
    plan = improvement_plan(toy, start)
    assert [(step.indicator.code, step.to_level) for step in plan.steps] == [("c", 4), ("b", 3)]
    assert plan.reached.index == Decimal("2.50") and plan.reached.levels["d"] == Fraction(3, 2)
    # Everything the agency can claim at the top: (1 + 2 + 3)×4/10 + 4×1.5/10 = 2.40 + 0.60 = 3.00, short of 4.00.
    full = improvement_plan(toy, start, Decimal("4.00"))
    assert not full.reachable and full.reached.index == Decimal("3.00")
    assert "d" not in {step.indicator.code for step in full.steps}
    # The same levels with d not external: d is the first step.
    assert improvement_plan(TOY, {**start, "d": 1}).steps[0].indicator.code == "d"


def test_plan_keeps_the_external_value():
    levels = all_at(PEMDI, 3) | {"I5": Decimal("2.99")}
    plan = improvement_plan(PEMDI, levels)
    assert plan.reached.levels["I5"] == Fraction(299, 100)
