"""Each indicator's explanation and its own criterion per level (PermenPANRB 59/2020 appendix, from
community transcriptions named in the file's ``sources``): the file carries them, the loader checks
them, a text-only correction reaches a framework version in use, and the item page and the review
panel show them."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import selectors
from assessments.framework_files import FRAMEWORK_DIR, FrameworkFileError, load_text, scoring_hash
from assessments.models import FrameworkNode, FrameworkVersion, IndicatorAssessment
from assessments.services import framework_load, item_update

SPBE_FILE = FRAMEWORK_DIR / "permenpanrb-59-2020.yaml"


def spbe_data():
    return yaml.safe_load(SPBE_FILE.read_text(encoding="utf-8"))


def indicators_of(data):
    stack = list(reversed(data["tree"]))
    while stack:
        node = stack.pop()
        if node.get("children"):
            stack.extend(reversed(node["children"]))
        else:
            yield node


def spbe_indicator(data, code):
    return next(node for node in indicators_of(data) if node["code"] == code)


def refusal(data):
    with pytest.raises(FrameworkFileError) as caught:
        load_text(yaml.safe_dump(data, allow_unicode=True), name="copy.yaml")
    return "\n".join(caught.value.errors)


# --- The file -------------------------------------------------------------------------------------

def test_every_spbe_indicator_has_an_explanation_and_five_criteria_except_the_one_level_no_source_has():
    indicators = list(indicators_of(spbe_data()))
    assert len(indicators) == 47
    assert all(node["explanation"].strip() for node in indicators)
    levels = {node["code"]: sorted(node["criteria"]) for node in indicators}
    assert levels.pop("3") == [1, 2, 3, 5]  # level 4 of indicator 3: no transcription has it
    assert set(map(tuple, levels.values())) == {(1, 2, 3, 4, 5)}
    assert sum(len(node["criteria"]) for node in indicators) == 47 * 5 - 1


def test_levels_3_to_5_keep_the_regulations_pattern():
    for node in indicators_of(spbe_data()):
        for level in (3, 4, 5):
            if level in node["criteria"]:
                assert node["criteria"][level].startswith(f"Kriteria tingkat {level - 1} telah terpenuhi"), (node["code"], level)


def test_cross_checked_criteria_are_pinned_word_for_word():
    data = spbe_data()
    assert spbe_indicator(data, "1")["criteria"][3] == (
        "Kriteria tingkat 2 telah terpenuhi dan kebijakan internal Arsitektur SPBE Instansi Pusat/Pemerintah Daerah telah "
        "memuat secara lengkap pengaturan mengenai referensi Arsitektur dan domain Arsitektur SPBE (Proses Bisnis, Data dan "
        "Informasi, Infrastruktur SPBE, Aplikasi SPBE, Keamanan SPBE, dan Layanan SPBE)."
    )
    # Slips of the first transcription, taken from the second: level 2 of 9 was typed as level "I",
    # level 3 of 42 began with a piece of indicator 15's text, level 5 of 2 was cut short.
    assert spbe_indicator(data, "9")["criteria"][2].startswith("Kebijakan internal Audit TIK telah ditetapkan. Kondisi:")
    assert spbe_indicator(data, "42")["criteria"][3] == (
        "Kriteria tingkat 2 telah terpenuhi dan Layanan Pengaduan Pelayanan Publik Berbasis Elektronik memberikan layanan "
        "transaksi kepada pengguna terkait pengaduan pelayanan publik seperti otomasi alur kerja, transaksi basis data, "
        "validasi data, mekanisme persetujuan, dan analitik data."
    )
    assert spbe_indicator(data, "2")["criteria"][5].endswith("telah ditindaklanjuti dengan kebijakan baru.")
    # Indicator 3, shifted by one level in every transcription, restored to the pattern.
    three = spbe_indicator(data, "3")["criteria"]
    assert three[2].startswith("Kebijakan internal Manajemen Data di Instansi Pusat/Pemerintah Daerah telah ditetapkan. Kondisi:")
    assert three[3].startswith("Kriteria tingkat 2 telah terpenuhi dan kebijakan internal Manajemen Data")
    # Domain 4 indicators speak of the technical function levels.
    assert "layanan interaksi" in spbe_indicator(data, "36")["criteria"][2]
    assert spbe_indicator(data, "25")["explanation"].startswith("a. Manajemen Sumber Daya Manusia dilakukan melalui")


def test_the_spbe_file_names_every_source_with_what_could_not_be_checked():
    data = spbe_data()
    places = [source["where"] for source in data["sources"]]
    assert places == [
        "github.com/Fazzryan/uptd-parkir, app/Http/Controllers/Backend/Api/ApiEvidenceController.php",
        "github.com/dindarestika/SPBE, database/seeders/PertanyaanMandiriSeeder.php",
        "github.com/dindarestika/SPBE, database/seeders/EvaluasiMandiriSeeder.php",
        "github.com/lembanoyoga/spbe, application/views/domain_kebijakan/vw_kebijakan_*.php",
    ]
    assert all(source["covers"] and source["note"] for source in data["sources"])
    assert "kriteria tingkat 4 indikator 3 tidak ditemukan" in " ".join(data["source_note"].split())


@pytest.mark.usefixtures("english")
def test_an_explanation_above_the_indicator_tier_is_refused_at_its_place():
    data = spbe_data()
    data["tree"][0]["children"][0]["explanation"] = "Aspek kebijakan internal."
    assert "tree[0] (D1) › children[0] (A1) › explanation: only indicators take an explanation" in refusal(data)


@pytest.mark.usefixtures("english")
def test_an_empty_explanation_or_criterion_is_refused_at_its_place():
    data = spbe_data()
    aspect = data["tree"][0]["children"][0]
    aspect["children"][0]["explanation"] = "   "
    aspect["children"][1]["criteria"][2] = ""
    aspect["children"][2]["criteria"][1] = 3
    message = refusal(data)
    assert "tree[0] (D1) › children[0] (A1) › children[0] (1) › explanation: must be a non-empty text" in message
    assert "tree[0] (D1) › children[0] (A1) › children[1] (2) › criteria.2: must be a non-empty text" in message
    assert "tree[0] (D1) › children[0] (A1) › children[2] (3) › criteria.1: must be a non-empty text" in message


@pytest.mark.usefixtures("english")
def test_sources_must_say_what_they_cover_and_where_they_are():
    data = spbe_data()
    data["sources"] = [{"covers": "Kriteria", "where": ""}, "github.com/x/y", {"covers": "Penjelasan", "where": "x", "url": "y"}]
    message = refusal(data)
    assert "sources[0] › where: must be a non-empty text" in message
    assert "sources[1]: must be a mapping {covers, where, name, note}" in message
    assert "sources[2] › url: unknown key (use covers, where, name, note)" in message
    data["sources"] = "github.com/x/y"
    assert "sources: must be a list of {covers, where, name, note}" in refusal(data)


def test_the_scoring_hash_ignores_texts_but_not_numbers_predicates_or_codes():
    data = spbe_data()
    base = scoring_hash(data)
    texts = spbe_data()
    texts["name"] = "Evaluasi SPBE (dikoreksi)"
    texts["source_note"] = "Lain."
    texts["sources"] = [{"covers": "x", "where": "y"}]
    texts["level_scales"]["process"]["levels"][2]["description"] = "Lain."
    spbe_indicator(texts, "1")["criteria"][2] = "Lain."
    spbe_indicator(texts, "1")["explanation"] = "Lain."
    spbe_indicator(texts, "1")["items"] = [{"code": "1-L2-01", "text": "Perkada"}]
    spbe_indicator(data, "1")["items"] = [{"code": "1-L2-01", "text": "Peraturan Kepala Daerah"}]
    assert scoring_hash(texts) == scoring_hash(data)
    assert scoring_hash(data) != base  # an evidence item's code is content
    for change in (
        lambda d: d["predicates"][2].update(name="Baik Sekali"),
        lambda d: d["predicates"][2].update(min=2.5),
        lambda d: spbe_indicator(d, "1").update(weight=1.4),
        lambda d: spbe_indicator(d, "1").update(code="1a"),
        lambda d: spbe_indicator(d, "1").update(externally_scored=True),
    ):
        changed = spbe_data()
        change(changed)
        assert scoring_hash(changed) != base


# --- Loading --------------------------------------------------------------------------------------

def spbe_text(change):
    data = spbe_data()
    change(data)
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.django_db
def test_a_text_only_correction_updates_the_version_in_use_in_place_and_records_who_loaded_it(open_period, administrator):
    used = open_period.framework_version
    nodes = dict(used.nodes.values_list("code", "pk"))
    loaded_at = used.loaded_at

    def correct(data):
        spbe_indicator(data, "1")["criteria"][2] = "Kebijakan internal Arsitektur SPBE telah ditetapkan (dikoreksi)."
        spbe_indicator(data, "1")["explanation"] = "Penjelasan yang dikoreksi."
        spbe_indicator(data, "6")["name"] = "Tingkat Kematangan Kebijakan Internal Layanan Jaringan Intra (dikoreksi)"
        data["source_note"] = "Dicek dengan salinan resmi."

    load = framework_load(text=spbe_text(correct), name=SPBE_FILE.name, actor=administrator)
    assert load.outcome == "texts_updated" and load.version.pk == used.pk and load.version.number == 1
    assert FrameworkVersion.objects.filter(framework=used.framework).count() == 1
    used.refresh_from_db()
    assert used.source_note == "Dicek dengan salinan resmi." and used.loaded_by == administrator and used.loaded_at > loaded_at
    assert dict(used.nodes.values_list("code", "pk")) == nodes  # the period's items keep their indicators
    one = used.nodes.get(code="1")
    assert one.criteria["2"] == "Kebijakan internal Arsitektur SPBE telah ditetapkan (dikoreksi)."
    assert one.explanation == "Penjelasan yang dikoreksi."
    assert used.nodes.get(code="6").name.endswith("(dikoreksi)")
    assert IndicatorAssessment.objects.filter(assessment__period=open_period, indicator__version=used).count() == 3 * 47


@pytest.mark.django_db
def test_a_scoring_change_to_a_version_in_use_still_becomes_a_new_version(open_period):
    used = open_period.framework_version
    before = list(used.nodes.values_list("code", "name", "weight", "criteria"))

    def rescore(data):
        data["predicates"][1]["max"] = 2.5  # Cukup up to 2.5, Baik from 2.5
        data["predicates"][2]["min"] = 2.5
        spbe_indicator(data, "1")["criteria"][2] = "Teks baru."

    load = framework_load(text=spbe_text(rescore), name=SPBE_FILE.name)
    assert load.outcome == "new_version" and load.version.number == 2
    assert list(used.nodes.values_list("code", "name", "weight", "criteria")) == before
    assert load.version.nodes.get(code="1").criteria["2"] == "Teks baru."


@pytest.mark.django_db
def test_loaded_nodes_carry_the_explanation_and_criteria(frameworks):
    version = frameworks["PERMENPANRB-59-2020"]
    one = version.nodes.get(code="1")
    assert one.explanation.startswith("a. Arsitektur SPBE adalah kerangka dasar")
    assert sorted(one.criteria) == ["1", "2", "3", "4", "5"]
    assert version.nodes.get(code="A1").explanation == ""


@pytest.mark.django_db
def test_level_texts_fall_back_to_the_scales_description_where_the_indicator_has_none(frameworks):
    version = frameworks["PERMENPANRB-59-2020"]
    three = version.nodes.get(code="3")
    texts = selectors.indicator_level_texts(three, version)
    assert [(text.level, text.name, text.own) for text in texts] == [
        (1, "Rintisan", True), (2, "Terkelola", True), (3, "Terdefinisi", True), (4, "Terpadu dan Terukur", False), (5, "Optimum", True),
    ]
    assert texts[3].criterion == version.definition["level_scales"]["process"]["levels"][4]["description"]
    assert texts[1].criterion == three.criteria["2"]
    layanan = selectors.indicator_level_texts(version.nodes.get(code="36"), version)
    assert [text.name for text in layanan] == ["Informasi", "Interaksi", "Transaksi", "Kolaborasi", "Optimum"]


# --- Pages ----------------------------------------------------------------------------------------

def item_url(period, indicator="1", code="17.07"):
    return reverse("item_detail", kwargs={"period_id": period.pk, "code": code, "indicator_code": indicator})


@pytest.mark.django_db
def test_the_item_page_shows_the_explanation_and_each_levels_criterion_in_indonesian(open_period, lebong_officer, client_of):
    page = client_of(lebong_officer).get(item_url(open_period)).content.decode()
    assert "Makna indikator ini" in page
    assert "Arsitektur SPBE adalah kerangka dasar yang mendeskripsikan integrasi proses bisnis" in page
    criterion = open_period.framework_version.nodes.get(code="1").criteria["4"]
    label_start = page.index('for="level-4"')
    assert page.index(criterion, label_start) < page.index("</label>", label_start)  # inside level 4's own label


@pytest.mark.django_db
def test_a_level_without_its_own_criterion_says_it_shows_the_general_description(open_period, provincial_reviewer, client_of):
    page = client_of(provincial_reviewer).get(item_url(open_period, indicator="3")).content.decode()
    description = open_period.framework_version.definition["level_scales"]["process"]["levels"][4]["description"]
    assert 'id="level-criteria"' in page  # the reviewer does not edit: the criteria are listed
    dd = page[page.index('id="criterion-4"'):]
    assert dd.index(description) < dd.index("deskripsi umum tingkat") < dd.index("</dd>")


@pytest.mark.django_db
def test_the_reviewer_sees_the_criterion_of_the_claimed_level_and_of_each_evidence_level(open_period, lebong_officer, provincial_reviewer, client_of):
    item = IndicatorAssessment.objects.get(assessment__period=open_period, assessment__agency__code="17.07", indicator__code="1")
    values = {"level": 2, "justification": "Perbup Arsitektur SPBE.", "target_level": 3}
    for level in (1, 2):
        item = item_update(item=item, actor=lebong_officer, expected_version=item.version, values=values,
                           evidence={"level": level, "upload": None, "url": f"https://jdih.lebongkab.go.id/perbup-{level}", "description": ""},
                           submit=level == 2)
    page = client_of(provincial_reviewer).get(item_url(open_period)).content.decode()
    criteria = open_period.framework_version.nodes.get(code="1").criteria
    claimed = page[page.index('id="claimed-criterion"'):]
    assert "Kriteria tingkat yang diklaim 2 (Terkelola):" in claimed[:400]
    assert claimed.index(criteria["2"]) < claimed.index("</div>")
    review = page[page.index('id="review-form"'):page.index("</form>", page.index('id="review-form"'))]
    assert criteria["1"] in review and criteria["2"] in review and criteria["3"] not in review


@pytest.mark.django_db
def test_the_item_page_query_count_does_not_grow_with_the_criteria(open_period, lebong_officer, client_of):
    client = client_of(lebong_officer)
    client.get(item_url(open_period))  # warm caches (session, scoring framework)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(item_url(open_period)).status_code == 200
        return len(captured)

    with_criteria = queries()

    def strip(data):
        for node in indicators_of(data):
            node.pop("criteria", None)
            node.pop("explanation", None)

    assert framework_load(text=spbe_text(strip), name=SPBE_FILE.name).outcome == "texts_updated"
    assert FrameworkNode.objects.get(version=open_period.framework_version, code="1").criteria == {}
    client.get(item_url(open_period))
    assert queries() == with_criteria


def test_the_pemdi_file_says_no_source_gives_its_explanations_or_criteria():
    data = yaml.safe_load((FRAMEWORK_DIR / "permenpanrb-8-2026.yaml").read_text(encoding="utf-8"))
    assert not any("explanation" in node or node.get("criteria") for node in indicators_of(data))
    assert [source["covers"] for source in data["sources"]] == ["Penjelasan dan kriteria tingkat per indikator (tidak dimuat)"]
    assert "tidak ditemukan transkripsi lampiran" in data["sources"][0]["where"]
