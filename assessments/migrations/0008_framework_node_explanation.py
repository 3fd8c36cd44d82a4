from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_summary_unassessed_per_variant"),
    ]

    operations = [
        migrations.AddField(
            model_name="frameworknode",
            name="explanation",
            field=models.TextField(blank=True, help_text='What the indicator means (the regulation\'s "penjelasan").', verbose_name="explanation"),
        ),
    ]
