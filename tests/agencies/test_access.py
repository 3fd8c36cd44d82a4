import pytest
from django.http import Http404

from agencies import access
from agencies.models import Agency

pytestmark = pytest.mark.django_db


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_officer_sees_only_their_regency_and_its_units(rejang_lebong_officer):
    assert codes(access.visible_agencies(rejang_lebong_officer)) == {"17.02", "17.02.01", "17.02.02"}


def test_officer_submits_for_their_regency_and_units_but_reviews_nothing(rejang_lebong_officer, bengkulu):
    assert access.can_submit(rejang_lebong_officer, bengkulu["17.02"])
    assert access.can_submit(rejang_lebong_officer, bengkulu["17.02.01"])
    assert not access.can_submit(rejang_lebong_officer, bengkulu["17.08"])
    assert not access.can_submit(rejang_lebong_officer, bengkulu["17"])
    assert not access.can_review(rejang_lebong_officer, bengkulu["17.02"])


def test_provincial_reviewer_sees_and_reviews_every_regency_but_submits_for_none(provincial_reviewer, bengkulu):
    assert codes(access.visible_agencies(provincial_reviewer)) == set(bengkulu)
    for agency in bengkulu.values():
        assert access.can_review(provincial_reviewer, agency)
        assert not access.can_submit(provincial_reviewer, agency)
    assert not access.is_administrator(provincial_reviewer)
    assert access.is_provincial_staff(provincial_reviewer)


def test_leadership_sees_their_regency_and_can_change_nothing(rejang_lebong_leadership, bengkulu):
    assert codes(access.visible_agencies(rejang_lebong_leadership)) == {"17.02", "17.02.01", "17.02.02"}
    for agency in bengkulu.values():
        assert not access.can_submit(rejang_lebong_leadership, agency)
        assert not access.can_review(rejang_lebong_leadership, agency)
    assert not access.is_administrator(rejang_lebong_leadership)


def test_administrator_sees_everything_and_reviews(administrator, bengkulu):
    assert codes(access.visible_agencies(administrator)) == set(bengkulu)
    assert access.is_administrator(administrator)
    assert access.can_review(administrator, bengkulu["17.07"])
    assert not access.can_submit(administrator, bengkulu["17.07"])


def test_user_without_a_role_sees_nothing(db, bengkulu):
    from tests.factories import UserFactory

    nobody = UserFactory()
    assert not access.visible_agencies(nobody).exists()
    assert not access.can_see(nobody, bengkulu["17"])


def test_inactive_agency_answers_404_even_to_an_administrator(administrator, bengkulu):
    Agency.objects.filter(code="17.04").update(is_active=False)
    with pytest.raises(Http404):
        access.get_agency_or_404(administrator, "17.04")


def test_unknown_and_forbidden_agencies_answer_the_same_404(kepahiang_officer):
    for code in ("17.02", "99.99"):
        with pytest.raises(Http404):
            access.get_agency_or_404(kepahiang_officer, code)


def test_scope_questions_cost_one_query_however_many_agencies(rejang_lebong_officer, bengkulu, django_assert_num_queries):
    user = type(rejang_lebong_officer).objects.get(pk=rejang_lebong_officer.pk)
    with django_assert_num_queries(1):
        answers = [access.can_see(user, agency) for agency in bengkulu.values()]
        answers += [access.can_submit(user, agency) for agency in bengkulu.values()]
    assert answers.count(True) == 6


def test_leadership_may_not_simulate_or_request_reports_unless_a_setting_allows_reports(rejang_lebong_leadership, bengkulu, settings):
    regency = bengkulu["17.02"]
    assert not access.can_simulate(rejang_lebong_leadership, regency)
    assert not access.can_request_report(rejang_lebong_leadership, regency)
    assert codes(Agency.objects.filter(access.report_request_agency_filter(rejang_lebong_leadership))) == set()
    settings.LEADERSHIP_MAY_REQUEST_REPORTS = True
    assert access.can_request_report(rejang_lebong_leadership, regency)
    assert not access.can_request_report(rejang_lebong_leadership, bengkulu["17.08"])
    assert not access.can_simulate(rejang_lebong_leadership, regency)


def test_officers_and_reviewers_simulate_and_request_reports_within_their_scope(rejang_lebong_officer, provincial_reviewer, bengkulu):
    assert access.can_simulate(rejang_lebong_officer, bengkulu["17.02"]) and access.can_request_report(rejang_lebong_officer, bengkulu["17.02"])
    assert not access.can_request_report(rejang_lebong_officer, bengkulu["17.08"])
    assert not access.can_request_report(rejang_lebong_officer, bengkulu["17"])
    assert codes(Agency.objects.filter(access.report_request_agency_filter(rejang_lebong_officer))) == {"17.02", "17.02.01", "17.02.02"}
    assert all(access.can_request_report(provincial_reviewer, agency) and access.can_simulate(provincial_reviewer, agency)
               for agency in bengkulu.values())
