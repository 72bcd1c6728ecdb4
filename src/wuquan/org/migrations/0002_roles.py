"""Creates the staff roles (Django groups, org.roles.ALL_ROLES) so a fresh install has them,
and lets the 系统管理员 role maintain the organisation in the admin (ORG-1)."""

from django.db import migrations

# Frozen copy of org.roles.ALL_ROLES at the time of this migration.
ROLES = ["窗口受理", "承办", "审核", "分管领导", "主要负责人", "纪检监察", "三资中心",
         "村务监督委员会", "审计", "系统管理员"]
ADMIN = "系统管理员"


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    # why: permissions are normally created after all migrations (post_migrate); make them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    admin = Group.objects.get(name=ADMIN)
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="org"))


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
