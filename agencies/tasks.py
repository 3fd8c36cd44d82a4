from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def send_email(*, subject, body, recipients, html_body=None):
    """Send one e-mail. Queued after the transaction commits (``send_email.delay_on_commit``), so
    a rolled-back change sends nothing; a mail server that is down is retried with backoff."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, list(recipients))
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
