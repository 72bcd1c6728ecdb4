from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_event_no_root_hash")]
    operations = [
        migrations.AddField(
            model_name="appendlock",
            name="generation",
            field=models.BigIntegerField(default=0),
        )
    ]
