from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.published_results import PublishedResultsError, read_table, validate_rows
from assessments.services import published_results_save


class Command(BaseCommand):
    help = (
        "Import the national evaluation's published results from CSV or Excel (.xlsx): columns agency_code, "
        "year, index, optional source and one column per indicator code. All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            rows = validate_rows(read_table(path.read_bytes(), path.name))
        except OSError as error:
            raise CommandError(f"{path}: {error}") from None
        except PublishedResultsError as error:
            raise CommandError(f"{path}: refused, nothing was imported:\n  " + "\n  ".join(error.lines())) from None
        if dry_run:
            self.stdout.write(f"{path.name}: {len(rows)} rows are valid (dry run: nothing written).")
            return
        published_results_save(rows=rows)
        self.stdout.write(f"{path.name}: {len(rows)} published results imported.")
