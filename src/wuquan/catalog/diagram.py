"""Server-side SVG of a flow (权力运行流程图) for the public guide page (CAT-2, PUB-1, PUB-2).

Uses the BPMN's own diagram information (BPMNDI) when every node has bounds; otherwise an
automatic layered layout: columns by longest path from the start, rows by branch. Each step
shows its name, its post (lane) and its time limit. No JavaScript; the SVG scales by viewBox.
The result is cached per flow version (a published version never changes).
"""

from __future__ import annotations

import threading
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from . import flows

# why (issue 12, finding 9): the SVG is drawn at its natural size (width/height attributes)
# and scrolls sideways in its frame on a phone instead of shrinking to ~5 px text; boxes are
# wide enough for a 3-line step name at 14 px and a full post name at 12 px.
TASK_W, TASK_H = 184, 96
EVENT_R = 18
GW = 44
COL_W, ROW_H = 236, 150
PAD = 28
NAME_PX, META_PX = 14, 12

_cache: dict[tuple[int, str], str] = {}
_lock = threading.Lock()


def svg_for(
    version,
    post_names: dict[tuple[str, str], str] | None = None,
    fields: list | None = None,
) -> str:
    """The SVG markup of a flow version (cached per version id + checksum + field labels).
    `fields`: the item's form fields (catalog.fields.form_fields) whose labels replace the
    names in conditions (``area_sqm > 500`` -> ``经营场所面积 > 500 平方米``)."""
    from .fields import form_fields

    if fields is None:
        fields = form_fields(version.item, version)
    labels = tuple((f.name, f.label, f.unit) for f in fields)
    key = (version.pk or 0, version.checksum or version.digest(version.bpmn_xml), labels)
    svg = _cache.get(key)
    if svg is None:
        svg = render(flows.graph_of(version), post_names or {}, fields)
        with _lock:
            _cache[key] = svg
    return svg


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        line += ch
        if len(line) >= width:
            lines.append(line)
            line = ""
    if line:
        lines.append(line)
    return lines or [""]


def _auto_layout(graph: flows.Graph) -> dict[str, tuple[float, float, float, float]]:
    col: dict[str, int] = {}
    for nid in graph.order():
        col[nid] = max((col.get(e.source, -1) + 1 for e in graph.incoming(nid)), default=0)
    rows_used: dict[int, int] = {}
    row: dict[str, int] = {}
    # why: place a node on its first predecessor's row when that slot is free, so a straight
    # sequence stays on one line and each branch of a split gets its own row.
    for nid in graph.order():
        c = col[nid]
        preferred = None
        placed = [row[e.source] for e in graph.incoming(nid) if e.source in row]
        if len(placed) > 1:
            preferred = min(placed)
        for e in [] if preferred is not None else graph.incoming(nid):
            if e.source in row:
                preferred = row[e.source]
                siblings = [x.target for x in graph.outgoing(e.source)]
                if len(siblings) > 1:
                    preferred = row[e.source] + siblings.index(nid)
                break
        taken = {row[m] for m in row if col[m] == c}
        r = preferred if preferred is not None and preferred not in taken else None
        if r is None:
            r = rows_used.get(c, 0)
            while r in taken:
                r += 1
        row[nid] = r
        rows_used[c] = max(rows_used.get(c, 0), r + 1)
    boxes = {}
    for nid, node in graph.nodes.items():
        cx = PAD + col[nid] * COL_W + TASK_W / 2
        cy = PAD + 20 + row[nid] * ROW_H + TASK_H / 2
        if node.is_task:
            w, h = TASK_W, TASK_H
        elif node.tag in flows.GATEWAY_TAGS:
            w = h = GW
        else:
            w = h = EVENT_R * 2
        boxes[nid] = (cx - w / 2, cy - h / 2, w, h)
    return boxes


def render(graph: flows.Graph, post_names: dict[tuple[str, str], str], fields=()) -> str:
    from .fields import condition_text

    by_name = {f.name: f for f in fields or ()}
    use_di = graph.has_diagram
    boxes = {nid: n.bounds for nid, n in graph.nodes.items()} if use_di else _auto_layout(graph)
    parts: list[str] = []
    xs = [b[0] for b in boxes.values()] + [b[0] + b[2] for b in boxes.values()]
    ys = [b[1] for b in boxes.values()] + [b[1] + b[3] for b in boxes.values()]
    if use_di:
        for lane in graph.lanes:
            if lane.bounds:
                xs += [lane.bounds[0], lane.bounds[0] + lane.bounds[2]]
                ys += [lane.bounds[1], lane.bounds[1] + lane.bounds[3]]
    min_x, min_y = min(xs, default=0) - PAD, min(ys, default=0) - PAD
    width, height = max(xs, default=100) - min_x + PAD, max(ys, default=100) - min_y + PAD + 10
    if use_di:
        for lane in graph.lanes:
            if lane.bounds:
                x, y, w, h = lane.bounds
                parts.append(
                    f'<g class="lane"><rect x="{x}" y="{y}" width="{w}" height="{h}"/>'
                    f'<text x="{x + 6}" y="{y + 16}">{escape(lane.name)}</text></g>'
                )
    for edge in graph.edges:
        if edge.source not in boxes or edge.target not in boxes:
            continue
        if use_di and len(edge.waypoints) >= 2:
            pts = edge.waypoints
        else:
            sx, sy, sw, sh = boxes[edge.source]
            tx, ty, tw, th = boxes[edge.target]
            a = (sx + sw, sy + sh / 2)
            b = (tx, ty + th / 2)
            mid = (a[0] + b[0]) / 2
            pts = [a, (mid, a[1]), (mid, b[1]), b] if a[1] != b[1] else [a, b]
        d = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        parts.append(f'<polyline class="edge" points="{d}" marker-end="url(#arrow)"/>')
        label = edge.name or ""
        if edge.condition and (not label or label.strip() == edge.condition.strip()):
            label = condition_text(edge.condition, by_name)
        if label:
            lx, ly = pts[2] if len(pts) == 4 else pts[0]
            lines = _wrap(label, 14)[:3]
            for i, line in enumerate(lines):
                y_line = ly - 6 - (len(lines) - 1 - i) * (META_PX + 2)
                parts.append(
                    f'<text class="cond" x="{lx + 4:.1f}" y="{y_line:.1f}">{escape(line)}</text>'
                )
    for nid, node in graph.nodes.items():
        x, y, w, h = boxes[nid]
        cx, cy = x + w / 2, y + h / 2
        if node.is_task:
            step = node.step
            cls = "task checkpoint" if step and step.checkpoint else "task"
            parts.append(f'<g class="{cls}" data-step="{escape(nid)}">')
            parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8"/>')
            name_lines = _wrap(node.name or nid, max(4, int((w - 16) // NAME_PX)))[:3]
            ty = y + 20
            for i, line in enumerate(name_lines):
                parts.append(f'<text class="name" x="{cx}" y="{ty + i * 17}">{escape(line)}</text>')
            if step:
                post = (
                    post_names.get((step.unit_code, step.post_code))
                    or node.lane
                    or f"{step.unit_code}/{step.post_code}"
                )
                meta = f"{step.kind}·{step.limit_days}{_('个工作日')}"
                post_lines = _wrap(post, max(4, int((w - 12) // META_PX)))[:2]
                for i, line in enumerate(post_lines):
                    py = y + h - 8 - (len(post_lines) - i) * (META_PX + 3)
                    parts.append(f'<text class="meta" x="{cx}" y="{py}">{escape(line)}</text>')
                parts.append(f'<text class="meta" x="{cx}" y="{y + h - 8}">{escape(meta)}</text>')
                if step.checkpoint:
                    parts.append(
                        f'<text class="mark" x="{x + w - 10}" y="{y + 14}">{_("监")}</text>'
                    )
            parts.append("</g>")
        elif node.tag in flows.GATEWAY_TAGS:
            symbol = (
                "+"
                if node.tag == "parallelGateway"
                else ("○" if node.tag == "inclusiveGateway" else "×")
            )
            parts.append(
                f'<g class="gateway"><polygon points="{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}"/>'
                f'<text x="{cx}" y="{cy + 6}">{symbol}</text>'
                + (
                    f'<text class="meta" x="{cx}" y="{y - 6}">{escape(node.name)}</text>'
                    if node.name
                    else ""
                )
                + "</g>"
            )
        else:
            cls = "event end" if node.tag == "endEvent" else "event"
            r = min(w, h) / 2
            parts.append(
                f'<g class="{cls}"><circle cx="{cx}" cy="{cy}" r="{r}"/>'
                f'<text class="meta" x="{cx}" y="{y + h + 16}">{escape(node.name)}</text></g>'
            )
    title = escape(graph.name or _("权力运行流程图"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="{min_x:.0f} {min_y:.0f} {width:.0f} {height:.0f}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{title}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/>'
        "</marker></defs>" + "".join(parts) + "</svg>"
    )
