"""`wuquan import` / `wuquan export`: every line validated, bad lines reported by number,
nothing partial imported; history keeps its own timestamps (APR-*, ARCHITECTURE: Time)."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from wuquan.approvals import exchange, services
from wuquan.approvals.models import Case
from wuquan.ledger.models import Event

from .history import Story, import_line

TZ = ZoneInfo("Asia/Shanghai")


def _case_line(world, ref="old-1", **kw):
    """A finished case of the sample flow (tests/approvals/history.py), fields overridable."""
    story = Story(start=datetime(2025, 3, 3, 8, 30, tzinfo=TZ), fee=True)
    line = json.loads(import_line(world, story, ref))
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
    assert ev.at == case.result_at and ev.payload["source"] == "import"
    assert ev.payload["source_ref"] == "old-1" and ev.actor == "system:import"
    fee = Event.objects.get(action="approvals.fee.charged").payload
    assert fee["in_catalog"] is True
    call_command("import", str(f))  # idempotent by ref
    assert Case.objects.filter(source_ref="old-1").count() == 1


def test_import_flags_history_that_live_services_would_refuse(world):
    steps = json.loads(_case_line(world))["steps"][1:]  # no 受理 step: 体外循环
    line = _case_line(
        world,
        ref="old-3",
        accepted_at=None,
        steps=steps,
        fees=[{"name": "加急费", "amount": "200", "at": steps[-1]["completed_at"]}],
    )
    objects, report = exchange.validate([line])
    assert report.ok
    report = exchange.import_lines([line])
    assert report.ok, report.errors
    case = Case.objects.get(source_ref="old-3")
    assert case.accepted_at is None and case.result == "approved"
    result = Event.objects.get(action="approvals.case.result").payload
    assert result["accepted"] is False
    assert Event.objects.get(action="approvals.fee.charged").payload["in_catalog"] is False


def test_export_then_validate_round_trip(world, tmp_path):
    exchange.import_lines([_case_line(world)])
    out = tmp_path / "out.jsonl"
    call_command("export", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    kinds = {json.loads(x)["type"] for x in lines}
    assert {"header", "unit", "post", "person", "item", "fee", "case"} <= kinds
    _objects, report = exchange.validate(lines)
    assert report.ok, report.errors[:5]


def _export() -> list[str]:
    return [exchange.dumps(o) for o in exchange.export_lines()]


def _empty_instance():
    """Another instance: every table emptied (the ledger too), as a fresh install is."""
    call_command("flush", "--noinput", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_aud1_export_import_export_is_byte_identical_but_for_the_header(world, settings):
    """The exchange carries the fee catalog and the flows' BPMN, so an export from one
    instance imports into another with its charges still in the catalog (APR-8) and exports
    again byte for byte (only `exported_at` in the header differs)."""
    from .history import Pause, play_live
    from .test_approvals_one_path import _files

    u = world.users
    play_live(
        world,
        Story(
            start=datetime(2025, 3, 3, 9, tzinfo=TZ),
            fee=True,
            area=800,
            pause=Pause(before=2, kind="supplement", hours=30),
        ),
        _files(world),
    )
    play_live(world, Story(start=datetime(2026, 12, 28, 9, tzinfo=TZ), done=3), _files(world))
    services.do_withdraw_case(
        play_live(world, Story(start=datetime(2025, 5, 6, 9, tzinfo=TZ), done=1), _files(world)),
        "不再需要",
        actor=u["window"],
        at=datetime(2025, 5, 9, 9, tzinfo=TZ),
    )
    first = _export()
    _empty_instance()
    report = exchange.import_lines(first)
    assert report.ok, report.errors
    assert Event.objects.filter(action="approvals.fee.charged").count() == 1
    assert all(
        e.payload["in_catalog"] for e in Event.objects.filter(action="approvals.fee.charged")
    )
    second = _export()
    assert json.loads(first[0])["type"] == json.loads(second[0])["type"] == "header"
    assert first[1:] == second[1:]


def test_example_file_in_docs_validates(world):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "exchange-example.jsonl"
    if not example.exists():
        pytest.fail(f"missing {example}")
    _objects, report = exchange.validate(example.read_text(encoding="utf-8").splitlines())
    assert report.ok, report.errors
    report = exchange.import_lines(example.read_text(encoding="utf-8").splitlines())
    assert report.imported.get("case") == 1
