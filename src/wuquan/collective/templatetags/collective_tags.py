from django import template

from wuquan.collective.selectors import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen shown as yuan with two decimals."""
    return _yuan(fen) if isinstance(fen, int) else ""


@register.filter
def debit_part(value):
    return value if isinstance(value, int) and value > 0 else 0


@register.filter
def credit_part(value):
    return -value if isinstance(value, int) and value < 0 else 0


@register.filter
def masked_id(value):
    """A resident ID as every page shows it (common.identity.mask_ric, PUB-9)."""
    from wuquan.common.identity import mask_ric

    return mask_ric(value)
