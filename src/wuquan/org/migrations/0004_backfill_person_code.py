"""Give every existing person a 人员编号 (P + zero-padded id) for the Excel round trip."""

from django.db import migrations


def backfill(apps, schema_editor):
    Person = apps.get_model("org", "Person")
    for pk in Person.objects.filter(code__isnull=True).values_list("pk", flat=True):
        Person.objects.filter(pk=pk).update(code=f"P{pk:06d}")


class Migration(migrations.Migration):
    dependencies = [("org", "0003_person_code")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
