from django.core.management.base import BaseCommand, CommandError

from reports.national_seed import seed_national


class Command(BaseCommand):
    help = (
        "Seed a national-scale data set (~550 agencies x 47 indicators x N periods, with events, revisions, "
        "published results and snapshots) for benchmarks. Refuses a database whose name lacks 'bench' unless DEBUG=1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=550)
        parser.add_argument("--periods", type=int, default=5)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, agencies, periods, seed, **options):
        try:
            seed_national(agencies=agencies, periods=periods, seed=seed, log=self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
