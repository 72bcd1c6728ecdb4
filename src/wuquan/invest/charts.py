"""Server-rendered SVG of payment rates (支付率: disbursed over allocated), one bar per project
or fund: no script, no style attribute (the classes are in invest.css)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def rate_chart(rates, title: str, width: int = 720) -> SafeString:
    """Each rate as a bar of its percent (0–100) against a full-width track, labelled with the
    name and the disbursed / allocated amounts in 10 000 yuan."""
    row_h, label_w, right = 26, 260, 150
    rows = list(rates)
    height = row_h * max(len(rows), 1) + 10
    track = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart invest-rate-chart">'
        f"<title>{escape(title)}</title>"
    ]
    fits = (label_w - 8) // 12
    for i, r in enumerate(rows):
        y = 5 + i * row_h
        pct = max(0.0, min(100.0, r.percent))
        w = track * pct / 100
        label = r.label if len(r.label) <= fits else r.label[: fits - 1] + "…"
        detail = _("%(p).1f%%（%(d).1f / %(a).1f 万元）") % {
            "p": r.percent,
            "d": r.disbursed_fen / 1_000_000,
            "a": r.allocated_fen / 1_000_000,
        }
        parts.append(
            f'<text x="0" y="{y + 16}" class="rate-label">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{track}" height="{row_h - 8}" '
            f'class="rate-track"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
            f'class="rate-bar"><title>{escape(r.label)}: {escape(detail)}</title></rect>'
            f'<text x="{label_w + track + 6}" y="{y + 16}" class="rate-value">'
            f"{escape(detail)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped
