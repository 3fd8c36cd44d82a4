"""Create the self-signed DEMO signing certificate of a development checkout (`make run` calls it).

With a certificate configured (SIGNING_PKCS12_PATH pointing elsewhere than the demo file) it does
nothing. With DEBUG off it refuses unless told --allow-production (a training server, or CI):
production never signs with a demo certificate by accident."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.certificates import DEMO_OFFICE, DEMO_PASSPHRASE, self_signed_pkcs12

BANNER = "!" * 78


class Command(BaseCommand):
    help = "Create a self-signed DEMO signing certificate under VAR_DIR when none is configured. Development only."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true",
                            help="Run even with DEBUG off (a training server, CI); the certificate is still a demo.")
        parser.add_argument("--path", help="Write it here instead of VAR_DIR/signing/ (then point SIGNING_PKCS12_PATH at it).")
        parser.add_argument("--passphrase", default=DEMO_PASSPHRASE, help="Passphrase of the new file (default: the published demo one).")

    def handle(self, *args, allow_production, path, passphrase, **options):
        demo_path = Path(path) if path else Path(settings.SIGNING_DEMO_PKCS12_PATH)
        configured = settings.SIGNING_PKCS12_PATH
        if not path and configured and Path(configured) != demo_path:
            self.stdout.write(f"Signing certificate configured: {configured} (no demo certificate needed).")
            return
        if not settings.DEBUG and not allow_production:
            raise CommandError("A demo signing certificate is refused with DEBUG off: configure the office's certificate "
                               "(SIGNING_PKCS12_PATH, SIGNING_PKCS12_PASSPHRASE; docs/deployment.md), or use "
                               "--allow-production on a training server.")
        if demo_path.exists() and not path and self._still_valid(demo_path, passphrase):
            self._warn(demo_path, created=False)
            return
        self_signed_pkcs12(demo_path, passphrase=passphrase, common_name=DEMO_OFFICE)
        self._warn(demo_path, created=True)

    def _still_valid(self, demo_path, passphrase):
        from cryptography.hazmat.primitives.serialization import pkcs12

        try:
            _key, certificate, _others = pkcs12.load_key_and_certificates(demo_path.read_bytes(), passphrase.encode("utf-8"))
        except ValueError:
            return False
        return certificate.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)

    def _warn(self, demo_path, *, created):
        self.stdout.write(self.style.WARNING(BANNER))
        self.stdout.write(self.style.WARNING(
            ("Created a DEMO signing certificate: " if created else "Signing with the DEMO certificate: ") + str(demo_path)))
        self.stdout.write(self.style.WARNING(f"  Subject: {DEMO_OFFICE}"))
        self.stdout.write(self.style.WARNING("  Self-signed, with a published passphrase: documents signed with it are NOT legally valid."))
        self.stdout.write(self.style.WARNING("  A server signs with the office's certificate: SIGNING_PKCS12_PATH and"))
        self.stdout.write(self.style.WARNING("  SIGNING_PKCS12_PASSPHRASE (docs/deployment.md, \"Signed documents\")."))
        self.stdout.write(self.style.WARNING(BANNER))
