"""Shared fixtures: the Bengkulu agency tree and named actors, one per role.

Tasks run eagerly in tests (Celery's own ``task_always_eager``), except where a test starts a real
worker over Redis (tests/test_celery_worker.py).
"""

import pytest
from django.core.management import call_command
from django.test import Client

from agencies.models import Agency, Membership
from agencies.services import agency_tree_load_file
from spbe_portal.celery import app as celery_app

from .factories import MembershipFactory, UserFactory

PASSWORD = "Rahasia-Kuat-2026"
Role = Membership.Role


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Pages are rendered with the production static storage (hashed names from a manifest)."""
    call_command("collectstatic", interactive=False, verbosity=0)


TEST_SIGNING_PASSPHRASE = "test-signing-passphrase"


@pytest.fixture(scope="session")
def test_signing_certificate(tmp_path_factory):
    """A self-signed PKCS#12 for the whole run (the demo-certificate function), which every report
    and final minutes are signed with."""
    from documents.certificates import self_signed_pkcs12

    return self_signed_pkcs12(tmp_path_factory.mktemp("signing") / "test-office.p12", passphrase=TEST_SIGNING_PASSPHRASE,
                              common_name="Diskominfotik Provinsi Bengkulu (TEST)")


@pytest.fixture(autouse=True)
def documents_signed_with_the_test_certificate(settings, test_signing_certificate):
    settings.DOCUMENT_SIGNER = "documents.signing.Pkcs12Signer"
    settings.SIGNING_PKCS12_PATH = str(test_signing_certificate)
    settings.SIGNING_PKCS12_PASSPHRASE = TEST_SIGNING_PASSPHRASE
    settings.SIGNING_TRUST_ROOTS = []
    if not settings.PORTAL_BASE_URL:
        settings.PORTAL_BASE_URL = "https://spbe.test"


@pytest.fixture(autouse=True)
def private_media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def second_factor_not_required(settings):
    """Production requires two-step sign-in of administrators and reviewers; the tests sign them
    in with force_login or a password alone unless a test asks for it (tests/agencies/test_second_factor.py)."""
    settings.SECOND_FACTOR_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def celery_tasks_run_inline():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def bengkulu(db):
    """The province, its ten regencies and city, and example units, keyed by short code."""
    agency_tree_load_file()
    return {agency.code: agency for agency in Agency.objects.all()}


@pytest.fixture
def province(bengkulu):
    return bengkulu["17"]


@pytest.fixture
def rejang_lebong(bengkulu):
    return bengkulu["17.02"]


@pytest.fixture
def kepahiang(bengkulu):
    return bengkulu["17.08"]


@pytest.fixture
def lebong(bengkulu):
    return bengkulu["17.07"]


def _person(agency, role, username, full_name):
    return MembershipFactory(
        agency=agency, role=role, user=UserFactory(username=username, full_name=full_name)
    ).user


@pytest.fixture
def administrator(province):
    return _person(province, Role.ADMINISTRATOR, "admin.prov", "Admin Provinsi")


@pytest.fixture
def provincial_reviewer(province):
    return _person(province, Role.REVIEWER, "reviewer.prov", "Reviewer Provinsi")


@pytest.fixture
def rejang_lebong_officer(rejang_lebong):
    return _person(rejang_lebong, Role.OFFICER, "officer.rl", "Operator Rejang Lebong")


@pytest.fixture
def kepahiang_officer(kepahiang):
    return _person(kepahiang, Role.OFFICER, "officer.kph", "Operator Kepahiang")


@pytest.fixture
def lebong_officer(lebong):
    return _person(lebong, Role.OFFICER, "officer.lbg", "Operator Lebong")


@pytest.fixture
def rejang_lebong_leadership(rejang_lebong):
    return _person(rejang_lebong, Role.LEADERSHIP, "bupati.rl", "Bupati Rejang Lebong")


@pytest.fixture
def client_of():
    """client_of(user) → a test client logged in as ``user``."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def frameworks(db):
    """Both bundled frameworks, loaded: {code: FrameworkVersion}."""
    from assessments.demo import frameworks_load

    return {load.version.framework.code: load.version for load in frameworks_load()}


@pytest.fixture
def spbe_2021(frameworks, bengkulu):
    """The demo 2021 period (closed) with reviewed levels and evidence for Rejang Lebong, Kepahiang
    and Lebong (submitted and accepted by the demo accounts, which it loads)."""
    from agencies.demo import demo_accounts_load
    from assessments.demo import period_2021_load

    demo_accounts_load()

    period, _created = period_2021_load(frameworks["PERMENPANRB-59-2020"])
    return period


@pytest.fixture
def open_period(frameworks, bengkulu):
    """An open 2025 period on PermenPANRB 59/2020 with empty assessments for the three regencies."""
    from datetime import date

    from assessments.services import assessment_get_or_create, period_create

    period = period_create(
        name="Penilaian Mandiri SPBE 2025", year=2025, framework_version=frameworks["PERMENPANRB-59-2020"],
        opens=date(2025, 2, 1), closes=date(2025, 4, 30), review_deadline=date(2025, 6, 30), state="open",
    )
    for code in ("17.02", "17.07", "17.08"):
        assessment_get_or_create(period=period, agency=bengkulu[code])
    return period


@pytest.fixture
def english():
    """Messages in English, for tests that read the exact wording of an error."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on loopback for the session (tests/oidc_provider.py)."""
    from .oidc_provider import RunningProvider

    provider = RunningProvider()
    yield provider
    provider.stop()


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """Single sign-on configured against the test provider, as the portal's confidential client."""
    from .oidc_provider import PORTAL_CLIENT, SCOPES

    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = PORTAL_CLIENT
    settings.OIDC_SCOPES = SCOPES
    settings.OIDC_PROVIDER_NAME = "SSO ASN"
    # As spbe_portal/settings.py does for a configured provider: the sign-out form may end at its sign-out page.
    directives = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "form-action": ["'self'", oidc_provider.issuer]}
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "DIRECTIVES": directives}
    return settings
