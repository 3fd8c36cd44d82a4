"""The Reports page: those who may ask for a report do it there (kind, period, agency in their
scope) and watch its state in the same box as on the period page; leadership reads reports and,
unless a setting allows it, asks for none."""

import pytest
from django.urls import reverse

from reports.models import ReportRun

pytestmark = pytest.mark.django_db


def ask(client, period, agency, kind="regency", **headers):
    return client.post(reverse("report_request"), {"period": period.pk, "agency": agency, "kind": kind}, **headers)


def box(client, period, agency, kind="regency"):
    return client.get(reverse("report_box") + f"?period={period.pk}&agency={agency}&kind={kind}")


def test_leadership_is_refused_a_report_request_for_its_own_regency_and_gets_404_elsewhere(open_period, rejang_lebong_leadership,
                                                                                          client_of):
    client = client_of(rejang_lebong_leadership)
    assert ask(client, open_period, "17.02").status_code == 403
    assert ask(client, open_period, "17.02", HTTP_HX_REQUEST="true").status_code == 403
    assert ask(client, open_period, "17.08").status_code == 404
    assert not ReportRun.objects.exists()


def test_leadership_may_request_its_regencys_report_where_the_setting_allows_it(open_period, rejang_lebong_leadership, client_of,
                                                                               settings):
    settings.LEADERSHIP_MAY_REQUEST_REPORTS = True
    client = client_of(rejang_lebong_leadership)
    response = ask(client, open_period, "17.02")
    assert response.status_code == 302 and ReportRun.objects.get().requested_by == rejang_lebong_leadership
    assert 'id="report-request"' in client.get(reverse("report_list")).content.decode()


def test_leadership_sees_the_report_box_and_the_list_without_a_request_button(open_period, rejang_lebong_leadership,
                                                                             rejang_lebong_officer, client_of):
    leadership, officer = client_of(rejang_lebong_leadership), client_of(rejang_lebong_officer)
    request_url = reverse("report_request")
    own_box = box(leadership, open_period, "17.02")
    assert own_box.status_code == 200 and "report-box-regency" in own_box.content.decode()
    assert request_url not in own_box.content.decode()
    assert request_url in box(officer, open_period, "17.02").content.decode()
    page = leadership.get(reverse("report_list")).content.decode()
    assert request_url not in page and 'id="report-request"' not in page


def test_an_officer_asks_for_a_report_on_the_reports_page_and_watches_its_state(open_period, rejang_lebong_officer, client_of,
                                                                               django_capture_on_commit_callbacks):
    client = client_of(rejang_lebong_officer)
    page = client.get(reverse("report_list")).content.decode()
    form = page.split('id="report-request"')[1].split("</form>")[0]
    assert f'hx-post="{reverse("report_request")}"' in form and 'hx-target="#report-request-result"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, open_period, "17.02", HTTP_HX_REQUEST="true")
        queued = response.content.decode()
        assert response.status_code == 200 and "report-state-queued" in queued and 'hx-trigger="every 2s"' in queued
    run = ReportRun.objects.get()
    assert run.agency.code == "17.02" and run.requested_by == rejang_lebong_officer
    done = box(client, open_period, "17.02").content.decode()
    assert "report-state-done" in done and "every 2s" not in done
    assert reverse("report_download", args=[run.pk, "pdf"]) in done


def test_the_reports_page_offers_officers_only_their_own_regency(open_period, rejang_lebong_officer, provincial_reviewer, client_of):
    officer_form = client_of(rejang_lebong_officer).get(reverse("report_list")).content.decode().split('id="report-request"')[1]
    agencies = officer_form.split('id="r-agency"')[1].split("</select>")[0]
    kinds = officer_form.split('id="r-kind"')[1].split("</select>")[0]
    assert 'value="17.02"' in agencies and 'value="17.07"' not in agencies and 'value="17"' not in agencies
    assert 'value="province"' not in kinds
    reviewer_form = client_of(provincial_reviewer).get(reverse("report_list")).content.decode().split('id="report-request"')[1]
    assert 'value="17"' in reviewer_form and 'value="17.07"' in reviewer_form and 'value="province"' in reviewer_form


def test_an_officer_cannot_ask_for_another_regencys_report_or_the_province_summary(open_period, rejang_lebong_officer, client_of):
    client = client_of(rejang_lebong_officer)
    assert ask(client, open_period, "17.07").status_code == 404
    assert ask(client, open_period, "17", kind="province").status_code == 404
    assert not ReportRun.objects.exists()


def test_a_refused_request_says_why_and_keeps_what_was_asked(open_period, provincial_reviewer, client_of):
    client = client_of(provincial_reviewer)
    response = ask(client, open_period, "17.03")  # Bengkulu Utara has no assessment in this period
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "belum memiliki penilaian pada" in page
    agencies = page.split('id="r-agency"')[1].split("</select>")[0]
    assert 'value="17.03" selected' in agencies
    inline = ask(client, open_period, "17.03", HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in inline and "belum memiliki penilaian pada" in inline
