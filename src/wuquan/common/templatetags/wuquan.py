"""Template filters that show internals by their names (issue 12, finding 7) and form-field
helpers for the design system. `{% load wuquan %}`."""

from django import template
from django.utils.html import format_html

from wuquan.common import humanize

register = template.Library()


@register.filter
def event_label(action):
    return humanize.event_label(action or "")


@register.filter
def actor_label(actor):
    return humanize.actor_label(actor or "")


@register.filter
def user_label(user):
    return humanize.user_label(user)


@register.filter
def person_label(person):
    return humanize.person_label(person)


@register.filter
def input_rows(inputs):
    return humanize.input_rows(inputs if isinstance(inputs, dict) else {})


@register.simple_tag
def subject_link(subject_type, subject_id):
    """The subject in words, linked to its staff page when it has one."""
    text, url = humanize.subject_label(subject_type or "", subject_id)
    if url:
        return format_html('<a href="{}">{}</a>', url, text)
    return text


@register.filter
def field_error(errors, name):
    """`{{ errors|field_error:"applicant_name" }}` — the messages for one field."""
    if not errors:
        return ""
    value = errors.get(name) if hasattr(errors, "get") else None
    if not value:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(str(v) for v in value)
    return str(value)


@register.filter
def error_beside(errors, name):
    """`{{ err|error_beside:"text" }}` — a field's error as the span shown beside it (issue 12,
    finding 6), or nothing; for pages whose forms are plain HTML (`errors`: {field: message},
    "form" for a message that names no field on the form)."""
    text = field_error(errors, name)
    if not text:
        return ""
    return format_html('<span class="field-error" role="alert">{}</span>', text)
