from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from meetings.demo import demo_meetings_load


class Command(BaseCommand):
    help = "Load the demo control meetings (the 10 June 2021 meeting of the seed article, and an upcoming one)."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo data is for development: refused with DEBUG off (use --allow-production on a training server).")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for line in demo_meetings_load():
                self.stdout.write(line)
