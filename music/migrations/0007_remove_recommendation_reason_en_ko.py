from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("music", "0006_reasons_to_codes")]

    # The defaults first, so that migrating backwards can add the columns to a table with rows (0006
    # then writes the sentences back).
    operations = [
        migrations.AlterField(model_name="recommendation", name="reason_en",
                              field=models.CharField(default="", max_length=300)),
        migrations.AlterField(model_name="recommendation", name="reason_ko",
                              field=models.CharField(default="", max_length=300)),
        migrations.RemoveField(model_name="recommendation", name="reason_en"),
        migrations.RemoveField(model_name="recommendation", name="reason_ko"),
    ]
