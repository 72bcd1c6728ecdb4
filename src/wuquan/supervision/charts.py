"""Server-side SVG charts for the board (SUP-11): no JavaScript library, no CDN."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def column_chart(
    points: list[tuple[str, int]],
    title: str,
    width: int = 720,
    height: int = 180,
    color: str = "#a0001c",
) -> SafeString:
    """Vertical bars, one per point, with the maximum marked; labels every few bars."""
    n = max(len(points), 1)
    pad_l, pad_b, pad_t = 30, 28, 18
    inner_w, inner_h = width - pad_l - 8, height - pad_b - pad_t
    top = max([v for _, v in points] + [1])
    bw = inner_w / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad_l}" y1="{pad_t + inner_h}" x2="{width - 8}" y2="{pad_t + inner_h}" '
        'stroke="#999"/>',
        f'<text x="2" y="{pad_t + 4}" font-size="11" fill="#666">{top}</text>',
        f'<text x="2" y="{pad_t + inner_h}" font-size="11" fill="#666">0</text>',
    ]
    step = max(1, n // 10)
    for i, (label, value) in enumerate(points):
        h = inner_h * value / top
        x = pad_l + i * bw
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{pad_t + inner_h - h:.1f}" width="{max(bw - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{color}"><title>{escape(label)}: {value}</title></rect>'
        )
        if i % step == 0:
            parts.append(
                f'<text x="{x + bw / 2:.1f}" y="{height - 8}" font-size="10" fill="#444" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped


def bar_chart(
    rows: list[tuple[str, int]], title: str, width: int = 720, color: str = "#c98a00"
) -> SafeString:
    """Horizontal bars with their labels (the rules that fire most)."""
    row_h, label_w = 22, 300
    height = row_h * max(len(rows), 1) + 10
    top = max([v for _, v in rows] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    # why: 40 characters of 12 px ran ~180 px into the bars (issue 12, finding 9): cut to what
    # fits the label column, with an ellipsis; the full label stays in the bar's <title>
    fits = (label_w - 8) // 12
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        w = (width - label_w - 50) * value / top
        shown = label if len(label) <= fits else label[: fits - 1] + "…"
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12" fill="#222">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12" fill="#222">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
