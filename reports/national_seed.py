"""A national-scale data set for benchmarks and load tests: ~550 agencies (38 provinces with their
regencies and cities), several periods on PermenPANRB 59/2020 (47 indicators), items in every
state with events and revisions, published results and weekly snapshots. Deterministic (seeded).

Written with bulk inserts; never run it against a production database (it refuses to)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, User
from assessments.demo import frameworks_load
from assessments.models import Assessment, AssessmentPeriod, IndicatorAssessment, IndicatorRevision, ItemEvent, PublishedResult
from assessments.scoring import compute
from assessments.selectors import LEVEL_FIELDS, SELF, VERIFIED, variant_levels

from .models import IndexSnapshot

States = IndicatorAssessment.State
PREFIX = "SEED"


def _tree(total_agencies):
    """[(code, name, kind, parent code)] for 38 provinces and their regencies/cities."""
    provinces = [code for code in range(11, 100) if code != 17][: min(38, max(1, total_agencies // 14))]
    per_province = max(1, (total_agencies - len(provinces)) // len(provinces))
    extra = (total_agencies - len(provinces)) - per_province * len(provinces)
    rows = []
    for index, province in enumerate(provinces):
        rows.append((f"{province}", f"Pemerintah Provinsi Uji {province}", Agency.Kind.PROVINCE, None))
        count = per_province + (1 if index < extra else 0)
        for number in range(1, count + 1):
            kind = Agency.Kind.CITY if number > count - 2 and count > 4 else Agency.Kind.REGENCY
            code = f"{province}.{number + (70 if kind == Agency.Kind.CITY else 0):02d}"
            label = "Kota" if kind == Agency.Kind.CITY else "Kabupaten"
            rows.append((code, f"Pemerintah {label} Uji {code}", kind, f"{province}"))
    return rows


@transaction.atomic
def seed_national(*, agencies=550, periods=5, seed=2026, log=print):
    from django.db import connection

    name = str(connection.settings_dict.get("NAME", ""))
    if not settings.DEBUG and not any(word in name for word in ("bench", "test", "memory")):
        raise RuntimeError("seed_national writes ~1 million rows: use a database whose name contains 'bench' (or DEBUG=1).")
    rng = random.Random(seed)
    version = next(load.version for load in frameworks_load() if load.version.framework.code == "PERMENPANRB-59-2020")
    indicators = list(version.nodes.filter(is_indicator=True).order_by("position"))
    framework = version.scoring

    # Agencies (paths computed here: bulk_create bypasses agency_save).
    rows = _tree(agencies)
    existing = set(Agency.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    created_agencies = []
    for code, name, kind, parent in rows:
        if code in existing:
            continue
        path = (f"{parent}/" if parent else "") + f"{code}/"
        created_agencies.append(Agency(code=code, name=name, short_name=name.replace("Pemerintah ", ""), kind=kind, path=path))
    Agency.objects.bulk_create(created_agencies, batch_size=1000)
    by_code = {a.code: a for a in Agency.objects.filter(code__in=[r[0] for r in rows])}
    for code, _name, _kind, parent in rows:
        if parent and by_code[code].parent_id is None:
            by_code[code].parent = by_code[parent]
    Agency.objects.bulk_update([a for a in by_code.values() if a.parent_id], ["parent"], batch_size=1000)
    log(f"agencies: {len(by_code)}")

    # One officer per agency and one reviewer per province (for events and scope).
    users = []
    for code, agency in by_code.items():
        username = f"{PREFIX.lower()}.{code}"
        users.append(User(username=username, full_name=f"Petugas {agency.short_name}", password="!"))
    User.objects.bulk_create(users, batch_size=1000, ignore_conflicts=True)
    user_by_code = {u.username.split(".", 1)[1]: u for u in User.objects.filter(username__startswith=f"{PREFIX.lower()}.")}
    Membership.objects.bulk_create(
        [Membership(user=user_by_code[code], agency=agency,
                    role=Membership.Role.REVIEWER if agency.kind == Agency.Kind.PROVINCE else Membership.Role.OFFICER)
         for code, agency in by_code.items()],
        batch_size=1000, ignore_conflicts=True,
    )

    # Periods: the last one open, the others closed.
    this_year = timezone.localdate().year
    years = list(range(this_year - periods + 1, this_year + 1))
    period_objects = []
    for year in years:
        period, _ = AssessmentPeriod.objects.get_or_create(
            year=year, framework_version=version,
            defaults={"name": f"Penilaian Mandiri SPBE {year} (uji)", "self_assessment_opens": date(year, 2, 1),
                      "self_assessment_closes": date(year, 5, 31), "review_deadline": date(year, 7, 31),
                      "state": AssessmentPeriod.State.OPEN if year == years[-1] else AssessmentPeriod.State.CLOSED},
        )
        period_objects.append(period)

    regional = [a for a in by_code.values()]
    total_items = total_events = 0
    now = timezone.now()
    for period_number, period in enumerate(period_objects):
        Assessment.objects.bulk_create([Assessment(period=period, agency=a) for a in regional], batch_size=1000, ignore_conflicts=True)
        assessments = {a.agency_id: a for a in Assessment.objects.filter(period=period, agency__in=regional)}
        if IndicatorAssessment.objects.filter(assessment__period=period, assessment__agency__in=regional).exists():
            continue
        items = []
        for agency in regional:
            base = 1 + rng.random() * 2 + period_number * 0.3
            for indicator in indicators:
                level = max(1, min(5, round(base + rng.uniform(-1, 1))))
                roll = rng.random()
                state = (States.ACCEPTED if roll < 0.5 else States.SUBMITTED if roll < 0.65 else States.RETURNED if roll < 0.72
                         else States.DRAFT if roll < 0.85 else States.NOT_STARTED)
                if period.state == AssessmentPeriod.State.CLOSED:
                    state = States.ACCEPTED if roll < 0.85 else States.RETURNED
                verified = max(1, level - (1 if rng.random() < 0.3 else 0)) if state == States.ACCEPTED else None
                items.append(IndicatorAssessment(
                    assessment=assessments[agency.pk], indicator=indicator, state=state,
                    level=None if state == States.NOT_STARTED else level,
                    verified_level=verified, accepted_levels=list(range(1, verified + 1)) if verified else [],
                    target_level=min(5, level + 1), justification="Data uji skala nasional.",
                    revision=2 if state == States.RETURNED else 1,
                    submitted_at=now - timedelta(days=rng.randint(1, 60)) if state == States.SUBMITTED else None,
                ))
        IndicatorAssessment.objects.bulk_create(items, batch_size=5000)
        total_items += len(items)
        created = IndicatorAssessment.objects.filter(assessment__period=period, assessment__agency__in=regional).exclude(
            state=States.NOT_STARTED).values_list("pk", "state", "assessment__agency__code", "revision")
        events, revisions = [], []
        for pk, state, code, revision in created:
            actor = user_by_code[code]
            events.append(ItemEvent(item_id=pk, actor=actor, action="saved", from_state="not_started", to_state="draft", revision=1))
            if state != States.DRAFT:
                events.append(ItemEvent(item_id=pk, actor=actor, action="submitted", from_state="draft", to_state="submitted", revision=revision))
            if state in (States.ACCEPTED, States.RETURNED):
                events.append(ItemEvent(item_id=pk, actor=None, action=state, from_state="submitted", to_state=state, revision=revision,
                                        note="Catatan reviu uji." if state == States.RETURNED else ""))
            if revision == 2:
                revisions.append(IndicatorRevision(item_id=pk, number=1, state=States.RETURNED, level=1, justification="Revisi uji."))
        ItemEvent.objects.bulk_create(events, batch_size=5000)
        IndicatorRevision.objects.bulk_create(revisions, batch_size=5000)
        total_events += len(events)
        log(f"{period}: {len(items)} items, {len(events)} events")

    from assessments.services import summaries_rebuild

    for period in period_objects:
        summaries_rebuild(period=period)

    # Published results and weekly snapshots of the open period.
    published = []
    for year in years[:-1]:
        for agency in regional:
            published.append(PublishedResult(agency=agency, year=year, framework_version=version,
                                              index=Decimal(f"{1 + rng.random() * 3:.2f}"), source="Data uji"))
    PublishedResult.objects.bulk_create(published, batch_size=5000, ignore_conflicts=True)
    open_period = period_objects[-1]
    level_rows = IndicatorAssessment.objects.filter(assessment__period=open_period, assessment__agency__in=regional).values_list(
        "assessment__agency_id", *LEVEL_FIELDS)
    rows_of = {}
    for agency_id, *row in level_rows:
        rows_of.setdefault(agency_id, []).append(row)
    by_agency = {}
    for agency_id, rows in rows_of.items():
        variants = variant_levels(rows, framework)
        by_agency[agency_id] = (variants[SELF], variants[VERIFIED])
    snapshots = []
    for agency_id, (own, verified) in by_agency.items():
        own_index, verified_index = compute(framework, own).index, compute(framework, verified).index
        for week in range(8):
            drift = Decimal(week) * Decimal("0.02")
            snapshots.append(IndexSnapshot(agency_id=agency_id, period=open_period, taken_on=timezone.localdate() - timedelta(weeks=8 - week),
                                           self_index=max(Decimal("1.00"), own_index - Decimal("0.16") + drift),
                                           verified_index=max(Decimal("1.00"), verified_index - Decimal("0.16") + drift)))
    IndexSnapshot.objects.bulk_create(snapshots, batch_size=5000, ignore_conflicts=True)
    log(f"items: {total_items}, events: {total_events}, published results: {len(published)}, snapshots: {len(snapshots)}")
    from django.db import connection

    if connection.vendor == "postgresql":
        transaction.on_commit(lambda: connection.cursor().execute("ANALYZE"))  # fresh planner statistics after bulk loads
    return {"agencies": len(by_code), "items": total_items, "events": total_events}
