"""Framework files: both load; a broken copy is refused with a message that points at the fault,
and the database is unchanged."""

import json

import pytest
import yaml

from assessments.framework_files import FRAMEWORK_DIR, FrameworkFileError, load_text
from assessments.models import Framework, FrameworkNode, FrameworkVersion
from assessments.services import framework_load

pytestmark = pytest.mark.usefixtures("english")

SPBE_FILE = FRAMEWORK_DIR / "permenpanrb-59-2020.yaml"
PEMDI_FILE = FRAMEWORK_DIR / "permenpanrb-8-2026.yaml"


def data_of(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def refusal(data, name="copy.yaml"):
    with pytest.raises(FrameworkFileError) as caught:
        load_text(yaml.safe_dump(data, allow_unicode=True), name=name)
    return "\n".join(caught.value.errors)


def test_both_bundled_files_are_valid():
    for path in (SPBE_FILE, PEMDI_FILE):
        definition = load_text(path.read_text(encoding="utf-8"), name=path.name)
        assert definition["weights_total"] == 100


def test_a_file_must_state_how_its_predicate_is_read():
    data = data_of(PEMDI_FILE)
    del data["predicate_from"]
    assert "predicate_from: must be one of rounded, exact" in refusal(data)
    data["predicate_from"] = "truncated"
    assert "predicate_from: must be one of rounded, exact" in refusal(data)
    for path in (SPBE_FILE, PEMDI_FILE):
        assert data_of(path)["predicate_from"] == "rounded"


def test_spbe_copy_with_a_domain_weight_off_is_refused_at_that_domain():
    data = data_of(SPBE_FILE)
    data["tree"][1]["weight"] = 26
    message = refusal(data)
    assert "tree[1] (D2) › weight: is 26 but its children add up to 25" in message
    assert "top-level weights add up to 101, but weights_total says 100" in message


def test_spbe_copy_with_an_indicator_weight_off_is_refused_at_its_aspect():
    data = data_of(SPBE_FILE)
    data["tree"][3]["children"][0]["children"][2]["weight"] = 2.5  # indicator 34
    message = refusal(data)
    assert "tree[3] (D4) › children[0] (A7) › weight: is 27.5 but its children add up to 27.25" in message


def test_spbe_copy_with_a_duplicate_code_names_both_places():
    data = data_of(SPBE_FILE)
    data["tree"][0]["children"][0]["children"][1]["code"] = "1"
    message = refusal(data)
    assert "tree[0] (D1) › children[0] (A1) › children[1] (1): code 1 is used twice (also at tree[0] (D1) › children[0] (A1) › children[0] (1))" in message


def test_spbe_copy_with_overlapping_bands_is_refused():
    data = data_of(SPBE_FILE)
    data["predicates"][2]["min"] = 2.5  # Baik from 2.5 while Cukup runs to 2.6
    message = refusal(data)
    assert "predicates[2] (Baik): overlaps predicates[1] (Cukup)" in message


def test_pemdi_copy_with_weights_off_duplicate_code_and_a_gap_lists_every_fault():
    data = data_of(PEMDI_FILE)
    data["tree"][6]["children"][1]["weight"] = 16  # I20
    data["tree"][4]["children"][1]["code"] = "I13"
    data["predicates"][3]["min"] = 3.6  # gap 3.5–3.6
    message = refusal(data)
    assert "tree[6] (KPG) › weight: is 25 but its children add up to 26" in message
    assert "code I13 is used twice" in message
    assert "predicates[3] (Sangat Baik): leaves a gap after predicates[2] (Baik) (3.5 to 3.6)" in message


def test_pemdi_copy_with_bands_not_covering_the_scale_is_refused():
    data = data_of(PEMDI_FILE)
    data["predicates"][-1]["max"] = 4.5
    assert "the highest band must end at the top of the scale (5)" in refusal(data)


def test_criteria_for_a_level_outside_the_scale_are_refused():
    data = data_of(PEMDI_FILE)
    data["tree"][0]["children"][0]["criteria"] = {1: "ada", 6: "tidak mungkin"}
    assert "tree[0] (TKM) › children[0] (I1) › criteria.6: level outside the scale 1–5" in refusal(data)


def test_an_externally_scored_indicator_names_its_source():
    data = data_of(PEMDI_FILE)
    del data["tree"][2]["children"][0]["external_source"]
    data["tree"][2]["children"][3]["externally_scored"] = "yes"
    faults = refusal(data)
    assert "tree[2] (DAT) › children[0] (I5) › external_source: an externally scored indicator names the institution that scores it" in faults
    assert "tree[2] (DAT) › children[3] (I8) › externally_scored: must be true or false" in faults


def test_an_indicator_without_a_level_scale_is_refused():
    data = data_of(SPBE_FILE)
    del data["tree"][0]["level_scale"]
    assert "tree[0] (D1) › children[0] (A1) › children[0] (1): has no level scale" in refusal(data)


def test_the_depth_of_the_tree_is_the_files_tiers():
    data = data_of(PEMDI_FILE)
    data["tiers"] = [{"key": "domain", "label": "Domain"}] + data["tiers"]
    assert "tree[0] (TKM) › children[0] (I1): a aspect needs children (indicator)" in refusal(data)


def test_broken_yaml_names_the_line():
    with pytest.raises(FrameworkFileError, match="line 4: not valid YAML"):
        load_text("code: X\nname: Y\ntree: [unclosed\n  - : :\n", name="broken.yaml")


def test_json_files_load_too():
    data = data_of(PEMDI_FILE)
    assert load_text(json.dumps(data), name="pemdi.json")["code"] == "PERMENPANRB-8-2026"


@pytest.mark.django_db
def test_a_refused_file_leaves_the_database_unchanged():
    framework_load(text=SPBE_FILE.read_text(encoding="utf-8"), name=SPBE_FILE.name)
    before = (Framework.objects.count(), FrameworkVersion.objects.count(), FrameworkNode.objects.count())
    data = data_of(SPBE_FILE)
    data["name"] = "Changed name"
    data["tree"][0]["weight"] = 14
    with pytest.raises(FrameworkFileError):
        framework_load(text=yaml.safe_dump(data), name="broken.yaml")
    assert (Framework.objects.count(), FrameworkVersion.objects.count(), FrameworkNode.objects.count()) == before
    assert Framework.objects.get().name == "Evaluasi SPBE (PermenPANRB 59/2020)"


def names_by_code(path):
    names = {}

    def walk(nodes):
        for node in nodes:
            names[str(node["code"])] = node["name"]
            walk(node.get("children", []))

    walk(data_of(path)["tree"])
    return names


def test_the_spbe_file_names_the_agencys_own_network_service_bus_and_staff_competence_as_the_regulation_does():
    names = names_by_code(SPBE_FILE)
    assert names["A1"] == "Kebijakan Internal terkait Tata Kelola SPBE"
    assert names["6"] == "Tingkat Kematangan Kebijakan Internal Layanan Jaringan Intra Instansi Pusat/Pemerintah Daerah"
    assert names["7"] == (
        "Tingkat Kematangan Kebijakan Internal Penggunaan Sistem Penghubung Layanan Instansi Pusat/Pemerintah Daerah"
    )
    assert names["17"] == "Tingkat Kematangan Layanan Jaringan Intra Instansi Pusat/Pemerintah Daerah"
    assert names["18"] == "Tingkat Kematangan Penggunaan Sistem Penghubung Layanan Instansi Pusat/Pemerintah Daerah"
    assert names["25"] == "Tingkat Kematangan Penerapan Kompetensi Sumber Daya Manusia"
    for code in ("1", "2", "10", "11", "12", "19"):
        assert names[code].endswith(" Instansi Pusat/Pemerintah Daerah"), code
    indicators = [name for code, name in names.items() if code.isdigit()]
    assert len(indicators) == 47 and all(name.startswith("Tingkat Kematangan ") for name in indicators)


def test_the_pemdi_file_gives_the_aspects_their_full_names_and_names_its_source():
    data = data_of(PEMDI_FILE)
    aspects = [node["name"] for node in data["tree"]]
    assert aspects == [
        "Tata Kelola dan Manajemen Pemdi", "Penyelenggara Pemdi", "Data", "Keamanan Pemdi", "Teknologi Pemdi",
        "Keterpaduan Layanan Digital Pemerintah", "Kepuasan Pengguna Layanan Digital Pemerintah",
    ]
    assert "Berita Negara 2026" in data["source_note"] and "364" in data["source_note"]
    assert "transkripsi lampiran" in data_of(SPBE_FILE)["source_note"]
