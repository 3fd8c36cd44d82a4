"""Fill AssessmentSummary for data that existed before it (a data migration; the services keep it
current from here on)."""

from django.db import migrations


def fill(apps, schema_editor):
    from assessments.models import AssessmentPeriod
    from assessments.services import summaries_rebuild

    for period in AssessmentPeriod.objects.all():
        summaries_rebuild(period=period)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_alter_itemevent_action_assessmentsummary")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
