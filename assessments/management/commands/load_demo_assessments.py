from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from assessments.demo import demo_assessments_load


class Command(BaseCommand):
    help = "Load both frameworks, the 2021 demo period with levels for three regencies, and the published results."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo data is for development: refused with DEBUG off (use --allow-production on a training server).")
        # The demo's notifications stay in the portal (the bell); their e-mails are not printed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for line in demo_assessments_load():
                self.stdout.write(line)
