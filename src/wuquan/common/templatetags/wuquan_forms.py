"""`{% idempotency_field %}`: the hidden random key of a public form (common/idempotency.py)."""

from django import template
from django.utils.html import format_html

from wuquan.common.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def idempotency_field(context):
    """A fresh key each render; in a page `common.pagecache` keeps, a placeholder that each
    visitor's copy replaces with its own fresh key (two forms, two keys)."""
    from wuquan.common.pagecache import IDEMPOTENCY_PLACEHOLDER, rendering_for_cache

    request = context.get("request")
    key = IDEMPOTENCY_PLACEHOLDER if request and rendering_for_cache(request) else new_key()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)
