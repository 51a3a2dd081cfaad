from django.db import migrations


def load(apps, schema_editor):
    from ansinh.policy.loader import load_parameters

    load_parameters(models={
        name: apps.get_model("policy", name)
        for name in ("StandardLevel", "BenefitAmount", "Coefficient")
    })


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
