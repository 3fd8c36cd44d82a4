from celery import shared_task


@shared_task
def check_signing_certificate():
    """Daily: warn administrators before the signing certificate expires (documents.services)."""
    from .services import signing_certificate_check

    return signing_certificate_check()
