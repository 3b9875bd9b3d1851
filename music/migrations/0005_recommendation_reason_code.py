from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("music", "0004_flag_sensitive_starter_works")]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="reason_code",
            field=models.CharField(default="", max_length=24),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="recommendation",
            name="reason_params",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
