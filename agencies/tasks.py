from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def send_email(*, subject, body, recipients, html_body=None):
    """Send one e-mail (kept for messages queued before the outbox; new e-mail goes through
    ``agencies.services.emails_queue``). A mail server that is down is retried with backoff."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, list(recipients))
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()


@shared_task
def send_outgoing_email(email_id):
    """Send one e-mail of the outbox (idempotent: a sent one is not sent again). A mail server
    that fails is noted on the row; the outbox flush tries again a minute later."""
    from .services import outgoing_email_send

    return outgoing_email_send(email_id=email_id)


@shared_task
def flush_outbox():
    """Every minute: send the e-mails the broker could not take, directly (not via another task)."""
    from .services import outbox_flush

    return outbox_flush()


@shared_task
def purge_personal_logs():
    """Daily: sign-in records and access log entries older than a year are deleted."""
    from .services import personal_logs_purge

    return personal_logs_purge()
