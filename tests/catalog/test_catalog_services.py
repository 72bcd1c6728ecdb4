"""Catalog writes, immutability, history, Excel and demo (CAT-1..9)."""

import io

import pytest
from openpyxl import load_workbook

from wuquan.catalog import demo, excel, flows, services
from wuquan.catalog.models import ApprovalItem, FlowStatus, FlowVersion, Material, Power
from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger.models import Event


@pytest.fixture
def catalog(demo_org):
    demo.load(None)
    return demo


def test_cat2_demo_flows_all_validate_with_parallel_and_conditional_ones(catalog):
    items = ApprovalItem.objects.all()
    assert items.count() >= 20
    parallel = conditional = 0
    for item in items:
        version = item.published_flow()
        assert version is not None, item.name
        assert flows.validate(version.bpmn_xml, item.promised_days) == [], item.name
        graph = flows.parse(version.bpmn_xml)
        tags = {n.tag for n in graph.nodes.values()}
        parallel += "parallelGateway" in tags
        conditional += "exclusiveGateway" in tags
    assert parallel >= 3 and conditional >= 3


def test_demo_is_idempotent(catalog):
    before = (ApprovalItem.objects.count(), FlowVersion.objects.count(), Event.objects.count())
    demo.load(None)
    assert (
        ApprovalItem.objects.count(),
        FlowVersion.objects.count(),
        Event.objects.count(),
    ) == before


def test_cat2_published_version_cannot_be_edited_or_deleted(catalog):
    version = ApprovalItem.objects.get(code="spjy").published_flow()
    version.bpmn_xml = version.bpmn_xml.replace("窗口受理", "随意受理")
    with pytest.raises(RuleViolation, match="已发布的流程版本不得修改"):
        version.save()
    version.refresh_from_db()
    with pytest.raises(RuleViolation, match="不得删除"):
        version.delete()
    assert FlowVersion.objects.filter(pk=version.pk).exists()


def test_cat2_new_version_retires_old_one_and_old_stays_intact(catalog):
    item = ApprovalItem.objects.get(code="spjy")
    old = item.published_flow()
    xml = old.bpmn_xml.replace("承办审查", "承办审查（新）")
    new = services.do_add_flow_version(item, xml, "优化流程", actor="admin")
    services.do_publish_flow(new, "优化流程", actor="admin")
    old.refresh_from_db()
    assert old.status == FlowStatus.RETIRED and "承办审查（新）" not in old.bpmn_xml
    assert item.published_flow() == new and new.number == old.number + 1
    assert Event.objects.filter(action="catalog.flow.published", subject_id=str(new.pk)).exists()


def test_cat2_invalid_flow_is_not_stored(catalog):
    item = ApprovalItem.objects.get(code="spjy")
    rows = [flows.StepRow("审批", "审批", 99, "scjg", "deputy-1")]
    count = FlowVersion.objects.count()
    with pytest.raises(flows.FlowInvalid, match="超过承诺时限"):
        services.do_add_flow_version(item, flows.build_bpmn("p", "x", rows), "测试", actor="admin")
    assert FlowVersion.objects.count() == count


def test_cat9_change_is_recorded_with_reason_and_changed_fields(catalog):
    item = ApprovalItem.objects.get(code="spjy")
    item.promised_days = 8
    services.do_save(item, "压缩承诺时限", actor="user:admin")
    event = Event.objects.filter(action="catalog.approvalitem.changed").last()
    assert event.payload["reason"] == "压缩承诺时限"
    assert event.payload["changes"] == {"promised_days": [10, 8]}
    assert event.actor == "user:admin"


def test_cat9_change_without_reason_is_refused_and_nothing_written(catalog):
    item = ApprovalItem.objects.get(code="spjy")
    item.promised_days = 8
    with pytest.raises(InvalidInput, match="变更理由"):
        services.do_save(item, "  ", actor="admin")
    item.refresh_from_db()
    assert item.promised_days == 10


def test_cat8_item_name_is_unique_across_units(catalog):
    other = ApprovalItem.objects.get(code="psxk")
    with pytest.raises(InvalidInput, match="事项名称"):
        services.do_save(
            ApprovalItem(
                code="dup",
                name="食品经营许可",
                unit=other.unit,
                basis="x",
                promised_days=1,
                legal_days=1,
            ),
            "重复",
            actor="admin",
        )


def test_cat4_status_change_needs_target_when_merged(catalog):
    item = ApprovalItem.objects.get(code="ypscjy")
    with pytest.raises(InvalidInput, match="合并入"):
        services.do_change_item_status(item, "merged", item.effective_from, "合并", actor="admin")
    services.do_change_item_status(
        item,
        "merged",
        item.effective_from,
        "并入食品经营许可",
        merged_into=ApprovalItem.objects.get(code="spjy"),
        actor="admin",
    )
    assert ApprovalItem.objects.get(code="ypscjy").merged_into.code == "spjy"


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_cat1_excel_round_trip_changes_nothing_then_applies_an_edit(catalog):
    data = excel.export_workbook()
    events = Event.objects.count()
    report = excel.import_workbook(io.BytesIO(data), "admin", "复核")
    assert report.ok and report.written == 0 and Event.objects.count() == events
    wb = _book(data)
    ws = wb["事项"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "spjy")
    row[header.index("承诺时限（工作日）")].value = 7
    wb["材料"].append(["spjy", "新增材料：承诺书", "", "原件", 1, "需提交", "", 9])
    report = excel.import_workbook(_save(wb), "admin", "年度清理")
    assert report.ok, report.errors
    assert ApprovalItem.objects.get(code="spjy").promised_days == 7
    assert Material.objects.filter(item__code="spjy", name="新增材料：承诺书").exists()
    assert report.written == 2


def test_cat1_bad_excel_is_refused_whole_with_row_and_field(catalog):
    wb = _book(excel.export_workbook())
    wb["职权"].append(
        ["new-power", "新职权", "行政许可", "单位职权", "某法", "第一条", "某局", "scjg", "", ""]
    )
    bad = [
        "bad-power",
        "坏职权",
        "不存在的类别",
        "单位职权",
        "某法",
        "",
        "某局",
        "no-such-unit",
        "",
        "",
    ]
    wb["职权"].append(bad)
    row_no = wb["职权"].max_row
    ws = wb["事项"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "spjy")
    row[header.index("承诺时限（工作日）")].value = "十"
    powers = Power.objects.count()
    report = excel.import_workbook(_save(wb), "admin", "导入")
    assert not report.ok and report.written == 0
    messages = [str(e) for e in report.errors]
    assert f"职权 第 {row_no} 行「职权类别」：“不存在的类别”不是可选值" in messages[0]
    assert any(f"职权 第 {row_no} 行「单位编码」" in m for m in messages)
    assert any("事项 第" in m and "「承诺时限（工作日）」：“十”不是整数" in m for m in messages)
    assert Power.objects.count() == powers  # the good row was not written either
    assert not Power.objects.filter(code="new-power").exists()


def test_cat1_excel_columns_are_found_by_header_and_a_missing_one_is_named(catalog):
    wb = _book(excel.export_workbook())
    wb["事项"].move_range("A1:A200", cols=30)  # 编码 moved from the first column to the last
    wb["事项"].delete_cols(1)
    report = excel.import_workbook(_save(wb), "admin", "复核")
    assert report.ok and report.written == 0, report.errors
    wb["职权"].delete_cols(6)  # 条款
    wb["职权"].append(["new-power", "新职权", "行政许可", "单位职权", "某法", "某局", "scjg"])
    events = Event.objects.count()
    report = excel.import_workbook(_save(wb), "admin", "导入")
    assert [str(e) for e in report.errors] == ["职权 第 1 行：缺少列：条款。"]
    assert not Power.objects.filter(code="new-power").exists()
    assert Event.objects.count() == events


def test_cat9_item_history_shows_the_published_changes(catalog, client):
    item = ApprovalItem.objects.get(code="spjy")
    item.service_commitment = "当场办结"
    services.do_save(item, "推行即办件", actor="admin")
    page = client.get("/gk/catalog/item/spjy/").content.decode()
    assert "推行即办件" in page and "发布流程" in page
