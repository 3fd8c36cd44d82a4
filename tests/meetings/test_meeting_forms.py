"""The meeting form takes any number of attendee rows, and a follow-up's owner list is the chosen agency's people."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import FollowUp, Meeting
from tests.meetings.test_meetings import meeting  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def meeting_post(open_period, province, participants, names):
    data = {
        "title": "Rapat Pengendalian SPBE", "starts_at": "2025-03-12T09:00", "ends_at": "", "place": "Ruang Rapat",
        "organiser": province.pk, "period": open_period.pk, "chair": "Kepala Dinas", "note_taker": "Analis SPBE",
        "participants": [agency.pk for agency in participants], "agenda": "Pembukaan", "discussion": "", "decisions": "",
        "attendees-TOTAL_FORMS": str(len(names)), "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "0", "attendees-MAX_NUM_FORMS": "200",
    }
    for index, name in enumerate(names):
        data[f"attendees-{index}-name"] = name
        data[f"attendees-{index}-position"] = f"Jabatan {index}"
    return data


def test_the_meeting_form_offers_an_add_row_button_with_an_empty_row_template(provincial_reviewer, open_period, client_of):
    page = client_of(provincial_reviewer).get(reverse("meeting_create")).content.decode()
    assert 'data-formset-add="attendees"' in page
    template = re.search(r'<template id="attendees-empty-row">(.*?)</template>', page, re.S).group(1)
    assert 'name="attendees-__prefix__-name"' in template
    assert 'name="attendees-__prefix__-agency"' in template
    assert re.search(r"js/forms\.(\w+\.)?js", page)


def test_every_attendee_row_posted_is_saved_even_beyond_the_rows_first_shown(
    provincial_reviewer, open_period, province, rejang_lebong, client_of
):
    names = [f"Peserta {n}" for n in range(1, 7)]
    response = client_of(provincial_reviewer).post(reverse("meeting_create"), meeting_post(open_period, province, [rejang_lebong], names))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert sorted(meeting.attendees.values_list("name", flat=True)) == names


def test_the_meeting_form_reads_the_agency_list_once_however_many_rows(provincial_reviewer, open_period, client_of,
                                                                       django_assert_max_num_queries):
    client = client_of(provincial_reviewer)
    with django_assert_max_num_queries(40) as few_rows:
        client.get(reverse("meeting_create"))
    data = meeting_post(open_period, provincial_reviewer.memberships.get().agency, [], [""] * 12)
    data["title"] = ""  # an invalid post shows all twelve rows again
    with django_assert_max_num_queries(len(few_rows.captured_queries) + 2):
        assert client.post(reverse("meeting_create"), data).status_code == 400


def test_owner_options_name_the_agencies_their_person_belongs_to(meeting, rejang_lebong, kepahiang, rejang_lebong_officer,  # noqa: F811
                                                                  kepahiang_officer, provincial_reviewer, client_of):
    page = client_of(provincial_reviewer).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert 'data-filter-by="agency"' in page
    assert re.search(rf'<option value="{rejang_lebong_officer.pk}" data-agencies="{rejang_lebong.pk}"', page)
    assert re.search(rf'<option value="{kepahiang_officer.pk}" data-agencies="{kepahiang.pk}"', page)


def test_an_owner_outside_the_chosen_agency_is_refused_with_a_message(meeting, rejang_lebong, kepahiang_officer,  # noqa: F811
                                                                      provincial_reviewer, client_of):
    due = timezone.localdate() + timedelta(days=10)
    response = client_of(provincial_reviewer).post(reverse("follow_up_create", args=[meeting.pk]), {
        "agency": rejang_lebong.pk, "description": "Menyusun SK Tim Koordinasi SPBE", "owner": kepahiang_officer.pk,
        "due_date": due.isoformat(),
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "Penanggung jawab harus merupakan personel Rejang Lebong." in page
    assert "Menyusun SK Tim Koordinasi SPBE" in page  # what was typed is kept
    assert not FollowUp.objects.exists()


def test_an_agency_added_after_the_first_meeting_form_appears_in_the_next_one(provincial_reviewer, client_of, bengkulu):
    """The attendee rows' agency list is read per request: a process that served the form once
    still offers an agency added afterwards (a shared queryset's cache once kept the old list)."""
    from django.urls import reverse

    from tests.factories import AgencyFactory

    client = client_of(provincial_reviewer)
    assert client.get(reverse("meeting_create")).status_code == 200
    added = AgencyFactory(code="17.99", name="Kabupaten Baru", short_name="Baru", parent=bengkulu["17"])
    choices = client.get(reverse("meeting_create")).context["agency_choices"]
    assert added.pk in [value for value, _label in choices]
