from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.services import DEFAULT_TREE_FILE, agency_tree_load_file


class Command(BaseCommand):
    help = "Load the agency tree (province, regencies/cities, units) from a JSON file. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_TREE_FILE), help="JSON file (default: Provinsi Bengkulu)")

    def handle(self, *args, file, **options):
        try:
            created, updated = agency_tree_load_file(path=file)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{file}: {error}") from None
        except ValidationError as error:
            raise CommandError(f"{file}: {'; '.join(error.messages)}") from None
        self.stdout.write(f"Agencies: {created} created, {updated} updated.")
