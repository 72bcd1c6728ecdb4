"""The flow API: read, check, build and run the BPMN of an item's flow (CAT-2, SUP-3).

What other apps (approvals) use:

- `steps(version) -> list[Step]` — the user tasks of a flow version, in flow order, with the
  metadata carried in `wuquan:step` extension elements (docs/bpmn-extensions.md).
- `step_map(version) -> dict[str, Step]` — the same keyed by BPMN task id (= SpiffWorkflow
  `task.task_spec.name`).
- `new_workflow(version) -> BpmnWorkflow` — a fresh SpiffWorkflow instance of the version; the
  parsed spec is cached per version id + checksum (a published version never changes).
- `validate(xml, promised_days) -> list[str]` / `check(xml, promised_days)` — the rules a flow
  must meet before it is saved (clear Chinese messages; `check` raises `FlowInvalid`).
- `build_bpmn(...)` — generate BPMN (lanes, sequence, parallel groups) from a step table.
- `parse(xml) -> Graph` — nodes, edges, lanes and diagram bounds, for the SVG drawing.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from lxml import etree

from wuquan.common.exceptions import InvalidInput

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
WQ_NS = "https://wuquan.example/bpmn"

STEP_KINDS = [
    "受理",
    "审查",
    "审核",
    "审批",
    "现场勘查",
    "会商",
    "听证",
    "公示",
    "决定",
    "收费",
    "办结",
    "送达",
]
TASK_TAGS = {"userTask", "task", "manualTask"}
GATEWAY_TAGS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway"}
EVENT_TAGS = {"startEvent", "endEvent"}
SUPPORTED_TAGS = TASK_TAGS | GATEWAY_TAGS | EVENT_TAGS
RESERVED_IDS = {"Start", "End", "Root"}  # SpiffWorkflow's own task-spec names


class FlowInvalid(InvalidInput):
    """The flow breaks one or more rules; `errors` lists every message."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors), field="bpmn_xml")
        self.errors = errors


@dataclass(frozen=True)
class Step:
    """A user task of a flow with its wuquan metadata."""

    id: str
    name: str
    kind: str
    limit_days: int
    checkpoint: bool
    unit_code: str
    post_code: str
    lane: str = ""


@dataclass
class Node:
    id: str
    tag: str  # local BPMN tag: userTask, exclusiveGateway, startEvent …
    name: str
    lane: str = ""
    step: Step | None = None
    bounds: tuple[float, float, float, float] | None = None  # x, y, w, h from BPMNDI
    missing: list[str] = field(default_factory=list)  # wuquan attributes absent or bad

    @property
    def is_task(self) -> bool:
        return self.tag in TASK_TAGS


@dataclass
class Edge:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    is_default: bool = False
    waypoints: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Lane:
    id: str
    name: str
    nodes: list[str]
    bounds: tuple[float, float, float, float] | None = None


@dataclass
class Graph:
    process_id: str
    name: str
    nodes: dict[str, Node]
    edges: list[Edge]
    lanes: list[Lane]
    unsupported: list[str] = field(default_factory=list)

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def incoming(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    @property
    def has_diagram(self) -> bool:
        return bool(self.nodes) and all(n.bounds for n in self.nodes.values())

    def order(self) -> list[str]:
        """Node ids in flow order (topological; ties by document order). Cycles are appended."""
        indeg = {n: 0 for n in self.nodes}
        for e in self.edges:
            if e.target in indeg and e.source in indeg:
                indeg[e.target] += 1
        ready = [n for n in self.nodes if indeg[n] == 0]
        out: list[str] = []
        seen = set()
        while ready:
            n = ready.pop(0)
            out.append(n)
            seen.add(n)
            for e in self.outgoing(n):
                if e.target in indeg:
                    indeg[e.target] -= 1
                    if indeg[e.target] == 0:
                        ready.append(e.target)
        return out + [n for n in self.nodes if n not in seen]


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "是")


def _parse_xml(xml: str | bytes):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FlowInvalid([_("BPMN 文件不是合法的 XML：%(err)s") % {"err": exc}]) from exc


def parse(xml: str | bytes) -> Graph:
    """Read the first executable process of a BPMN document into a Graph (no rule checks)."""
    root = _parse_xml(xml)
    processes = root.findall(_q(BPMN_NS, "process"))
    if not processes:
        raise FlowInvalid([_("BPMN 文件中没有流程（bpmn:process）。")])
    process = next((p for p in processes if p.get("isExecutable") == "true"), processes[0])
    nodes: dict[str, Node] = {}
    unsupported: list[str] = []
    lane_of: dict[str, str] = {}
    lanes: list[Lane] = []
    for lane_el in process.iter(_q(BPMN_NS, "lane")):
        refs = [r.text.strip() for r in lane_el.findall(_q(BPMN_NS, "flowNodeRef")) if r.text]
        lane = Lane(lane_el.get("id"), lane_el.get("name") or lane_el.get("id"), refs)
        lanes.append(lane)
        for ref in refs:
            lane_of[ref] = lane.name
    edges: list[Edge] = []
    defaults = set()
    for child in process:
        if not isinstance(child.tag, str):
            continue
        tag = etree.QName(child).localname
        if etree.QName(child).namespace != BPMN_NS:
            continue
        if tag in ("laneSet", "documentation", "extensionElements", "sequenceFlow"):
            continue
        if tag not in SUPPORTED_TAGS:
            if tag not in ("dataObject", "dataObjectReference", "textAnnotation", "association"):
                unsupported.append(f"{tag} {child.get('id')}")
            continue
        node = Node(
            child.get("id"),
            tag,
            (child.get("name") or "").strip(),
            lane_of.get(child.get("id"), ""),
        )
        if child.get("default"):
            defaults.add(child.get("default"))
        if node.is_task:
            node.step, node.missing = _read_step(child, node)
        nodes[node.id] = node
    for flow in process.findall(_q(BPMN_NS, "sequenceFlow")):
        cond = flow.find(_q(BPMN_NS, "conditionExpression"))
        edges.append(
            Edge(
                flow.get("id"),
                flow.get("sourceRef"),
                flow.get("targetRef"),
                (flow.get("name") or "").strip(),
                (cond.text or "").strip() if cond is not None else "",
                flow.get("id") in defaults,
            )
        )
    _read_diagram(root, nodes, edges, lanes)
    return Graph(process.get("id"), process.get("name") or "", nodes, edges, lanes, unsupported)


def _read_step(el, node: Node) -> tuple[Step | None, list[str]]:
    ext = el.find(f"{_q(BPMN_NS, 'extensionElements')}/{_q(WQ_NS, 'step')}")
    if ext is None:
        return None, ["kind", "limitDays", "unit", "post"]
    missing = []
    kind = (ext.get("kind") or "").strip()
    if not kind:
        missing.append("kind")
    try:
        limit = int(ext.get("limitDays", ""))
        if limit < 0:
            raise ValueError
    except ValueError:
        limit = 0
        missing.append("limitDays")
    unit, post = (ext.get("unit") or "").strip(), (ext.get("post") or "").strip()
    if not unit:
        missing.append("unit")
    if not post:
        missing.append("post")
    step = Step(
        node.id, node.name, kind, limit, _bool(ext.get("checkpoint")), unit, post, node.lane
    )
    return step, missing


def _read_diagram(root, nodes: dict[str, Node], edges: list[Edge], lanes: list[Lane]) -> None:
    by_edge = {e.id: e for e in edges}
    by_lane = {lane.id: lane for lane in lanes}
    for shape in root.iter(_q(BPMNDI_NS, "BPMNShape")):
        b = shape.find(_q(DC_NS, "Bounds"))
        if b is None:
            continue
        try:
            bounds = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
        except (TypeError, ValueError):
            continue
        ref = shape.get("bpmnElement")
        if ref in nodes:
            nodes[ref].bounds = bounds
        elif ref in by_lane:
            by_lane[ref].bounds = bounds
    for edge_el in root.iter(_q(BPMNDI_NS, "BPMNEdge")):
        edge = by_edge.get(edge_el.get("bpmnElement"))
        if edge is None:
            continue
        try:
            edge.waypoints = [
                (float(w.get("x")), float(w.get("y")))
                for w in edge_el.findall(_q(DI_NS, "waypoint"))
            ]
        except (TypeError, ValueError):
            edge.waypoints = []


def longest_path_days(graph: Graph) -> int:
    """The most working days any path from a start to an end can take (parallel: longest branch).

    Undefined on cycles (validate() refuses them first).
    """
    best: dict[str, int] = {}
    for nid in graph.order():
        node = graph.nodes[nid]
        own = node.step.limit_days if node.step else 0
        before = max((best.get(e.source, 0) for e in graph.incoming(nid)), default=0)
        best[nid] = before + own
    return max(best.values(), default=0)


def _cycle_dfs(graph: Graph) -> bool:
    colour: dict[str, int] = {}
    adj: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for e in graph.edges:
        if e.source in adj and e.target in adj:
            adj[e.source].append(e.target)
    for start in graph.nodes:
        if colour.get(start):
            continue
        stack = [(start, iter(adj[start]))]
        colour[start] = 1
        while stack:
            n, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[n] = 2
                stack.pop()
            elif colour.get(nxt) == 1:
                return True
            elif not colour.get(nxt):
                colour[nxt] = 1
                stack.append((nxt, iter(adj[nxt])))
    return False


def validate(xml: str | bytes, promised_days: int | None = None) -> list[str]:
    """Every rule a flow must meet to be saved (CAT-2, SUP-3); empty list = valid.

    - each task has a kind, a working-day limit and a post (unit code + post code);
    - there is a start event and an end event; every node is reachable from a start and reaches
      an end (no dead ends), no loops, every sequence flow joins known nodes;
    - the sum of step limits on any path fits the promised limit (parallel: longest branch);
    - review (审核) and approval (审批) are held by different posts (附件2 一: 审查与批准相分离);
    - SpiffWorkflow parses it.
    """
    try:
        graph = parse(xml)
    except FlowInvalid as exc:
        return exc.errors
    errors: list[str] = []
    labels = {
        "kind": _("环节类型"),
        "limitDays": _("办理时限"),
        "unit": _("单位"),
        "post": _("岗位"),
    }
    tasks = [n for n in graph.nodes.values() if n.is_task]
    if not tasks:
        errors.append(_("流程中没有办理环节（任务）。"))
    for bad in graph.unsupported:
        errors.append(_("不支持的 BPMN 元素：%(el)s。") % {"el": bad})
    for n in tasks:
        label = n.name or n.id
        if not n.name:
            errors.append(_("环节 %(id)s 没有名称。") % {"id": n.id})
        if n.missing:
            errors.append(
                _("环节“%(name)s”缺少%(what)s（wuquan:step）。")
                % {"name": label, "what": "、".join(str(labels[m]) for m in n.missing)}
            )
        elif n.step.kind not in STEP_KINDS:
            errors.append(
                _("环节“%(name)s”的类型“%(kind)s”不在规定范围（%(kinds)s）。")
                % {"name": label, "kind": n.step.kind, "kinds": "、".join(STEP_KINDS)}
            )
    starts = [n.id for n in graph.nodes.values() if n.tag == "startEvent"]
    ends = [n.id for n in graph.nodes.values() if n.tag == "endEvent"]
    if len(starts) != 1:
        errors.append(_("流程必须有且只有一个开始事件（现有 %(n)d 个）。") % {"n": len(starts)})
    if not ends:
        errors.append(_("流程没有结束事件。"))
    for e in graph.edges:
        if e.source not in graph.nodes or e.target not in graph.nodes:
            errors.append(_("顺序流 %(id)s 连接了不存在的节点。") % {"id": e.id})
    name = {nid: (n.name or n.id) for nid, n in graph.nodes.items()}
    fwd = _reach(graph, starts, forward=True)
    back = _reach(graph, ends, forward=False)
    for nid in graph.nodes:
        if starts and nid not in fwd:
            errors.append(_("节点“%(name)s”无法从开始事件到达。") % {"name": name[nid]})
        if ends and nid not in back:
            errors.append(_("节点“%(name)s”无法到达结束事件（流程断头）。") % {"name": name[nid]})
    for nid, n in graph.nodes.items():
        if nid in RESERVED_IDS:
            errors.append(_("节点编号“%(id)s”为流程引擎保留字，请改用其他编号。") % {"id": nid})
        if n.tag == "endEvent" and graph.outgoing(nid):
            errors.append(_("结束事件“%(name)s”不得有后续连线。") % {"name": name[nid]})
        if n.tag == "exclusiveGateway" and len(graph.outgoing(nid)) > 1:
            for e in graph.outgoing(nid):
                if not e.condition and not e.is_default:
                    errors.append(
                        _("条件分支“%(name)s”的连线 %(id)s 没有条件表达式，也不是默认分支。")
                        % {"name": name[nid], "id": e.name or e.id}
                    )
    cyclic = _cycle_dfs(graph)
    if cyclic:
        errors.append(_("流程不得含有回路（补正、退回由办件的中止/补正处理）。"))
    elif promised_days is not None and not errors:
        total = longest_path_days(graph)
        if total > promised_days:
            errors.append(
                _(
                    "各环节时限之和（最长路径 %(total)d 个工作日）超过承诺时限 %(promised)d 个工作日。"
                )
                % {"total": total, "promised": promised_days}
            )
    steps_ = [n.step for n in tasks if n.step and not n.missing]
    review = {(s.unit_code, s.post_code) for s in steps_ if s.kind == "审核"}
    approve = {(s.unit_code, s.post_code) for s in steps_ if s.kind == "审批"}
    for unit, post in sorted(review & approve):
        errors.append(
            _("审核与审批由同一岗位（%(unit)s/%(post)s）办理，违反审查与批准相分离。")
            % {"unit": unit, "post": post}
        )
    if not errors:
        try:
            from SpiffWorkflow.bpmn import BpmnWorkflow

            spec, subprocesses = _spiff_spec(
                xml if isinstance(xml, bytes) else xml.encode("utf-8"), graph.process_id
            )
            BpmnWorkflow(spec, subprocesses).do_engine_steps()
        except Exception as exc:  # noqa: BLE001 — any parser failure is a user-facing message
            errors.append(_("流程引擎无法解析该 BPMN：%(err)s") % {"err": exc})
    return errors


def check(xml: str | bytes, promised_days: int | None = None) -> Graph:
    """Validate and return the parsed graph, or raise FlowInvalid with every message."""
    errors = validate(xml, promised_days)
    if errors:
        raise FlowInvalid(errors)
    return parse(xml)


def _reach(graph: Graph, seeds: list[str], forward: bool) -> set[str]:
    seen = set(seeds)
    todo = list(seeds)
    while todo:
        n = todo.pop()
        nxt = (
            [e.target for e in graph.outgoing(n)]
            if forward
            else [e.source for e in graph.incoming(n)]
        )
        for m in nxt:
            if m not in seen and m in graph.nodes:
                seen.add(m)
                todo.append(m)
    return seen


# ---- SpiffWorkflow ---------------------------------------------------------------------------

_spec_cache: dict[tuple[int, str], tuple] = {}
_graph_cache: dict[tuple[int, str], Graph] = {}
_lock = threading.Lock()


def _spiff_spec(xml: bytes, process_id: str):
    from SpiffWorkflow.bpmn.parser import BpmnParser

    parser = BpmnParser()
    parser.add_bpmn_io(io.BytesIO(xml), "flow.bpmn")
    spec = parser.get_spec(process_id)
    subprocesses = parser.get_subprocess_specs(process_id)
    return spec, subprocesses


def _key(version) -> tuple[int, str]:
    return (version.pk or 0, version.checksum or version.digest(version.bpmn_xml))


def graph_of(version) -> Graph:
    """The parsed graph of a flow version (cached per version id + checksum)."""
    key = _key(version)
    graph = _graph_cache.get(key)
    if graph is None:
        graph = parse(version.bpmn_xml)
        with _lock:
            _graph_cache[key] = graph
    return graph


def steps(version) -> list[Step]:
    """The user tasks of a flow version in flow order, with kind, limit, checkpoint and post."""
    graph = graph_of(version)
    return [graph.nodes[n].step for n in graph.order() if graph.nodes[n].step is not None]


def step_map(version) -> dict[str, Step]:
    """Steps keyed by BPMN task id (= SpiffWorkflow task.task_spec.name)."""
    return {s.id: s for s in steps(version)}


def new_workflow(version):
    """A fresh SpiffWorkflow BpmnWorkflow for this flow version (spec parsed once per version).

    Complete user tasks with `task.data.update(...)`, `task.run()`, then
    `workflow.do_engine_steps()`; ready user tasks are
    `workflow.get_tasks(state=TaskState.READY, manual=True)`.
    """
    from SpiffWorkflow.bpmn import BpmnWorkflow

    key = _key(version)
    cached = _spec_cache.get(key)
    if cached is None:
        graph = graph_of(version)
        cached = _spiff_spec(version.bpmn_xml.encode("utf-8"), graph.process_id)
        with _lock:
            _spec_cache[key] = cached
    spec, subprocesses = cached
    return BpmnWorkflow(spec, subprocesses)


# ---- building BPMN from a step table ---------------------------------------------------------


@dataclass
class StepRow:
    """One row of the admin's step table.

    Consecutive rows with the same non-empty `group` run in parallel (并联审批). A row with a
    `condition` (a Python expression over case data, e.g. ``area_sqm > 500``) runs only when it
    holds: an exclusive gateway routes around it by a default flow.
    """

    name: str
    kind: str
    limit_days: int
    unit_code: str
    post_code: str
    lane: str = ""
    checkpoint: bool = False
    group: str = ""
    condition: str = ""


def build_bpmn(process_id: str, name: str, rows: list[StepRow]) -> str:
    """Generate executable BPMN 2.0 (lanes per post, a sequence, parallel groups, conditional
    steps) from a step table. No BPMNDI: the public diagram uses the automatic layout."""
    stages: list[list[tuple[str, StepRow]]] = []
    for i, row in enumerate(rows, 1):
        tid = f"Task_{i}"
        if row.group and stages and stages[-1][0][1].group == row.group:
            stages[-1].append((tid, row))
        else:
            stages.append([(tid, row)])
    lanes: dict[str, list[str]] = {}
    for tid, row in (r for st in stages for r in st):
        lanes.setdefault(row.lane or f"{row.unit_code}/{row.post_code}", []).append(tid)
    nodes_xml: list[str] = ['<bpmn:startEvent id="StartEvent_1" name="申请"/>']
    links: list[tuple[str, str, str, str]] = []  # source, target, condition, label
    prev = "StartEvent_1"
    for si, stage in enumerate(stages, 1):
        if len(stage) > 1:
            split, join = f"Split_{si}", f"Join_{si}"
            nodes_xml.append(f'<bpmn:parallelGateway id="{split}" name="并联审批"/>')
            nodes_xml.append(f'<bpmn:parallelGateway id="{join}"/>')
            links.append((prev, split, "", ""))
            for tid, _row in stage:
                links += [(split, tid, "", ""), (tid, join, "", "")]
            prev = join
        elif stage[0][1].condition:
            tid, row = stage[0]
            split, join = f"Cond_{si}", f"Merge_{si}"
            default_id = f"Flow_skip_{si}"
            nodes_xml.append(
                f'<bpmn:exclusiveGateway id="{split}" name={quoteattr(row.name + "？")} '
                f'default="{default_id}"/>'
            )
            nodes_xml.append(f'<bpmn:exclusiveGateway id="{join}"/>')
            links += [
                (prev, split, "", ""),
                (split, join, "", f"@{default_id}"),
                (split, tid, row.condition, row.condition),
                (tid, join, "", ""),
            ]
            prev = join
        else:
            tid = stage[0][0]
            links.append((prev, tid, "", ""))
            prev = tid
        for tid, row in stage:
            nodes_xml.append(
                f'<bpmn:userTask id="{tid}" name={quoteattr(row.name)}><bpmn:extensionElements>'
                f'<wuquan:step kind={quoteattr(row.kind)} limitDays="{int(row.limit_days)}" '
                f'checkpoint="{"true" if row.checkpoint else "false"}" unit={quoteattr(row.unit_code)} '
                f"post={quoteattr(row.post_code)}/></bpmn:extensionElements></bpmn:userTask>"
            )
    nodes_xml.append('<bpmn:endEvent id="EndEvent_1" name="办结"/>')
    links.append((prev, "EndEvent_1", "", ""))
    lane_xml = "".join(
        f'<bpmn:lane id="Lane_{i}" name={quoteattr(lane)}>'
        + "".join(f"<bpmn:flowNodeRef>{t}</bpmn:flowNodeRef>" for t in tids)
        + "</bpmn:lane>"
        for i, (lane, tids) in enumerate(lanes.items(), 1)
    )
    flow_xml = []
    for i, (src, dst, cond, label) in enumerate(links, 1):
        if label.startswith("@"):
            flow_xml.append(
                f'<bpmn:sequenceFlow id="{label[1:]}" name="否" sourceRef="{src}" targetRef="{dst}"/>'
            )
        elif cond:
            flow_xml.append(
                f'<bpmn:sequenceFlow id="Flow_{i}" name={quoteattr(label)} sourceRef="{src}" '
                f'targetRef="{dst}"><bpmn:conditionExpression>{escape(cond)}'
                "</bpmn:conditionExpression></bpmn:sequenceFlow>"
            )
        else:
            flow_xml.append(
                f'<bpmn:sequenceFlow id="Flow_{i}" sourceRef="{src}" targetRef="{dst}"/>'
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:wuquan="{WQ_NS}" '
        f'id="Defs_{escape(process_id)}" targetNamespace="{WQ_NS}">'
        f'<bpmn:process id="{escape(process_id)}" name={quoteattr(name)} isExecutable="true">'
        f"<bpmn:laneSet>{lane_xml}</bpmn:laneSet>{''.join(nodes_xml)}{''.join(flow_xml)}"
        "</bpmn:process></bpmn:definitions>\n"
    )


def parse_step_table(text: str) -> list[StepRow]:
    """Rows of `名称|类型|时限|单位编码|岗位编码|泳道|监督点(是/否)|并联组|条件` (admin form).

    Raises InvalidInput naming the line and field of the first bad row.
    """
    rows = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")] + [""] * 9
        try:
            limit = int(cells[2])
        except ValueError:
            raise InvalidInput(
                _("步骤表第 %(n)d 行：时限“%(v)s”不是整数。") % {"n": lineno, "v": cells[2]},
                field="step_table",
            ) from None
        if not cells[0] or not cells[3] or not cells[4]:
            raise InvalidInput(
                _("步骤表第 %(n)d 行：名称、单位编码、岗位编码不能为空。") % {"n": lineno},
                field="step_table",
            )
        rows.append(
            StepRow(
                cells[0],
                cells[1],
                limit,
                cells[3],
                cells[4],
                cells[5],
                _bool(cells[6]),
                cells[7],
                cells[8],
            )
        )
    if not rows:
        raise InvalidInput(_("步骤表为空。"), field="step_table")
    return rows
