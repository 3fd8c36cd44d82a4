from django.db import migrations, models

# The bundled frameworks' own index names, for versions loaded before framework files named it.
KNOWN = {"PERMENPANRB-59-2020": "Indeks SPBE", "PERMENPANRB-8-2026": "Indeks Pemdi"}


def fill_index_names(apps, schema_editor):
    FrameworkVersion = apps.get_model("assessments", "FrameworkVersion")
    for version in FrameworkVersion.objects.select_related("framework"):
        name = (version.definition or {}).get("index_name") or KNOWN.get(version.framework.code, "")
        if name:
            FrameworkVersion.objects.filter(pk=version.pk).update(index_name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0009_evidence_items"),
    ]

    operations = [
        migrations.AddField(
            model_name="frameworkversion",
            name="index_name",
            field=models.CharField(blank=True, help_text="The name of the index it measures, e.g. Indeks SPBE or Indeks Pemdi.", max_length=60, verbose_name="index name"),
        ),
        migrations.RunPython(fill_index_names, migrations.RunPython.noop),
    ]
