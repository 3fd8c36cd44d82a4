from celery import shared_task

from .services import review_digests_send, stage_reminders_send


@shared_task
def send_review_digests():
    """Daily: each reviewer who chose the digest gets one e-mail and notification listing the new
    submissions in their scope. Running twice on a day sends nothing more (a unique row per person
    and day, see services.digests)."""
    return review_digests_send()


@shared_task
def send_stage_reminders():
    """Daily: whoever still has work before the current stage of a period ends (within
    STAGE_REMINDER_DAYS days) gets one reminder. Running twice on a day sends nothing more (a
    unique row per person, day and kind, see services.stage_reminders)."""
    return stage_reminders_send()
