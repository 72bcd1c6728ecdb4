"""Flow parsing, validation and execution (CAT-2, SUP-3)."""

import pytest
from SpiffWorkflow.util.task import TaskState

from wuquan.catalog import flows
from wuquan.catalog.flows import StepRow

WQ = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:wuquan="https://wuquan.example/bpmn"'


def task(tid, name, kind="审查", days=2, unit="scjg", post="chengban", checkpoint="false"):
    ext = (
        f'<bpmn:extensionElements><wuquan:step kind="{kind}" limitDays="{days}" '
        f'checkpoint="{checkpoint}" unit="{unit}" post="{post}"/></bpmn:extensionElements>'
    )
    return f'<bpmn:userTask id="{tid}" name="{name}">{ext}</bpmn:userTask>'


def doc(body, flows_=""):
    return (
        f'<bpmn:definitions {WQ} id="d" targetNamespace="x"><bpmn:process id="p" isExecutable="true">'
        f"{body}{flows_}</bpmn:process></bpmn:definitions>"
    )


def seq(*pairs):
    return "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(pairs)
    )


def good_rows():
    return [
        StepRow("窗口受理", "受理", 1, "zwfw", "window", checkpoint=True),
        StepRow("承办审查", "审查", 3, "scjg", "chengban", group="g"),
        StepRow("消防会审", "会商", 5, "xiaofang", "chengban", group="g"),
        StepRow("现场核查", "现场勘查", 2, "scjg", "chengban", condition="area_sqm > 500"),
        StepRow("科长审核", "审核", 1, "scjg", "shenhe"),
        StepRow("分管领导审批", "审批", 1, "scjg", "deputy-1", checkpoint=True),
        StepRow("送达", "送达", 0, "zwfw", "window"),
    ]


def test_cat2_generated_flow_is_valid_and_longest_branch_counts():
    xml = flows.build_bpmn("p", "测试", good_rows())
    assert flows.validate(xml, 10) == []
    # 1 + max(3, 5) + 2 + 1 + 1 + 0 = 10: the parallel branch counts once, its longest side
    assert flows.longest_path_days(flows.parse(xml)) == 10


def test_cat2_sum_of_limits_over_promise_is_refused_with_both_numbers():
    errors = flows.validate(flows.build_bpmn("p", "测试", good_rows()), 9)
    assert errors == ["各环节时限之和（最长路径 10 个工作日）超过承诺时限 9 个工作日。"]


def test_cat2_task_without_post_limit_or_kind_is_refused():
    xml = doc(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t" name="审查"/><bpmn:endEvent id="e"/>',
        seq(("s", "t"), ("t", "e")),
    )
    errors = flows.validate(xml, 10)
    assert any("环节“审查”缺少环节类型、办理时限、单位、岗位" in e for e in errors)


def test_cat2_unknown_step_kind_is_refused():
    xml = doc(
        f'<bpmn:startEvent id="s"/>{task("t", "审查", kind="喝茶")}<bpmn:endEvent id="e"/>',
        seq(("s", "t"), ("t", "e")),
    )
    assert any("类型“喝茶”不在规定范围" in e for e in flows.validate(xml, 10))


def test_cat2_dead_end_is_refused():
    xml = doc(
        f'<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="f2"/>{task("a", "甲")}'
        f'{task("b", "乙")}<bpmn:endEvent id="e"/>',
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a"><bpmn:conditionExpression>x &gt; 1'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="e"/>',
    )
    errors = flows.validate(xml, 10)
    assert "节点“乙”无法到达结束事件（流程断头）。" in errors


def test_cat2_unreachable_node_and_loop_are_refused():
    xml = doc(
        f'<bpmn:startEvent id="s"/>{task("a", "甲")}{task("b", "乙")}{task("c", "丙")}<bpmn:endEvent id="e"/>',
        seq(("s", "a"), ("a", "b"), ("b", "a"), ("b", "e"), ("c", "e")),
    )
    errors = flows.validate(xml, 10)
    assert "节点“丙”无法从开始事件到达。" in errors
    assert any("回路" in e for e in errors)


def test_cat2_branch_without_condition_is_refused():
    xml = doc(
        f'<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" name="分支"/>{task("a", "甲")}'
        f'{task("b", "乙")}<bpmn:endEvent id="e"/>',
        seq(("s", "g"), ("g", "a"), ("g", "b"), ("a", "e"), ("b", "e")),
    )
    assert any("没有条件表达式" in e for e in flows.validate(xml, 10))


def test_sup3_review_and_approval_on_the_same_post_is_refused():
    rows = [
        StepRow("审核", "审核", 1, "scjg", "deputy-1"),
        StepRow("审批", "审批", 1, "scjg", "deputy-1"),
    ]
    errors = flows.validate(flows.build_bpmn("p", "x", rows), 10)
    assert errors == ["审核与审批由同一岗位（scjg/deputy-1）办理，违反审查与批准相分离。"]


def test_cat2_malformed_xml_and_missing_process_are_clear_errors():
    assert flows.validate("<bpmn:definitions", 5)[0].startswith("BPMN 文件不是合法的 XML")
    assert flows.validate(f"<bpmn:definitions {WQ}/>", 5) == [
        "BPMN 文件中没有流程（bpmn:process）。"
    ]


def test_cat2_spiff_reserved_id_is_refused():
    xml = doc(
        f'<bpmn:startEvent id="Start"/>{task("a", "甲")}<bpmn:endEvent id="e"/>',
        seq(("Start", "a"), ("a", "e")),
    )
    assert any("保留字" in e for e in flows.validate(xml, 10))


class FakeVersion:
    def __init__(self, pk, xml):
        self.pk, self.bpmn_xml = pk, xml
        self.checksum = flows.FlowInvalid.__name__ + str(pk)

    def digest(self, xml):
        return "x"


def run_to_completion(wf, data):
    done = []
    wf.do_engine_steps()
    while not wf.is_completed():
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        assert ready, "workflow stuck with no ready user task"
        for t in ready:
            t.data.update(data)
            t.run()
            done.append(t.task_spec.name)
        wf.do_engine_steps()
    return done


def test_cat2_parallel_flow_runs_to_completion_in_spiffworkflow():
    version = FakeVersion(9001, flows.build_bpmn("p", "并联", good_rows()))
    wf = flows.new_workflow(version)
    ready_first = None
    wf.do_engine_steps()
    first = wf.get_tasks(state=TaskState.READY, manual=True)
    assert [t.task_spec.name for t in first] == ["Task_1"]
    first[0].run()
    wf.do_engine_steps()
    ready_first = {t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    assert ready_first == {"Task_2", "Task_3"}  # 并联: both units work at once
    done = run_to_completion(wf, {"area_sqm": 800})
    assert done == ["Task_2", "Task_3", "Task_4", "Task_5", "Task_6", "Task_7"]
    assert wf.is_completed()


def test_cat2_condition_decides_whether_the_conditional_step_runs():
    version = FakeVersion(9002, flows.build_bpmn("p", "条件", good_rows()))
    small = run_to_completion(flows.new_workflow(version), {"area_sqm": 100})
    big = run_to_completion(flows.new_workflow(version), {"area_sqm": 800})
    assert "Task_4" not in small and "Task_4" in big


def test_cat2_steps_carry_metadata_in_flow_order():
    version = FakeVersion(9003, flows.build_bpmn("p", "x", good_rows()))
    steps = flows.steps(version)
    assert [s.name for s in steps][0] == "窗口受理"
    assert steps[0].checkpoint and steps[0].unit_code == "zwfw" and steps[0].post_code == "window"
    assert steps[-1].kind == "送达"
    assert flows.step_map(version)["Task_6"].kind == "审批"


def test_cat2_step_table_errors_name_the_line():
    with pytest.raises(flows.InvalidInput, match="第 2 行：时限“三”不是整数"):
        flows.parse_step_table("受理|受理|1|zwfw|window\n审查|审查|三|scjg|chengban")
