from django.db import migrations, models
from django.utils.crypto import salted_hmac


def fingerprint_live_links(apps, schema_editor):
    """Live links keep working after the upgrade: they take the password they have now.
    The digest matches cakap.attendance.links.password_fingerprint (same salt)."""
    PersonalLink = apps.get_model("attendance", "PersonalLink")
    for link in PersonalLink.objects.filter(revoked_at__isnull=True).select_related("person__user"):
        user = link.person.user
        if user is not None:
            link.password_fingerprint = salted_hmac(
                "cakap.personal-link.password", user.password, algorithm="sha256"
            ).hexdigest()
            link.save(update_fields=["password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0004_admin_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="personallink",
            name="password_fingerprint",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(fingerprint_live_links, migrations.RunPython.noop),
    ]
