import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def generate_report(run_id):
    """Render one report run (idempotent: a run that is not queued is left alone). A render that
    raises sends the run back to the queue with a delay, or fails it after the last attempt."""
    try:
        run = services.report_execute(run_id)
    except Exception as error:
        logger.exception("Report run %s failed to render.", run_id)
        services.report_attempt_failed(run_id, error)
        return None
    return run.pk if run else None


@shared_task
def sweep_reports():
    """Every minute: send runs the broker did not take, re-send lost ones, free those of dead workers."""
    return services.reports_sweep()


@shared_task
def monthly_reports():
    """The 1st of each month, 07:00 WIB: the province summary and each regency's report."""
    return services.monthly_batch()


@shared_task
def weekly_index_snapshots():
    """Every week: each agency's indices, for the trend charts."""
    return services.snapshots_take()
