"""Open-data exports (PUB-4): release packages, record packages, JSON Lines and Excel. Every
package written here is validated against the local schemas before it leaves (ocds.errors);
an invalid package is an error of ours, raised, never served."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook

from . import ocds, selectors


class InvalidPackage(RuntimeError):
    pass


def checked(package: dict, kind: str) -> dict:
    problems = ocds.errors(package, kind)
    if problems:
        raise InvalidPackage("; ".join(problems[:5]))
    return package


def release_package(releases: list[dict], uri: str, published: datetime | None = None) -> dict:
    return checked(
        ocds.release_package(releases, published or timezone.now(), uri), "release-package"
    )


def record_package(ocids: list[str], uri: str, published: datetime | None = None) -> dict:
    records = selectors.records(ocids, uri)
    return checked(ocds.record_package(records, published or timezone.now(), uri), "record-package")


def jsonl(releases) -> Iterator[str]:
    """One release per line (the bulk download)."""
    for data in releases.values_list("data", flat=True).iterator(chunk_size=2000):
        yield json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


COLUMNS = [
    ("ocid", "ocid"),
    ("release", "发布编号"),
    ("date", "日期"),
    ("tag", "阶段"),
    ("buyer", "采购人"),
    ("title", "项目名称"),
    ("method", "采购方式"),
    ("tender_end", "投标截止"),
    ("bids", "投标数"),
    ("supplier", "中标人"),
    ("award_yuan", "中标金额（元）"),
    ("contract_yuan", "合同金额（元）"),
    ("amendments", "合同变更次数"),
]


def _row(r: dict) -> list:
    tender = r.get("tender") or {}
    awards = r.get("awards") or []
    contracts = r.get("contracts") or []
    return [
        r["ocid"],
        r["id"],
        r["date"],
        ",".join(r.get("tag") or []),
        (r.get("buyer") or {}).get("name", ""),
        tender.get("title", ""),
        tender.get("procurementMethodDetails", ""),
        (tender.get("tenderPeriod") or {}).get("endDate", ""),
        len((r.get("bids") or {}).get("details", [])),
        "、".join(s.get("name", "") for a in awards for s in a.get("suppliers", [])),
        awards[-1]["value"]["amount"] if awards else None,
        contracts[-1]["value"]["amount"] if contracts else None,
        sum(len(c.get("amendments", [])) for c in contracts),
    ]


def excel(releases) -> bytes:
    """The releases as one sheet for spreadsheet users (one row per release)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("releases")
    ws.append([label for _, label in COLUMNS])
    for data in releases.values_list("data", flat=True).iterator(chunk_size=2000):
        ws.append(_row(data))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
