"""Excel out: the organisation department's 选拔任用台账 (one row per selection), declared as
columns (header, value) like catalog/excel.py."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from .models import Selection, Step

COLUMNS = [
    ("编号", lambda s: s.pk),
    ("名称", lambda s: s.title),
    ("单位", lambda s: str(s.unit)),
    ("拟任岗位", lambda s: str(s.post)),
    ("人选", lambda s: s.candidate.name if s.candidate else ""),
    ("状态", lambda s: str(s.get_status_display())),
    ("任前审核", lambda s: str(s.get_review_status_display())),
    *[(str(label), (lambda step: lambda s: _on(s, step))(value)) for value, label in Step.choices],
    ("公示期", lambda s: f"{s.notice_start} — {s.notice_end}" if s.notice_start else ""),
    ("试用期至", lambda s: s.probation_until.isoformat() if s.probation_until else ""),
    ("文书档案摘要", lambda s: s.dossier_digest),
]


def _on(selection: Selection, step: int) -> str:
    for rec in selection.steps.all():
        if rec.step == step:
            return rec.on.isoformat()
    return ""


def export_bytes(selections) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "选拔任用台账"
    ws.append([header for header, _v in COLUMNS])
    for sel in selections.prefetch_related("steps").select_related("unit", "post", "candidate"):
        ws.append([value(sel) for _h, value in COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
