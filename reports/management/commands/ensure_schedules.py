from django.core.management.base import BaseCommand

from reports.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Create the default periodic tasks (monthly reports, weekly snapshots, daily reminders, the report sweep) if missing."

    def handle(self, *args, **options):
        self.stdout.write(f"Schedules: {ensure_schedules()} created.")
