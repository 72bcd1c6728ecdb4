"""`wuquan totp USERNAME`: the current two-factor code of a demo account (org/twofactor.py).

Only devices the demo enrolled (named "demo") answer: a real person's authenticator secret
is never printed.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wuquan.org import twofactor


class Command(BaseCommand):
    help = "打印演示账号当前的动态验证码 · print a demo account's current TOTP code"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user = get_user_model().objects.filter(username=username).first()
        device = (
            TOTPDevice.objects.filter(user=user, name=twofactor.DEMO_DEVICE, confirmed=True).first()
            if user
            else None
        )
        if device is None:
            raise CommandError(f"{username}: no demo two-factor device (only the demo's accounts)")
        self.stdout.write(twofactor.current_code(device))
