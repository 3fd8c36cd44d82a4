from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.framework_files import FrameworkFileError, bundled_files
from assessments.services import framework_load


class Command(BaseCommand):
    help = "Validate and load framework files (YAML or JSON). Without FILE: every file in assessments/frameworks/."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="framework files")

    def handle(self, *args, files, **options):
        paths = [Path(name) for name in files] or bundled_files()
        failed = []
        for path in paths:
            try:
                load = framework_load(text=path.read_text(encoding="utf-8"), name=path.name)
            except OSError as error:
                failed.append(f"{path}: {error}")
            except FrameworkFileError as error:
                failed.append(f"{path}: refused, nothing was loaded:\n  " + "\n  ".join(error.errors))
            else:
                self.stdout.write(f"{path.name}: {load.message}")
        if failed:
            raise CommandError("\n".join(failed))
