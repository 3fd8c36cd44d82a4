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


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def notify(*, user_ids, title, body="", url=""):
    """Create an in-app notification for each user and e-mail those who have an address. Queue it
    with ``notify.delay_on_commit`` so that a rolled-back change notifies nobody."""
    from django.conf import settings as django_settings

    from .models import Notification, User

    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    Notification.objects.bulk_create([Notification(user=user, title=title, body=body, url=url) for user in users])
    base = getattr(django_settings, "PORTAL_BASE_URL", "")
    for user in users:
        if user.email:
            send_email.delay(
                subject=title, body=f"{body}\n\n{base}{url}\n\nDiskominfotik Provinsi Bengkulu".strip(), recipients=[user.email]
            )
    return len(users)
