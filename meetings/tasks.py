from celery import shared_task

from .services import reminders_send


@shared_task
def send_follow_up_reminders():
    """Daily: remind owners of follow-ups due within 7 days, and owners and the province of overdue
    ones. Running twice on a day sends nothing more (see services.reminders_send)."""
    return reminders_send()
