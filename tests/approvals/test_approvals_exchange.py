"""`wuquan import` / `wuquan export`: every line validated, bad lines reported by number,
nothing partial imported; history keeps its own timestamps (APR-*, ARCHITECTURE: Time)."""

import json

import pytest
from django.core.management import CommandError, call_command

from wuquan.approvals import exchange
from wuquan.approvals.models import Case
from wuquan.ledger.models import Event


def _case_line(world, ref="old-1", **kw):
    steps = [
        {
            "name": "窗口受理",
            "kind": "受理",
            "unit": "t-zwfw",
            "post": "window",
            "started_at": "2025-03-03T09:00:00+08:00",
            "completed_at": "2025-03-03T09:30:00+08:00",
        },
        {
            "name": "分管领导审批",
            "kind": "审批",
            "unit": "t-scjg",
            "post": "deputy-1",
            "started_at": "2025-03-04T09:00:00+08:00",
            "completed_at": "2025-03-05T10:00:00+08:00",
        },
    ]
    line = {
        "type": "case",
        "ref": ref,
        "item": world.item.code,
        "applicant_name": "历史申请人",
        "submitted_at": "2025-03-03T08:30:00+08:00",
        "accepted_at": "2025-03-03T09:30:00+08:00",
        "result": "approved",
        "result_at": "2025-03-05T10:00:00+08:00",
        "steps": steps,
        "fees": [{"fee": world.fee.code, "amount": "10.00", "at": "2025-03-05T11:00:00+08:00"}],
    }
    line.update(kw)
    return json.dumps(line, ensure_ascii=False)


def test_import_reports_bad_lines_by_number_and_imports_nothing(world, tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    good = _case_line(world)
    bad_time = _case_line(world, ref="old-2", submitted_at="2025-03-03 08:30")
    f.write_text(
        "\n".join([good, "{not json", bad_time, '{"type": "case", "ref": "x"}']) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="未导入"):
        call_command("import", str(f))
    err = capsys.readouterr().err
    assert "第 2 行" in err and "第 3 行" in err and "必须带时区" in err and "第 4 行" in err
    assert "第 1 行" not in err
    assert not Case.objects.exists()


def test_import_keeps_historical_timestamps_and_records_each_action(world, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(_case_line(world) + "\n", encoding="utf-8")
    call_command("import", str(f))
    case = Case.objects.get(source_ref="old-1")
    assert case.result == "approved" and case.channel == "import"
    actions = [
        e.action for e in Event.objects.filter(action__startswith="approvals.").order_by("index")
    ]
    assert actions.count("approvals.case.accepted") == 1 and "approvals.case.result" in actions
    ev = Event.objects.get(action="approvals.case.result")
    assert ev.at.isoformat().startswith("2025-03-05T02:00") and ev.payload["source"] == "import"
    fee = Event.objects.get(action="approvals.fee.charged").payload
    assert fee["in_catalog"] is True
    call_command("import", str(f))  # idempotent by ref
    assert Case.objects.filter(source_ref="old-1").count() == 1


def test_import_flags_history_that_live_services_would_refuse(world):
    objects, report = exchange.validate(
        [
            _case_line(
                world,
                ref="old-3",
                accepted_at=None,
                fees=[{"name": "加急费", "amount": "200", "at": "2025-03-05T11:00:00+08:00"}],
            )
        ]
    )
    assert report.ok
    exchange.import_lines(
        [
            _case_line(
                world,
                ref="old-3",
                accepted_at=None,
                fees=[{"name": "加急费", "amount": "200", "at": "2025-03-05T11:00:00+08:00"}],
            )
        ]
    )
    result = Event.objects.get(action="approvals.case.result").payload
    assert result["accepted"] is False
    assert Event.objects.get(action="approvals.fee.charged").payload["in_catalog"] is False


def test_export_then_validate_round_trip(world, tmp_path):
    exchange.import_lines([_case_line(world)])
    out = tmp_path / "out.jsonl"
    call_command("export", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    kinds = {json.loads(x)["type"] for x in lines}
    assert {"header", "unit", "post", "person", "item", "case"} <= kinds
    _objects, report = exchange.validate(lines)
    assert report.ok, report.errors[:5]


def test_example_file_in_docs_validates(world):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "exchange-example.jsonl"
    if not example.exists():
        pytest.fail(f"missing {example}")
    _objects, report = exchange.validate(example.read_text(encoding="utf-8").splitlines())
    assert report.ok, report.errors
    report = exchange.import_lines(example.read_text(encoding="utf-8").splitlines())
    assert report.imported.get("case") == 1
