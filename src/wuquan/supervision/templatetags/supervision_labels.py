"""`{{ code|rule_name }}`: a supervision rule by its Chinese name (issue 12, finding 7)."""

from django import template

from wuquan.supervision import registry

register = template.Library()


@register.filter
def rule_name(code):
    rule = registry.get(code or "")
    return str(rule.name) if rule is not None else code
