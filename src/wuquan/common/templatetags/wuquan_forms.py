"""`{% idempotency_field %}`: the hidden random key of a public form (common/idempotency.py)."""

import secrets

from django import template
from django.utils.html import format_html

from wuquan.common.idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_field():
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_urlsafe(24)
    )
