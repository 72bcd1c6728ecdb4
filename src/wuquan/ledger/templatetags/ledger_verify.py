"""`{% published_vkey as vkey %}`: the verifier key the operator published apart from the
database (WUQUAN_LOG_VKEY / WUQUAN_LOG_VKEY_FILE), for the in-browser check (issue 13)."""

from django import template

from wuquan.ledger import signing

register = template.Library()


@register.simple_tag
def published_vkey() -> str:
    try:
        published = signing.published_vkey()
    except signing.NoteError:
        return ""
    return published[0] if published else ""
