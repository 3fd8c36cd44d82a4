from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, demo_accounts_load


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) with a shared, printed password. Development only."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true", help="Run even with DEBUG off (a training server).")

    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo accounts have a published password: refused with DEBUG off (use --allow-production on a training server).")
        rows = demo_accounts_load()
        width = max(len(row[0]) for row in rows)
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for username, role, agency in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {agency}")
        if settings.SECOND_FACTOR_REQUIRED_ROLES:
            self.stdout.write(
                f"Roles {', '.join(settings.SECOND_FACTOR_REQUIRED_ROLES)} set up two-step sign-in (an authenticator app) at their"
                " first sign-in; SECOND_FACTOR_REQUIRED_ROLES=none in .env skips that on a development machine."
            )
        self.stdout.write("")
