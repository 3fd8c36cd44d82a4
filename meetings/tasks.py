import logging

from celery import shared_task

from . import services
from .services import reminders_send

logger = logging.getLogger(__name__)


@shared_task
def send_follow_up_reminders():
    """Daily: remind owners of follow-ups due within 7 days, and owners and the province of overdue
    ones. Running twice on a day sends nothing more (see services.reminders_send)."""
    return reminders_send()


@shared_task(acks_late=True)
def render_minutes(render_id):
    """Render one minutes PDF (an edition of the final minutes, or a draft); idempotent: a rendering
    that is not queued is left alone. One that raises goes back to the queue with a delay, or fails
    after the last attempt."""
    try:
        render = services.minutes_render_execute(render_id)
    except Exception as error:
        logger.exception("Minutes rendering %s failed.", render_id)
        services.minutes_render_failed(render_id, error)
        return None
    return render.pk if render else None


@shared_task
def sweep_minutes():
    """Every minute: send renderings the broker did not take, re-send lost ones, free dead workers' ones."""
    return services.minutes_sweep()
