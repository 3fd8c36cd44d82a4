import pytest
from django.db import connection

from tests.services import require_service


@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_services_are_required():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIMEZONE")
        assert cursor.fetchone()[0] == "UTC"  # Django stores UTC; pages show WIB
