"""Evidence items ("butir"): where a framework lists, per indicator and level, the items the national
evaluation checks, evidence is attached to an item, the reviewer accepts or returns each item, and a
level's evidence is accepted only when all its items are. Frameworks without items work per level."""

from datetime import date

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments.framework_files import FRAMEWORK_DIR, FrameworkFileError, load_text
from assessments.models import FrameworkNode, IndicatorAssessment, ItemEvent
from assessments.services import (
    ConcurrentChange,
    assessment_get_or_create,
    evidence_add,
    evidence_checklist,
    evidence_remove,
    item_open_revision,
    item_review,
    item_save,
    item_submit,
    period_create,
)
from tests.assessments.helpers import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
State = IndicatorAssessment.State
Action = ItemEvent.Action

# Set on indicator I13 of the loaded 8/2026 version, so the tests do not depend on the file's wording.
ITEMS = {
    "1": [{"code": "T-L1-01", "text": "Daftar aplikasi."}],
    "2": [{"code": "T-L2-01", "text": "Kebijakan aplikasi."}, {"code": "T-L2-02", "text": "Rencana pengembangan."}],
    "3": [{"code": "T-L3-01", "text": "Bukti penerapan standar."}],
}


@pytest.fixture
def pemdi_period(frameworks, bengkulu):
    version = frameworks["PERMENPANRB-8-2026"]
    FrameworkNode.objects.filter(version=version, code="I13").update(evidence_items=ITEMS, evidence_items_source="Uji")
    period = period_create(
        name="Penilaian Mandiri Pemdi 2026", year=2026, framework_version=version,
        opens=date(2026, 7, 1), closes=date(2026, 12, 15), review_deadline=date(2027, 1, 31), state="open",
    )
    assessment_get_or_create(period=period, agency=bengkulu["17.07"])
    return period


def item_of(period, code="I13"):
    return IndicatorAssessment.objects.select_related("indicator").get(
        assessment__period=period, assessment__agency__code="17.07", indicator__code=code)


def claimed(item, officer, level):
    return item_save(item=item, actor=officer, expected_version=item.version, level=level, justification="Perbup", target_level=3)


def attach(item, officer, *codes):
    for code in codes:
        evidence_add(item=item, actor=officer, expected_version=item.version, item_code=code, upload=pdf_upload(f"{code}.pdf"))
        item.refresh_from_db()
    return item


def submitted(period, officer, level=2, codes=("T-L1-01", "T-L2-01", "T-L2-02")):
    item = attach(claimed(item_of(period), officer, level), officer, *codes)
    return item_submit(item=item, actor=officer, expected_version=item.version)


def reviewed(item, reviewer, decision, decisions, note=""):
    return item_review(item=item, actor=reviewer, expected_version=item.version, decision=decision, accepted_levels=[],
                       note=note, item_decisions=decisions)


def item_url(period, indicator="I13"):
    return reverse("item_detail", kwargs={"period_id": period.pk, "code": "17.07", "indicator_code": indicator})


def test_a_level_is_accepted_only_when_all_its_items_are(pemdi_period, lebong_officer, provincial_reviewer):
    item = submitted(pemdi_period, lebong_officer)
    # Level 1's only item and one of level 2's two items accepted; the other is left undecided.
    item = reviewed(item, provincial_reviewer, "accept", {"T-L1-01": ("accepted", ""), "T-L2-01": ("accepted", ""), "T-L2-02": ("", "")})
    assert (item.state, item.accepted_levels, item.verified_level) == (State.ACCEPTED, [1], 1)
    assert sorted(item.item_reviews) == ["T-L1-01", "T-L2-01"]
    assert item.item_reviews["T-L2-01"]["by"] == provincial_reviewer.get_full_name()
    events = list(item.events.filter(action=Action.EVIDENCE_ITEM_ACCEPTED).order_by("pk").values_list("actor", "note"))
    assert events == [(provincial_reviewer.pk, "Item T-L1-01: waiting → accepted"), (provincial_reviewer.pk, "Item T-L2-01: waiting → accepted")]

    # The next revision: the officer resubmits; the reviewer accepts the last item of level 2 → level 2 stands.
    item = item_open_revision(item=item, actor=lebong_officer, expected_version=item.version)
    item = item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    item = reviewed(item, provincial_reviewer, "accept", {"T-L2-02": ("accepted", "")})
    assert (item.accepted_levels, item.verified_level) == ([1, 2], 2)


def test_returning_one_item_keeps_its_level_unaccepted_and_the_checklist_shows_it(pemdi_period, lebong_officer, provincial_reviewer, client_of):
    item = submitted(pemdi_period, lebong_officer)
    item = reviewed(item, provincial_reviewer, "return",
                    {"T-L1-01": ("accepted", ""), "T-L2-01": ("accepted", ""), "T-L2-02": ("returned", "Belum ditandatangani.")},
                    note="Lengkapi butir T-L2-02.")
    assert (item.state, item.accepted_levels, item.verified_level) == (State.RETURNED, [1], 1)
    returned = item.events.get(action=Action.EVIDENCE_ITEM_RETURNED)
    assert returned.note == "Item T-L2-02: waiting → returned\nBelum ditandatangani." and returned.actor == provincial_reviewer

    page = client_of(lebong_officer).get(item_url(pemdi_period)).content.decode()
    row = page.split('id="butir-T-L2-02"')[1].split("</li>")[0]
    assert 'data-status="returned"' in row and "Belum ditandatangani." in row
    assert 'id="butir-T-L2-01" data-status="accepted"' in page and 'id="butir-T-L3-01" data-status="missing"' in page
    levels = {level["level"]: level["accepted"] for level in evidence_checklist(item=item, evidence=list(item.evidence.all()))}
    assert levels == {1: True, 2: False, 3: False}

    # New evidence for the returned item puts it back to waiting, and says so in the event.
    with translation.override("en"):  # the page request above switched the thread to Indonesian
        item = attach(item, lebong_officer, "T-L2-02")
    assert "T-L2-02" not in item.item_reviews and "T-L2-01" in item.item_reviews
    assert "waits for review again" in item.events.filter(action=Action.EVIDENCE_ADDED).first().note
    page = client_of(lebong_officer).get(item_url(pemdi_period)).content.decode()
    assert 'id="butir-T-L2-02" data-status="waiting"' in page


def test_claiming_a_level_with_a_missing_item_is_refused_naming_the_items(pemdi_period, lebong_officer, client_of):
    item = attach(claimed(item_of(pemdi_period), lebong_officer, 3), lebong_officer, "T-L1-01", "T-L2-01")
    with pytest.raises(ValidationError) as caught:
        item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    assert "evidence for the items T-L2-02, T-L3-01" in str(caught.value)
    item.refresh_from_db()
    assert item.state == State.DRAFT
    page = client_of(lebong_officer).get(item_url(pemdi_period)).content.decode()
    summary = page.split('id="checklist-summary"')[1].split("</div>")[0]
    assert "Masih kurang: 2 butir" in summary and "T-L2-02, T-L3-01" in summary
    # Claiming level 1 needs only level 1's item.
    item = claimed(item, lebong_officer, 1)
    assert item_submit(item=item, actor=lebong_officer, expected_version=item.version).state == State.SUBMITTED


def test_removing_an_accepted_items_evidence_lowers_the_verified_level_at_once(pemdi_period, lebong_officer, provincial_reviewer):
    item = submitted(pemdi_period, lebong_officer)
    item = reviewed(item, provincial_reviewer, "accept", {code: ("accepted", "") for code in ("T-L1-01", "T-L2-01", "T-L2-02")})
    assert (item.accepted_levels, item.verified_level) == ([1, 2], 2)
    item = item_open_revision(item=item, actor=lebong_officer, expected_version=item.version)
    evidence = item.evidence.get(item_code="T-L2-01")
    item = evidence_remove(evidence=evidence, actor=lebong_officer, expected_version=item.version)
    item.refresh_from_db()
    assert (item.accepted_levels, item.verified_level) == ([1], 1)
    assert "T-L2-01" not in item.item_reviews and "T-L1-01" in item.item_reviews
    lowered = item.events.get(action=Action.VERIFIED_LOWERED)
    assert lowered.note == "Verified level 2 → 1: the accepted evidence of level 2 was removed."
    removed = item.events.get(action=Action.EVIDENCE_REMOVED)
    assert "item T-L2-01" in removed.note and "no longer stands" in removed.note


def test_item_decisions_are_checked_and_a_stale_review_is_refused(pemdi_period, lebong_officer, provincial_reviewer):
    item = submitted(pemdi_period, lebong_officer, level=1, codes=("T-L1-01", "T-L2-01"))
    with pytest.raises(ValidationError, match="T-L2-01 is not an evidence item of the claimed levels"):
        reviewed(item, provincial_reviewer, "accept", {"T-L2-01": ("accepted", "")})
    with pytest.raises(ValidationError, match="what is wrong with item T-L1-01"):
        reviewed(item, provincial_reviewer, "return", {"T-L1-01": ("returned", " ")}, note="Perbaiki")
    with pytest.raises(ConcurrentChange):
        item_review(item=item, actor=provincial_reviewer, expected_version=item.version - 1, decision="accept",
                    accepted_levels=[], item_decisions={"T-L1-01": ("accepted", "")})
    item.refresh_from_db()
    assert (item.state, item.item_reviews, item.verified_level) == (State.SUBMITTED, {}, None)
    assert not item.events.filter(action__in=(Action.EVIDENCE_ITEM_ACCEPTED, Action.EVIDENCE_ITEM_RETURNED)).exists()


def test_an_item_without_evidence_cannot_be_accepted(pemdi_period, lebong_officer, provincial_reviewer):
    item = attach(claimed(item_of(pemdi_period), lebong_officer, 1), lebong_officer, "T-L1-01")
    item = item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    item.evidence.all().delete()  # as if the file vanished; the rule is the service's, not the form's
    with pytest.raises(ValidationError, match="T-L1-01 has no evidence"):
        reviewed(item, provincial_reviewer, "accept", {"T-L1-01": ("accepted", "")})


def test_evidence_for_a_level_with_items_names_one_of_them(pemdi_period, lebong_officer):
    item = claimed(item_of(pemdi_period), lebong_officer, 2)
    with pytest.raises(ValidationError, match="Level 2 lists evidence items"):
        evidence_add(item=item, actor=lebong_officer, expected_version=item.version, level=2, upload=pdf_upload())
    with pytest.raises(ValidationError, match="X-L9-01 is not an evidence item"):
        evidence_add(item=item, actor=lebong_officer, expected_version=item.version, item_code="X-L9-01", upload=pdf_upload())
    with pytest.raises(ValidationError, match="belongs to level 1"):
        evidence_add(item=item, actor=lebong_officer, expected_version=item.version, level=2, item_code="T-L1-01", upload=pdf_upload())
    # Level 4 lists no items: evidence per level, as in frameworks without items.
    evidence = evidence_add(item=item, actor=lebong_officer, expected_version=item.version, level=4, upload=pdf_upload())
    assert (evidence.level, evidence.item_code) == (4, "")
    assert evidence_add(item=item_of(pemdi_period), actor=lebong_officer, expected_version=item_of(pemdi_period).version,
                        item_code="T-L2-01", upload=pdf_upload()).level == 2


def test_the_reviewer_decides_each_item_on_the_page(pemdi_period, lebong_officer, provincial_reviewer, client_of):
    item = submitted(pemdi_period, lebong_officer)
    client = client_of(provincial_reviewer)
    page = client.get(item_url(pemdi_period)).content.decode()
    assert 'name="item-T-L2-02"' in page and 'name="note-T-L2-02"' in page
    assert 'name="item-T-L3-01"' not in page  # above the claim
    assert 'id="accept-1"' not in page and 'id="accept-4"' not in page  # levels with items are decided item by item
    response = client.post(item_url(pemdi_period), {
        "action": "return", "version": item.version, "note": "Lihat butir.",
        "item-T-L1-01": "accepted", "item-T-L2-01": "returned", "note-T-L2-01": "Salah dokumen.", "item-T-L2-02": "",
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.RETURNED and item.verified_level == 1
    assert {code: review["state"] for code, review in item.item_reviews.items()} == {"T-L1-01": "accepted", "T-L2-01": "returned"}


def test_a_refused_item_review_keeps_the_reviewers_choices(pemdi_period, lebong_officer, provincial_reviewer, client_of):
    item = submitted(pemdi_period, lebong_officer)
    response = client_of(provincial_reviewer).post(item_url(pemdi_period), {
        "action": "return", "version": item.version, "note": "Lihat butir.", "item-T-L1-01": "accepted", "item-T-L2-01": "returned",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "kekurangan butir T-L2-01" in page
    assert '<option value="accepted" selected>' in page.split('id="review-T-L1-01-decision"')[1].split("</select>")[0]
    assert '<option value="returned" selected>' in page.split('id="review-T-L2-01-decision"')[1].split("</select>")[0]
    item.refresh_from_db()
    assert (item.state, item.item_reviews) == (State.SUBMITTED, {})


def test_the_officer_attaches_evidence_to_an_item_through_the_form(pemdi_period, lebong_officer, client_of):
    item = item_of(pemdi_period)
    client = client_of(lebong_officer)
    page = client.get(item_url(pemdi_period)).content.decode()
    assert '<optgroup label="Tingkat 2"><option value="T-L2-01">' in page
    response = client.post(item_url(pemdi_period), {
        "version": item.version, "level": "1", "justification": "Daftar aplikasi", "action": "save",
        "evidence_item": "T-L1-01", "evidence_file": pdf_upload(),
    })
    assert response.status_code == 302
    assert list(item_of(pemdi_period).evidence.values_list("level", "item_code")) == [(1, "T-L1-01")]


def test_a_framework_without_items_keeps_evidence_per_level(open_period, lebong_officer, client_of):
    item = IndicatorAssessment.objects.select_related("indicator").get(
        assessment__period=open_period, assessment__agency__code="17.07", indicator__code="1")
    assert item.indicator.evidence_items == {}
    item = claimed(item, lebong_officer, 1)
    evidence = evidence_add(item=item, actor=lebong_officer, expected_version=item.version, level=1, upload=pdf_upload())
    assert evidence.item_code == "" and evidence_checklist(item=item, evidence=[evidence]) == []
    url = reverse("item_detail", kwargs={"period_id": open_period.pk, "code": "17.07", "indicator_code": "1"})
    page = client_of(lebong_officer).get(url).content.decode()
    assert 'id="evidence-checklist"' not in page and 'name="evidence_item"' not in page


def test_the_item_page_query_count_does_not_grow_with_the_number_of_items(pemdi_period, lebong_officer, provincial_reviewer, client_of):
    item = submitted(pemdi_period, lebong_officer)

    def queries(user):
        client = client_of(user)
        client.get(item_url(pemdi_period))  # warm the session and caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(item_url(pemdi_period)).status_code == 200
        return len(captured)

    before = (queries(lebong_officer), queries(provincial_reviewer))
    many = {str(level): [{"code": f"M-L{level}-{n:02}", "text": f"Butir {n}"} for n in range(1, 9)] for level in (1, 2, 3, 4, 5)}
    FrameworkNode.objects.filter(pk=item.indicator_id).update(evidence_items=many)
    for code in ("M-L1-01", "M-L1-02", "M-L2-05"):
        evidence_add(item=item_of(pemdi_period), actor=lebong_officer, expected_version=item_of(pemdi_period).version,
                     item_code=code, upload=pdf_upload())
    IndicatorAssessment.objects.filter(pk=item.pk).update(state=State.SUBMITTED)  # back in review, as before: same panels
    after = (queries(lebong_officer), queries(provincial_reviewer))
    assert after == before and after[0] <= 15


# --- The file format --------------------------------------------------------------------------------

PEMDI_FILE = FRAMEWORK_DIR / "permenpanrb-8-2026.yaml"


def refusal(data):
    with pytest.raises(FrameworkFileError) as caught:
        load_text(yaml.safe_dump(data, allow_unicode=True), name="copy.yaml")
    return "\n".join(caught.value.errors)


def indicator(data, code):
    return next(node for aspect in data["tree"] for node in aspect["children"] if node["code"] == code)


def test_evidence_item_faults_are_refused_at_their_place():
    data = yaml.safe_load(PEMDI_FILE.read_text(encoding="utf-8"))
    data["tree"][0]["evidence_items"] = {2: [{"code": "A-01", "text": "x"}]}
    indicator(data, "I1")["evidence_items"] = {
        7: [{"code": "I1-L7-01", "text": "di luar skala"}],
        2: [{"code": "I1-L2-01", "text": "  "}, {"code": "I11-L1-01", "text": "kode ganda"}],
        3: [],
    }
    message = refusal(data)
    assert "tree[0] (TKM) › evidence_items: only indicators take evidence items" in message
    place = "tree[0] (TKM) › children[0] (I1) › evidence_items"
    assert f"{place}.7: level outside the scale 1–5" in message
    assert f"{place}.2[0] (I1-L2-01): missing text" in message
    assert (f"tree[3] (KAM) › children[2] (I11) › evidence_items.1[0] (I11-L1-01): evidence item code I11-L1-01 is used twice "
            f"(also at {place}.2[1])") in message
    assert f"{place}.3: must be a non-empty list of {{code, text}}" in message


def test_the_bundled_items_are_loaded_and_labelled_as_drafted_by_the_portal(frameworks):
    node = FrameworkNode.objects.get(version=frameworks["PERMENPANRB-8-2026"], code="I11")
    assert [entry["code"] for entry in node.evidence_items["2"]] == ["I11-L2-01", "I11-L2-02"]
    assert set(node.evidence_items) == {"1", "2", "3"}
    assert "BUKAN butir resmi" in node.evidence_items_source


def test_the_demo_shows_a_butir_checklist_with_every_status(bengkulu, client_of):
    from agencies.demo import demo_accounts_load
    from agencies.models import User
    from assessments.demo import demo_assessments_load

    demo_accounts_load()
    demo_assessments_load()
    item = IndicatorAssessment.objects.select_related("indicator").get(
        assessment__period__year=2026, assessment__agency__code="17.08", indicator__code="I11")
    assert (item.state, item.level, item.accepted_levels, item.verified_level) == (State.DRAFT, 3, [1], 1)
    statuses = {row["code"]: row["status"] for level in evidence_checklist(item=item, evidence=list(item.evidence.all()))
                for row in level["items"]}
    assert statuses == {"I11-L1-01": "accepted", "I11-L2-01": "waiting", "I11-L2-02": "returned",
                        "I11-L3-01": "missing", "I11-L3-02": "missing"}
    page = client_of(User.objects.get(username="operator.kepahiang")).get(reverse(
        "item_detail", kwargs={"period_id": item.assessment.period_id, "code": "17.08", "indicator_code": "I11"})).content.decode()
    assert "Masih kurang: 2 butir" in page and "Rencana kerja persandian belum memuat laporan" in page


def test_a_bulk_import_refuses_an_indicator_with_items(pemdi_period, lebong_officer, provincial_reviewer):
    from assessments.services import assessment_reviewed_import

    assessment = item_of(pemdi_period).assessment
    with pytest.raises(ValidationError, match="I13 lists evidence items"):
        assessment_reviewed_import(assessment=assessment, officer=lebong_officer, reviewer=provincial_reviewer, items={
            "I13": {"level": 1, "verified_level": 1, "evidence": [(1, pdf_upload(), "Daftar aplikasi")]}})
    assert item_of(pemdi_period).state == State.NOT_STARTED
