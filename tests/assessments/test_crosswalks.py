"""Crosswalk files and the framework's own index name: validated with placed errors; the estimate
of an 8/2026 index from 59/2020 levels equals a hand computation."""

import copy
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml

from assessments import crosswalk_files
from assessments.crosswalk_files import CrosswalkFileError, framework_definition, load_text, validate
from assessments.framework_files import FRAMEWORK_DIR, FrameworkFileError
from assessments.framework_files import load_text as framework_load_text
from assessments.services import framework_load

pytestmark = pytest.mark.usefixtures("english")

SPBE, PEMDI = "PERMENPANRB-59-2020", "PERMENPANRB-8-2026"
BUNDLED = crosswalk_files.CROSSWALK_DIR / "permenpanrb-59-2020--permenpanrb-8-2026.yaml"


def definitions():
    return framework_definition(SPBE), framework_definition(PEMDI)


def bundled_data():
    return yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))


def crosswalk(data=None):
    source, target = definitions()
    return load_text(yaml.safe_dump(data or bundled_data(), allow_unicode=True), name="copy.yaml", source=source, target=target)


def refusal(data):
    source, target = definitions()
    with pytest.raises(CrosswalkFileError) as caught:
        validate(data, source=source, target=target)
    return caught.value.errors


def test_every_bundled_crosswalk_is_valid_against_the_bundled_frameworks():
    files = crosswalk_files.bundled_files()
    assert BUNDLED in files
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        source, target = framework_definition(data["from"]), framework_definition(data["to"])
        assert source is not None and target is not None, path
        validate(data, source=source, target=target)  # raises on any fault
        # every target indicator is listed once, with its sources or explicitly unmapped, and a reason
        assert sorted(entry["target"] for entry in data["targets"]) == sorted(crosswalk_files.indicator_codes(target))
        assert all(entry.get("basis") for entry in data["targets"])
        assert "portal" in data["source_note"].lower() and "estimasi" in data["source_note"].lower()


def test_faults_are_refused_with_their_place():
    data = bundled_data()
    data["targets"][0]["sources"]["99"] = 1  # no such 59/2020 indicator
    data["targets"][1]["sources"]["21"] = 0  # a weight that is not positive
    data["targets"][2]["target"] = "I99"  # no such 8/2026 indicator (and I3 goes missing)
    data["targets"].append(copy.deepcopy(data["targets"][3]))  # I4 twice
    data["targets"][4] = {"target": "I5", "basis": "x"}  # neither sources nor unmapped
    data["targets"][5]["sources"] = {"1": 1}  # unmapped, yet with a source
    data["targets"][6]["basis"] = ""
    errors = refusal(data)
    assert "targets[0] (I1) › sources.99: 99 is no indicator of PERMENPANRB-59-2020" in errors
    assert "targets[1] (I2) › sources.21: weight must be a positive number" in errors
    assert "targets[2] (I99) › target: I99 is no indicator of PERMENPANRB-8-2026" in errors
    assert "targets[20] (I4): target I4 is listed twice (also at targets[3] (I4))" in errors
    assert "targets[4] (I5) › sources: must map source indicator codes to weights, or say unmapped: true" in errors
    assert "targets[5] (I6) › sources: an unmapped target has no sources" in errors
    assert "targets[6] (I7) › basis: missing: say why it draws on these indicators (or why on none)" in errors
    assert "targets: I3 of PERMENPANRB-8-2026 is not listed (list it with sources, or with unmapped: true)" in errors
    assert len(errors) == 8


def test_the_wrong_frameworks_and_missing_keys_are_refused():
    data = bundled_data()
    data["from"], data["to"] = PEMDI, SPBE
    errors = refusal(data)
    assert "from: names PERMENPANRB-8-2026, not the source framework PERMENPANRB-59-2020" in errors
    assert "to: names PERMENPANRB-59-2020, not the target framework PERMENPANRB-8-2026" in errors
    assert refusal({"from": SPBE, "to": PEMDI}) == ["source_note: missing", "targets: missing"]


def test_the_estimate_of_a_hand_made_level_set_equals_the_hand_computation():
    # 59/2020: every indicator at 1, except 1 at 4, 25 at 5, 42 at 3 (and 30 not assessed: counted as 1).
    levels = {str(code): 1 for code in range(1, 48)}
    levels.update({"1": 4, "25": 5, "42": 3, "30": None})
    estimate = crosswalk().estimate(levels)
    # I1 draws on 1, 2, 10, 11, 12, 13 (weights 1): (4 + 5 × 1) / 6 = 1.5. I3 ← 25: 5. I19 ← 42: 3.
    assert estimate.levels["I1"] == Fraction(3, 2) and estimate.levels["I3"] == 5 and estimate.levels["I19"] == 3
    assert estimate.levels["I13"] == 1 and estimate.levels["I6"] is None
    # Indeks Pemdi = Σ w × level / 100 = 1 + (0.5 × 5 + 4 × 5 + 2 × 10) / 100 = 1 + 0.425 = 1.425 → 1.43
    assert estimate.overall == Fraction(1425, 1000) and estimate.index == Decimal("1.43")
    assert estimate.not_assessed == ("I6", "I7", "I8", "I11", "I12", "I20") and estimate.is_estimate
    # The database form (base + Σ k × (level − 1)) is the same number.
    base, factors = crosswalk().coefficients
    assert base + sum(factors.get(code, 0) * ((level or 1) - 1) for code, level in levels.items()) == Fraction(1425, 1000)


def test_weights_of_sources_weigh_the_mean():
    data = bundled_data()
    data["targets"][0]["sources"] = {"1": 3, "2": 1}
    levels = {"1": 4, "2": 1}
    estimate = crosswalk(data).estimate(levels)
    # I1 = (3 × 4 + 1 × 1) / 4 = 3.25; the index: 1 + 2.25 × 5 / 100 = 1.1125 → 1.11
    assert estimate.levels["I1"] == Fraction(13, 4)
    assert estimate.overall == Fraction(11125, 10000) and estimate.index == Decimal("1.11")


def test_all_at_three_estimates_what_the_mapped_weight_gives():
    estimate = crosswalk().estimate({str(code): 3 for code in range(1, 48)})
    # mapped weight 100 − (3 + 3 + 4 + 3 + 4 + 15) = 68 at level 3, the rest at 1: 1 + 0.68 × 2 = 2.36
    assert estimate.index == Decimal("2.36")


def framework_text(path, **changes):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True)


def test_each_framework_file_names_its_index_and_a_bad_name_is_refused():
    assert framework_definition(SPBE)["index_name"] == "Indeks SPBE"
    assert framework_definition(PEMDI)["index_name"] == "Indeks Pemdi"
    for bad in ("", 5, "x" * 61):
        with pytest.raises(FrameworkFileError) as caught:
            framework_load_text(framework_text(FRAMEWORK_DIR / "permenpanrb-8-2026.yaml", index_name=bad), name="copy.yaml")
        assert caught.value.errors == ["index_name: must be a text of at most 60 characters, e.g. Indeks SPBE"]


@pytest.mark.django_db
def test_the_index_name_is_stored_on_the_version():
    version = framework_load(text=(FRAMEWORK_DIR / "permenpanrb-8-2026.yaml").read_text(encoding="utf-8"), name="x.yaml").version
    assert version.index_name == "Indeks Pemdi" and version.index_label == "Indeks Pemdi"
    assert version.series_label == "Indeks Pemdi (PermenPANRB 8/2026)"
