"""Shared by export_levels and export_indices."""

import sys

from django.core.management.base import BaseCommand, CommandError

from agencies.access import SYSTEM
from assessments.exports import export
from assessments.models import AssessmentPeriod


class ExportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--framework", help="framework code, e.g. PERMENPANRB-59-2020 (needed when a year has two periods)")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from --output's extension, else csv")
        parser.add_argument("--output", default="-", help="file to write, or - for standard output (default)")

    def handle(self, *args, year, framework, format, output, **options):
        periods = AssessmentPeriod.objects.filter(year=year).select_related("framework_version__framework")
        if framework:
            periods = periods.filter(framework_version__framework__code=framework)
        periods = list(periods)
        if not periods:
            raise CommandError(f"No assessment period for {year}" + (f" on {framework}." if framework else "."))
        if len(periods) > 1:
            codes = ", ".join(p.framework_version.framework.code for p in periods)
            raise CommandError(f"{year} has periods on several frameworks ({codes}): choose one with --framework.")
        file_format = format or ("xlsx" if output.endswith(".xlsx") else "csv")
        if file_format == "xlsx" and output == "-" and sys.stdout.isatty():
            raise CommandError("An Excel file on a terminal is unreadable: use --output FILE.xlsx.")
        content = export(kind=self.kind, file_format=file_format, period=periods[0], user=SYSTEM)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"Wrote {output} ({len(content)} bytes).")
