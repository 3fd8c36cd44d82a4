"""The weekly workflow: officers update and submit, reviewers accept level by level or return
with a note; every change is an event; concurrent changes are refused, never overwritten."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Notification
from assessments.models import IndicatorAssessment, IndicatorRevision, ItemEvent
from assessments.services import (
    ConcurrentChange,
    evidence_add,
    evidence_remove,
    item_open_revision,
    item_review,
    item_save,
    item_submit,
    levels_without_evidence,
    period_transition,
    verified_level_from,
)
from tests.assessments.helpers import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
State = IndicatorAssessment.State


@pytest.fixture
def item(open_period, lebong):
    return IndicatorAssessment.objects.get(assessment__period=open_period, assessment__agency=lebong, indicator__code="1")


def draft(item, officer, level=2, justification="Perbup sudah ditetapkan."):
    return item_save(item=item, actor=officer, expected_version=item.version, level=level, justification=justification, target_level=3)


def with_evidence(item, officer, *levels):
    for level in levels:
        evidence_add(item=item, actor=officer, expected_version=item.version, level=level, upload=pdf_upload(f"bukti-{level}.pdf"))
        item.refresh_from_db()
    return item


def submitted(item, officer, level=2):
    item = with_evidence(draft(item, officer, level), officer, *range(1, level + 1))
    return item_submit(item=item, actor=officer, expected_version=item.version)


def actions(item):
    return list(item.events.order_by("at", "pk").values_list("action", "from_state", "to_state"))


def test_officer_saves_a_draft_and_every_change_is_an_event(item, lebong_officer):
    item = draft(item, lebong_officer)
    assert item.state == State.DRAFT and item.level == 2 and item.target_level == 3
    assert actions(item) == [("saved", "not_started", "draft")]
    assert item.events.get().actor == lebong_officer


def test_submitting_needs_a_level_a_justification_and_evidence(item, lebong_officer):
    item = draft(item, lebong_officer, justification="")
    with pytest.raises(ValidationError) as caught:
        item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    assert "justification" in str(caught.value) and "evidence" in str(caught.value)
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_submission_reaches_the_reviewers_after_commit(item, lebong_officer, provincial_reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = submitted(item, lebong_officer)
    assert item.state == State.SUBMITTED and item.submitted_at is not None
    notification = Notification.objects.get(user=provincial_reviewer)
    assert "Lebong" in notification.title and notification.url.endswith("/17.07/1/")


def test_a_rolled_back_submission_notifies_nobody(item, lebong_officer, provincial_reviewer, django_capture_on_commit_callbacks):
    from django.db import transaction

    item = with_evidence(draft(item, lebong_officer), lebong_officer, 1, 2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            item_submit(item=item, actor=lebong_officer, expected_version=item.version)
            raise RuntimeError("a later step of the same change failed")
    assert callbacks == []  # no e-mail queued
    assert not Notification.objects.exists()
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_returning_needs_a_note_and_the_officer_sees_it(item, lebong_officer, provincial_reviewer, django_capture_on_commit_callbacks):
    item = submitted(item, lebong_officer)
    with pytest.raises(ValidationError):
        item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="return", accepted_levels=[], note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="return",
                           accepted_levels=[1], note="SK belum ditandatangani.")
    assert item.state == State.RETURNED and item.review_note == "SK belum ditandatangani."
    assert item.verified_level == 1
    assert Notification.objects.get(user=lebong_officer).body == "SK belum ditandatangani."
    assert actions(item)[-1] == ("returned", "submitted", "returned")


def test_a_returned_item_changed_by_the_officer_is_a_new_revision_and_goes_back_to_the_queue(item, lebong_officer, provincial_reviewer):
    item = submitted(item, lebong_officer)
    item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="return", accepted_levels=[], note="Kurang bukti")
    item = with_evidence(item, lebong_officer, 2)
    assert item.state == State.DRAFT and item.revision == 2
    revision = IndicatorRevision.objects.get(item=item)
    assert (revision.number, revision.state, revision.review_note, len(revision.evidence)) == (1, "returned", "Kurang bukti", 2)
    item = item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    assert item.state == State.SUBMITTED and item.review_note == ""


@pytest.mark.parametrize(("accepted", "verified"), [([1, 2, 3], 3), ([1, 2], 2), ([1, 3], 1), ([2, 3], None), ([], None)])
def test_the_verified_level_is_the_highest_level_with_all_lower_levels_accepted(accepted, verified):
    assert verified_level_from(accepted) == verified


def test_reviewer_accepts_level_by_level_and_the_item_locks(item, lebong_officer, provincial_reviewer):
    item = submitted(item, lebong_officer, level=3)
    with pytest.raises(ValidationError):
        item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[2, 3])
    with pytest.raises(ValidationError):
        item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 4])
    item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 2])
    assert (item.state, item.verified_level, item.accepted_levels) == (State.ACCEPTED, 2, [1, 2])
    with pytest.raises(ValidationError, match="new revision"):
        draft(item, lebong_officer, level=4)


def test_a_new_revision_unlocks_an_accepted_item_and_keeps_the_verified_level(item, lebong_officer, provincial_reviewer):
    item = submitted(item, lebong_officer)
    item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 2])
    item = item_open_revision(item=item, actor=lebong_officer, expected_version=item.version)
    assert (item.state, item.revision, item.verified_level) == (State.DRAFT, 2, 2)
    assert actions(item)[-1] == ("revision_opened", "accepted", "draft")


def test_editing_a_submitted_item_takes_it_out_of_the_queue_as_a_new_revision(item, lebong_officer):
    item = submitted(item, lebong_officer)
    item = draft(item, lebong_officer, level=3)
    assert (item.state, item.revision, item.submitted_at) == (State.DRAFT, 2, None)
    assert ItemEvent.objects.filter(item=item, action="saved").order_by("at", "pk").last().note == "Withdrawn from the review queue to be changed."


def test_two_reviewers_at_once_the_second_is_refused_and_nothing_is_overwritten(item, lebong_officer, provincial_reviewer, administrator):
    item = submitted(item, lebong_officer)
    seen_by_both = item.version
    item_review(item=item, actor=provincial_reviewer, expected_version=seen_by_both, decision="accept", accepted_levels=[1, 2])
    with pytest.raises(ConcurrentChange) as caught:
        item_review(item=item, actor=administrator, expected_version=seen_by_both, decision="return", accepted_levels=[], note="Tidak")
    assert "Reviewer Provinsi" in str(caught.value)
    item.refresh_from_db()
    assert (item.state, item.verified_level, item.review_note) == (State.ACCEPTED, 2, "")


def test_officer_edit_and_review_at_once_the_later_one_is_refused(item, lebong_officer, provincial_reviewer):
    item = submitted(item, lebong_officer)
    seen = item.version
    draft(item, lebong_officer, level=1)  # the officer withdraws and changes it
    with pytest.raises(ConcurrentChange):
        item_review(item=item, actor=provincial_reviewer, expected_version=seen, decision="accept", accepted_levels=[1, 2])
    item.refresh_from_db()
    assert (item.state, item.level, item.verified_level) == (State.DRAFT, 1, None)


def test_roles_are_enforced_by_the_services(item, lebong_officer, kepahiang_officer, provincial_reviewer, administrator):
    with pytest.raises(PermissionDenied):
        draft(item, kepahiang_officer)
    with pytest.raises(PermissionDenied):
        draft(item, provincial_reviewer)
    item = submitted(item, lebong_officer)
    with pytest.raises(PermissionDenied):
        item_review(item=item, actor=lebong_officer, expected_version=item.version, decision="accept", accepted_levels=[1])


def test_a_closed_period_refuses_every_change(item, lebong_officer, administrator):
    period = item.assessment.period
    period_transition(period=period, to_state="review", actor=administrator)
    period_transition(period=period, to_state="closed", actor=administrator)
    with pytest.raises(ValidationError, match="closed"):
        draft(item, lebong_officer)


def test_claiming_a_level_needs_evidence_for_every_level_up_to_it(item, lebong_officer, provincial_reviewer):
    item = with_evidence(draft(item, lebong_officer, level=2), lebong_officer, 2)
    with pytest.raises(ValidationError, match="evidence for level 1"):
        item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    item = with_evidence(item, lebong_officer, 1)
    item = item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    # Whatever was submitted, the reviewer can accept any level up to the claim without a return.
    item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1])
    assert (item.state, item.verified_level) == (State.ACCEPTED, 1)


def test_levels_without_evidence_are_every_level_up_to_the_claim_that_has_none():
    assert levels_without_evidence(level=3, evidence_levels=[2, 2, 5]) == [1, 3]
    assert levels_without_evidence(level=2, evidence_levels=[1, 2]) == []
    assert levels_without_evidence(level=None, evidence_levels=[]) == []


def test_a_reviewer_cannot_accept_a_level_while_a_lower_one_is_not(item, lebong_officer, provincial_reviewer):
    item = submitted(item, lebong_officer, level=3)
    with pytest.raises(ValidationError, match="Level 3 cannot be accepted while level 2 is not"):
        item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 3])
    with pytest.raises(ValidationError, match="while level 1 is not"):
        item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="return", accepted_levels=[2], note="x")
    item.refresh_from_db()
    assert (item.state, item.verified_level) == (State.SUBMITTED, None)
    item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 2])
    assert (item.verified_level, item.accepted_levels) == (2, [1, 2])


def verified_at(item, officer, reviewer, level):
    """An item claimed and accepted at ``level``, then opened for a new revision (a draft)."""
    item = submitted(item, officer, level=level)
    item = item_review(item=item, actor=reviewer, expected_version=item.version, decision="accept",
                       accepted_levels=list(range(1, level + 1)))
    return item_open_revision(item=item, actor=officer, expected_version=item.version)


def test_a_verified_level_drops_with_its_evidence(item, lebong_officer, provincial_reviewer):
    from assessments.models import AssessmentSummary
    from assessments.selectors import VERIFIED, variant_levels
    from assessments.scoring import compute

    item = verified_at(item, lebong_officer, provincial_reviewer, 3)
    assert item.verified_level == 3
    level_2 = item.evidence.get(level=2)
    item = evidence_remove(evidence=level_2, actor=lebong_officer, expected_version=item.version)
    item.refresh_from_db()
    assert (item.verified_level, item.accepted_levels, item.level) == (1, [1, 3], 3)
    event = item.events.get(action=ItemEvent.Action.VERIFIED_LOWERED)
    assert event.actor == lebong_officer and "3 → 1" in event.note and "level 2" in event.note
    rows = IndicatorAssessment.objects.filter(assessment=item.assessment).values_list(
        "indicator__code", "level", "verified_level", "target_level")
    framework = item.assessment.period.framework_version.scoring
    expected = compute(framework, variant_levels(rows)[VERIFIED]).index
    assert AssessmentSummary.objects.get(assessment=item.assessment).verified_index == expected


def test_evidence_added_after_the_review_does_not_keep_a_level_verified(item, lebong_officer, provincial_reviewer):
    item = verified_at(item, lebong_officer, provincial_reviewer, 2)
    item = with_evidence(item, lebong_officer, 2)  # not seen by the province
    reviewed = item.evidence.filter(level=2).order_by("uploaded_at", "pk").first()
    item = evidence_remove(evidence=reviewed, actor=lebong_officer, expected_version=item.version)
    item.refresh_from_db()
    assert item.verified_level == 1


def test_removing_evidence_above_the_verified_level_keeps_it(item, lebong_officer, provincial_reviewer):
    item = submitted(item, lebong_officer, level=3)
    item = item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 2])
    item = item_open_revision(item=item, actor=lebong_officer, expected_version=item.version)
    item = evidence_remove(evidence=item.evidence.get(level=3), actor=lebong_officer, expected_version=item.version)
    item.refresh_from_db()
    assert item.verified_level == 2
    assert not item.events.filter(action=ItemEvent.Action.VERIFIED_LOWERED).exists()


def test_lowering_the_claim_lowers_the_verified_level(item, lebong_officer, provincial_reviewer):
    item = verified_at(item, lebong_officer, provincial_reviewer, 4)
    item = draft(item, lebong_officer, level=2)
    item.refresh_from_db()
    assert (item.level, item.verified_level, item.accepted_levels) == (2, 2, [1, 2])
    event = item.events.get(action=ItemEvent.Action.VERIFIED_LOWERED)
    assert event.actor == lebong_officer and "4 → 2" in event.note


def test_raising_the_claim_keeps_the_verified_level(item, lebong_officer, provincial_reviewer):
    item = verified_at(item, lebong_officer, provincial_reviewer, 2)
    item = with_evidence(draft(item, lebong_officer, level=4), lebong_officer, 3, 4)
    item.refresh_from_db()
    assert (item.level, item.verified_level, item.accepted_levels) == (4, 2, [1, 2])
    assert not item.events.filter(action="verified_lowered").exists()
