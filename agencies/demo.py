"""Demo accounts for `make run`: one per role, on the demo regencies. Never for production."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .models import Agency, Membership, User
from .services import membership_grant, user_create

DEMO_PASSWORD = "Bengkulu-SPBE-2026"

Role = Membership.Role

# username, full name, position, agency code, role, superuser
DEMO_ACCOUNTS = [
    ("admin", "Admin Portal SPBE", "Pranata Komputer, Diskominfotik Provinsi Bengkulu", "17", Role.ADMINISTRATOR, True),
    ("reviewer.provinsi", "Rahmat Hidayat", "Analis SPBE, Diskominfotik Provinsi Bengkulu", "17", Role.REVIEWER, False),
    ("operator.rejanglebong", "Siti Aminah", "Operator SPBE, Dinas Kominfo Kabupaten Rejang Lebong", "17.02", Role.OFFICER, False),
    ("operator.kepahiang", "Dedi Saputra", "Operator SPBE, Dinas Kominfo Kabupaten Kepahiang", "17.08", Role.OFFICER, False),
    ("operator.lebong", "Yuliana Putri", "Operator SPBE, Dinas Kominfo Kabupaten Lebong", "17.07", Role.OFFICER, False),
    ("pimpinan.rejanglebong", "Bupati Rejang Lebong", "Bupati Rejang Lebong", "17.02", Role.LEADERSHIP, False),
]


@transaction.atomic
def demo_accounts_load():
    """Create the demo accounts (idempotent); returns rows of (username, role label, agency)."""
    validate_password(DEMO_PASSWORD)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[row[3] for row in DEMO_ACCOUNTS])}
    rows = []
    for username, full_name, position, code, role, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                full_name=full_name,
                position=position,
                email=f"{username}@spbe.bengkuluprov.go.id",
                password=DEMO_PASSWORD,
                is_superuser=superuser,
            )
        membership_grant(user=user, agency=agencies[code], role=role)
        rows.append((username, Role(role).label, agencies[code].short_name))
    return rows
