from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.published_results import PublishedResultsError, read_table, validate_rows
from assessments.services import CorrectionError, published_results_correct, published_results_save


class Command(BaseCommand):
    help = (
        "Import the national evaluation's published results from CSV or Excel (.xlsx): columns agency_code "
        "(or nama_instansi), year (or --year), index, optional predikat, source and one column per indicator "
        "code. All rows or none. With --correct and --reason, corrects results already imported instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument("--year", type=int, help="the year of every row, when the file has no year column")
        parser.add_argument("--correct", action="store_true", help="correct results already imported (needs --reason)")
        parser.add_argument("--reason", default="", help="why the results are corrected (recorded with each correction)")

    def handle(self, *args, file, dry_run, year, correct, reason, **options):
        path = Path(file)
        if correct and not reason.strip():
            raise CommandError("--correct needs --reason: say why the published results are corrected.")
        try:
            rows = validate_rows(read_table(path.read_bytes(), path.name), year=year, correct=correct)
        except OSError as error:
            raise CommandError(f"{path}: {error}") from None
        except PublishedResultsError as error:
            raise CommandError(f"{path}: refused, nothing was imported:\n  " + "\n  ".join(error.lines())) from None
        if dry_run:
            self.stdout.write(f"{path.name}: {len(rows)} rows are valid (dry run: nothing written).")
            return
        if correct:
            try:
                events = published_results_correct(rows=rows, reason=reason, actor=None)
            except CorrectionError as error:
                raise CommandError(f"{path}: refused, nothing was corrected: {error}") from None
            self.stdout.write(f"{path.name}: {len(events)} published results corrected ({len(rows) - len(events)} unchanged).")
            return
        published_results_save(rows=rows)
        self.stdout.write(f"{path.name}: {len(rows)} published results imported.")
