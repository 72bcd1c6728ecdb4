"""Triggers refusing unbalanced posting and any change to a posted voucher (collective.triggers)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from wuquan.collective import triggers

    triggers.install(schema_editor)


def backwards(apps, schema_editor):
    from wuquan.collective import triggers

    triggers.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("collective", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
