"""A full review round in the browser: a regency officer submits an indicator with evidence, the
province returns it with a note, the officer improves the evidence and resubmits, the province
accepts levels 1 and 2, and the verified index on the assessment page moves as the engine says."""

import re

import pytest
from playwright.sync_api import expect

from assessments.demo_documents import simple_pdf
from assessments.models import IndicatorAssessment
from assessments.scoring import compute
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RETURN_NOTE = "Bukti level 2 belum ada: lampirkan SK penetapan kebijakan internal yang sudah ditandatangani."


def write_pdf(folder, name, title, lines):
    path = folder / name
    path.write_bytes(simple_pdf(title, lines))
    return path


def indonesian(index):
    """An index as the Indonesian pages show it: two decimals, a decimal comma."""
    return f"{index:.2f}".replace(".", ",")


def attach_evidence(form, path, level, description):
    form.locator("input[name=evidence_file]").set_input_files(path)
    form.locator("select[name=evidence_level]").select_option(str(level))
    form.locator("input[name=evidence_description]").fill(description)


def test_officer_and_reviewer_complete_a_review_round(
    page, browser, live_server, tmp_path, open_period, lebong, lebong_officer, provincial_reviewer
):
    item_url = f"/penilaian/{open_period.pk}/17.07/1/"
    assessment_url = f"/penilaian/{open_period.pk}/17.07/"
    first_pdf = write_pdf(tmp_path, "notulen-rapat-kebijakan.pdf", "Notulen Rapat Kebijakan SPBE", ["Rapat penyusunan kebijakan internal."])
    second_pdf = write_pdf(tmp_path, "sk-kebijakan-internal.pdf", "SK Bupati tentang Kebijakan Internal SPBE", ["Ditetapkan di Tubei."])

    # 1. The Lebong officer fills in indicator 1 at level 2 with evidence for level 1, saves, is told
    #    that level 2 still lacks evidence, attaches it and submits.
    officer = page
    log_in(officer, "officer.lbg")
    expect(officer).to_have_url(re.compile(r"/$"))
    officer.goto(item_url)
    expect(officer.locator(".state-not_started")).to_be_visible()
    form = officer.locator("#item-form")
    form.locator('input[name=level][value="2"]').check()
    form.locator("textarea[name=justification]").fill("Kebijakan internal sedang disusun; notulen rapat terlampir.")
    form.locator("select[name=target_level]").select_option("3")
    attach_evidence(form, first_pdf, 1, "Notulen rapat penyusunan")
    form.locator("button[name=action][value=save]").click()
    expect(officer.locator(".state-draft")).to_be_visible()
    expect(officer.locator("#evidence-needed .alert-warning")).to_contain_text("tingkat 2")
    form = officer.locator("#item-form")
    attach_evidence(form, first_pdf, 2, "Notulen rapat penetapan")
    form.locator("button[name=action][value=submit]").click()
    expect(officer.locator(".state-submitted")).to_be_visible()
    expect(officer).to_have_url(re.compile(re.escape(item_url) + "$"))
    expect(officer.locator("#current-level")).to_have_text("2")
    expect(officer.locator("#evidence-table tbody tr")).to_have_count(2)
    expect(officer.locator("#evidence-table")).to_contain_text("notulen-rapat-kebijakan.pdf")

    reviewer_context = browser.new_context(base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta")
    try:
        reviewer = reviewer_context.new_page()
        reviewer.set_default_timeout(15000)

        # 2. The provincial reviewer finds the item in the queue and returns it with a note.
        log_in(reviewer, "reviewer.prov")
        expect(reviewer).to_have_url(re.compile(r"/$"))
        reviewer.goto("/penilaian/reviu/")
        queued = reviewer.locator("#review-queue tbody tr")
        expect(queued).to_have_count(1)
        expect(queued.locator("td").nth(1)).to_have_text("Lebong")
        queued.locator(f'a[href="{item_url}?queue=1"]').click()
        expect(reviewer).to_have_url(re.compile(re.escape(item_url) + r"\?queue=1$"))
        review = reviewer.locator("#review-form")
        expect(review.locator("input[name=accepted_levels]")).to_have_count(2)  # levels 1 and 2 (the claim)
        expect(review.locator('input[name=accepted_levels][value="1"]')).not_to_be_checked()
        expect(review.locator('input[name=accepted_levels][value="2"]')).not_to_be_checked()
        review.locator("textarea[name=note]").fill(RETURN_NOTE)
        review.locator("button[name=action][value=return]").click()
        # Nothing else waits: the reviewer is back at the (empty) queue, told so.
        expect(reviewer).to_have_url(re.compile(r"/penilaian/reviu/$"))
        expect(reviewer.locator(".alert-success")).to_contain_text("Tidak ada lagi yang menunggu di antrean ini.")
        reviewer.goto(item_url)
        expect(reviewer.locator(".state-returned")).to_be_visible()
        expect(reviewer.locator("#review-form")).to_have_count(0)

        # 3. The officer sees the note, attaches better evidence for level 2 and resubmits.
        officer.reload()
        expect(officer.locator(".state-returned")).to_be_visible()
        expect(officer.locator("#review-note")).to_contain_text(RETURN_NOTE)
        form = officer.locator("#item-form")
        expect(form.locator('input[name=level][value="2"]')).to_be_checked()
        attach_evidence(form, second_pdf, 2, "SK yang sudah ditandatangani")
        form.locator("button[name=action][value=submit]").click()
        expect(officer.locator(".state-submitted")).to_be_visible()
        expect(officer.locator("#review-note")).to_have_count(0)
        expect(officer.locator("#evidence-table tbody tr")).to_have_count(3)
        expect(officer.locator("#evidence-table")).to_contain_text("sk-kebijakan-internal.pdf")

        # Before the acceptance nothing is verified: every indicator counts as level 1.
        reviewer.goto(assessment_url)
        expect(reviewer.locator("#verified-index")).to_have_text("1,00")
        before = reviewer.locator("#verified-index").inner_text().strip()

        # 4. The reviewer accepts the evidence of levels 1 and 2.
        reviewer.goto(item_url)
        review = reviewer.locator("#review-form")
        review.locator('input[name=accepted_levels][value="1"]').check()
        review.locator('input[name=accepted_levels][value="2"]').check()
        review.locator("button[name=action][value=accept]").click()
        expect(reviewer).to_have_url(re.compile(r"/penilaian/reviu/$"))
        reviewer.goto(item_url)
        expect(reviewer.locator(".state-accepted")).to_be_visible()
        expect(reviewer.locator("#current-verified")).to_have_text(re.compile(r"^\s*2\b"))

        # 5. The assessment page shows the verified index the engine computes.
        items = IndicatorAssessment.objects.filter(assessment__period=open_period, assessment__agency=lebong)
        item = items.get(indicator__code="1")
        assert (item.state, item.verified_level, item.accepted_levels, item.revision) == ("accepted", 2, [1, 2], 2)
        levels = dict(items.values_list("indicator__code", "verified_level"))
        expected = indonesian(compute(open_period.framework_version.scoring, levels).index)
        reviewer.goto(assessment_url)
        expect(reviewer.locator("#verified-index")).to_have_text(expected)
        assert expected != before
        expect(reviewer.locator('#indicator-table tr[data-indicator="1"] .state-accepted')).to_be_visible()
    finally:
        reviewer_context.close()
