"""The scope matrix: every role on the province and on a regency walks every URL of the portal with
every kind of object of another regency (Rejang Lebong), the JSON API and the admin. Outside a
role's scope an object answers 404 and no page shows it; the province's staff reach it.

A URL argument this test does not know fails the test: a new page is mapped here the day it is added.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agencies.models import Membership, Notification
from agencies.services import api_token_create, membership_grant
from meetings.models import MeetingAttachment
from tests.assessments.helpers import pdf_upload
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
MARKER = "RAHASIA-RL"  # every object of Rejang Lebong carries it in a title, a name or a text

# Names of URL arguments that identify an object, and which object of Rejang Lebong fills them.
PK_OWNER = {
    "evidence_download": "evidence", "follow_up_detail": "follow_up", "follow_up_evidence_download": "follow_up",
    "meeting_detail": "meeting", "meeting_edit": "meeting", "meeting_transition": "meeting", "meeting_attachment_add": "meeting",
    "meeting_attachment_download": "meeting", "follow_up_create": "meeting", "minutes_pdf": "meeting",
    "minutes_box": "meeting", "minutes_draft_request": "meeting", "minutes_render_retry": "meeting",
    "minutes_edition_download": "meeting", "report_detail": "report_run", "report_download": "report_run",
    "notification_open": "notification", "evidence_view": "evidence", "meeting_attachment_view": "meeting",
    "follow_up_evidence_view": "follow_up", "minutes_edition_view": "meeting",
}
OBJECT_ARGUMENTS = {"code", "pk", "evidence_pk", "attachment_pk", "minutes_pk"}
OTHER_ARGUMENTS = {"period_id", "indicator_code", "file_format", "kind"}
SKIPPED_URLS = {"password_reset_confirm", "set_language", "logout", "health"}  # no object; tested in tests/agencies
PERSONAL_URLS = {"notification_open"}  # one person's own: 404 even to the province's staff
# Public by design: the verification page of an issued document, reached by the unguessable code
# printed on it (no sign-in, no scope). Walked by its own test below.
PUBLIC_URLS = {"document_verify"}


def portal_urls():
    """(name, argument names) of every named URL outside the admin."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED_URLS | PUBLIC_URLS \
                    and not pattern.name.startswith("api_"):  # the API authenticates by token: its own test below
                found.append((namespace + pattern.name, set(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def rejang_lebong_objects(open_period, bengkulu, province, provincial_reviewer, rejang_lebong_officer, django_capture_on_commit_callbacks):
    """One object of every kind that belongs to Rejang Lebong alone, each carrying MARKER."""
    from assessments.services import evidence_add, item_save, item_submit
    from meetings.services import follow_up_create, follow_up_evidence_add, meeting_attachment_add, meeting_create, meeting_transition
    from reports.services import report_request

    rejang_lebong = bengkulu["17.02"]
    item = open_period.assessments.get(agency=rejang_lebong).items.get(indicator__code="1")
    item = item_save(item=item, actor=rejang_lebong_officer, expected_version=item.version, level=1,
                     justification=f"Justifikasi {MARKER}", target_level=None)
    evidence = evidence_add(item=item, actor=rejang_lebong_officer, expected_version=item.version, level=1,
                            upload=pdf_upload(f"{MARKER}-bukti.pdf"))
    item.refresh_from_db()
    item_submit(item=item, actor=rejang_lebong_officer, expected_version=item.version)
    meeting = meeting_create(actor=provincial_reviewer, participants=[rejang_lebong], values={
        "title": f"Rapat {MARKER}", "starts_at": timezone.now() - timedelta(days=1), "ends_at": None, "place": "Curup",
        "organiser": province, "period": open_period, "chair": "Kepala Diskominfotik", "note_taker": "Analis",
        "agenda": "Pembahasan", "discussion": MARKER, "decisions": ""})
    attachment = meeting_attachment_add(meeting=meeting, actor=provincial_reviewer, kind=MeetingAttachment.Kind.MATERIAL,
                                        upload=pdf_upload(f"{MARKER}-lampiran.pdf"))
    follow_up = follow_up_create(meeting=meeting, actor=provincial_reviewer, agency=rejang_lebong, owner=rejang_lebong_officer,
                                 description=f"Tindak lanjut {MARKER}", due_date=timezone.localdate() + timedelta(days=5))
    follow_up_evidence = follow_up_evidence_add(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version,
                                                upload=pdf_upload(f"{MARKER}-tindak-lanjut.pdf"))
    meeting.refresh_from_db()
    meeting = meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="held")
    with django_capture_on_commit_callbacks(execute=True):  # the final minutes are rendered (tasks inline)
        meeting = meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="final")
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = report_request(kind="regency", period=open_period, agency=rejang_lebong, actor=rejang_lebong_officer)
    notification = Notification.objects.create(user=rejang_lebong_officer, title=f"Pemberitahuan {MARKER}")
    return {
        "period": open_period, "evidence": evidence, "meeting": meeting, "attachment": attachment, "follow_up": follow_up,
        "follow_up_evidence": follow_up_evidence, "minutes": meeting.minutes.order_by("-edition").first(), "report_run": run,
        "notification": notification,
    }


def test_the_matrix_walks_the_interview_kit_downloads():
    """The kit takes only the period and the agency code: walked like every page of a regency."""
    walked = dict(portal_urls())
    assert walked["interview_kit_pdf"] == walked["interview_kit_docx"] == {"period_id", "code"}


def url_for(name, arguments, objects):
    unknown = arguments - OBJECT_ARGUMENTS - OTHER_ARGUMENTS
    assert not unknown, f"{name} takes {unknown}: map them in tests/security/test_scope_matrix.py"
    kwargs = {}
    for argument in arguments:
        if argument == "code":
            kwargs["code"] = "17.02"
        elif argument == "pk":
            assert name in PK_OWNER, f"{name} takes a pk: say in PK_OWNER whose it is (tests/security/test_scope_matrix.py)"
            kwargs["pk"] = objects[PK_OWNER[name]].pk
        elif argument == "evidence_pk":
            kwargs["evidence_pk"] = objects["follow_up_evidence"].pk
        elif argument == "attachment_pk":
            kwargs["attachment_pk"] = objects["attachment"].pk
        elif argument == "minutes_pk":
            kwargs["minutes_pk"] = objects["minutes"].pk
        elif argument == "period_id":
            kwargs["period_id"] = objects["period"].pk
        elif argument == "indicator_code":
            kwargs["indicator_code"] = "1"
        elif argument == "file_format":
            kwargs["file_format"] = "pdf" if name.startswith("report_") else "csv"
        elif argument == "kind":
            kwargs["kind"] = "levels"
    return reverse(name, kwargs=kwargs)


def person(agency, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def outsiders(kepahiang):
    """Every role held on another regency (Kepahiang), including an administrator membership made
    there before the rule that administrators belong to the province."""
    return {
        "officer of Kepahiang": person(kepahiang, Role.OFFICER, "kph.officer"),
        "leadership of Kepahiang": person(kepahiang, Role.LEADERSHIP, "kph.leader"),
        "reviewer of Kepahiang": person(kepahiang, Role.REVIEWER, "kph.reviewer"),
        "administrator of Kepahiang (legacy row)": person(kepahiang, Role.ADMINISTRATOR, "kph.admin"),
    }


@pytest.fixture
def province_staff(province, administrator, provincial_reviewer):
    return {
        "administrator of the province": administrator,
        "reviewer of the province": provincial_reviewer,
        "leadership of the province": person(province, Role.LEADERSHIP, "prov.leader"),
    }


def test_no_role_outside_rejang_lebong_reaches_any_of_its_objects(rejang_lebong_objects, outsiders, client_of):
    leaks = []
    for actor_name, user in outsiders.items():
        client = client_of(user)
        for name, arguments in portal_urls():
            url = url_for(name, arguments, rejang_lebong_objects)
            response = client.get(url, {"agency": "17.02", "period": rejang_lebong_objects["period"].pk})
            body = b"" if getattr(response, "streaming", False) else response.content
            if arguments & OBJECT_ARGUMENTS:
                if response.status_code not in (404, 405):  # 405: a POST-only URL, whatever the object
                    leaks.append(f"{actor_name}: GET {url} answered {response.status_code}")
                post = client.post(url)
                if post.status_code not in (404, 405):
                    leaks.append(f"{actor_name}: POST {url} answered {post.status_code}")
            elif response.status_code >= 500 or MARKER.encode() in body:
                leaks.append(f"{actor_name}: GET {url} answered {response.status_code} showing Rejang Lebong's objects")
    assert leaks == []


def test_the_province_staff_reach_every_object_of_rejang_lebong(rejang_lebong_objects, province_staff, client_of):
    misses = []
    for actor_name, user in province_staff.items():
        client = client_of(user)
        for name, arguments in portal_urls():
            if not arguments & OBJECT_ARGUMENTS or name in PERSONAL_URLS:
                continue
            url = url_for(name, arguments, rejang_lebong_objects)
            status = client.get(url).status_code
            if status == 404 or status >= 500:
                misses.append(f"{actor_name}: GET {url} answered {status}")
    assert misses == []


def test_the_verification_page_of_an_issued_document_is_public_and_only_by_its_code(rejang_lebong_objects, outsiders, client_of):
    """Anyone holding Rejang Lebong's signed report or minutes checks it, signed in or not, in any
    scope; what the page shows is what the document prints. Any other code answers 404."""
    from django.test import Client

    documents = [rejang_lebong_objects["report_run"], rejang_lebong_objects["minutes"]]
    for holder in documents:
        holder.refresh_from_db()
        assert holder.issued_document is not None and holder.issued_document.is_issued
    clients = [Client()] + [client_of(user) for user in outsiders.values()]
    for client in clients:
        for holder in documents:
            document = holder.issued_document
            response = client.get(reverse("document_verify", kwargs={"verification_code": document.code}))
            assert response.status_code == 200
            assert document.document_number in response.content.decode()
        assert client.get(reverse("document_verify", kwargs={"verification_code": "17.02"})).status_code == 404
        assert client.get(reverse("document_verify", kwargs={"verification_code": documents[0].issued_document.code.lower()[:-1]})).status_code == 404


def test_a_notification_opens_only_for_its_own_person(rejang_lebong_objects, province_staff, rejang_lebong_officer, client_of):
    url = reverse("notification_open", kwargs={"pk": rejang_lebong_objects["notification"].pk})
    for user in province_staff.values():
        assert client_of(user).get(url).status_code == 404
    assert client_of(rejang_lebong_officer).get(url).status_code in (200, 302)


def admin_urls():
    from django.contrib import admin

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_only_the_province_administrator_enters_the_admin(rejang_lebong_objects, outsiders, province_staff, client_of):
    for actor_name, user in {**outsiders, **{k: v for k, v in province_staff.items() if "administrator" not in k}}.items():
        client = client_of(user)
        for url in admin_urls():
            assert client.get(url).status_code in (302, 403), f"{actor_name}: {url}"
    administrator = client_of(province_staff["administrator of the province"])
    for url in admin_urls():
        assert administrator.get(url).status_code == 200, url


def test_the_api_answers_404_for_rejang_lebong_to_every_outsider(rejang_lebong_objects, outsiders, client):
    period = rejang_lebong_objects["period"]
    for actor_name, user in outsiders.items():
        _token, key = api_token_create(user=user, name=actor_name)
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
        detail = client.get(reverse("api_agency_indices", kwargs={"period_id": period.pk, "code": "17.02"}), **headers)
        assert detail.status_code == 404, actor_name
        listing = client.get(reverse("api_period_indices", kwargs={"period_id": period.pk}), **headers)
        assert b"17.02" not in listing.content, actor_name


def test_the_administrator_role_is_refused_on_a_regency(kepahiang, province, english):
    from django.core.exceptions import ValidationError

    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        membership_grant(user=user, agency=kepahiang, role=Role.ADMINISTRATOR)
    assert "province" in str(caught.value)
    assert not Membership.objects.filter(user=user).exists()
    assert membership_grant(user=user, agency=province, role=Role.ADMINISTRATOR).role == Role.ADMINISTRATOR


def test_the_admin_membership_form_refuses_the_administrator_role_on_a_regency(administrator, kepahiang, client_of):
    user = UserFactory()
    response = client_of(administrator).post(reverse("admin:agencies_membership_add"), {
        "user": user.pk, "agency": kepahiang.pk, "role": Role.ADMINISTRATOR})
    assert response.status_code == 200
    assert "hanya dapat diberikan pada provinsi" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()
