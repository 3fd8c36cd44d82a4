from celery import shared_task

from .services import review_digests_send


@shared_task
def send_review_digests():
    """Daily: each reviewer who chose the digest gets one e-mail and notification listing the new
    submissions in their scope. Running twice on a day sends nothing more (a unique row per person
    and day, see services.digests)."""
    return review_digests_send()
