"""How many indicators each variant of a summary counts without a level of their own, and how many
the framework has, so that every surface can say "x of n indicators assessed" beside each index."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    summary_model = apps.get_model("assessments", "AssessmentSummary")
    item_model = apps.get_model("assessments", "IndicatorAssessment")
    without = {
        "verified_unassessed": Q(verified_level__isnull=True),
        "planned_unassessed": Q(target_level__isnull=True, level__isnull=True),
    }
    for field, condition in without.items():
        count = (
            item_model.objects.filter(condition, assessment=OuterRef("assessment"))
            .order_by().values("assessment").annotate(n=Count("pk")).values("n")
        )
        summary_model.objects.update(**{field: Coalesce(Subquery(count), 0)})
    every = item_model.objects.filter(assessment=OuterRef("assessment")).order_by().values("assessment").annotate(n=Count("pk")).values("n")
    summary_model.objects.update(indicator_count=Coalesce(Subquery(every), 0))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_item_event_verified_lowered")]

    operations = [
        migrations.AddField(
            model_name="assessmentsummary",
            name="verified_unassessed",
            field=models.PositiveIntegerField(default=0, verbose_name="indicators without a verified level"),
        ),
        migrations.AddField(
            model_name="assessmentsummary",
            name="planned_unassessed",
            field=models.PositiveIntegerField(default=0, verbose_name="indicators without a target or self-assessed level"),
        ),
        migrations.AddField(
            model_name="assessmentsummary",
            name="indicator_count",
            field=models.PositiveIntegerField(default=0, verbose_name="indicators of the framework"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
