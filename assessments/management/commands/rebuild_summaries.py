from django.core.management.base import BaseCommand

from assessments.models import AssessmentPeriod
from assessments.services import summaries_rebuild


class Command(BaseCommand):
    help = "Recompute every assessment summary (the engine's numbers that list pages read) from the items."

    def handle(self, *args, **options):
        for period in AssessmentPeriod.objects.select_related("framework_version").order_by("year"):
            self.stdout.write(f"{period}: {summaries_rebuild(period=period)} summaries")
