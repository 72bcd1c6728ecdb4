"""The SpiffWorkflow side of a case: start, save/restore, run a task, list ready tasks (APR-3).

Kept apart from services so the benchmark can time the bare engine beside the full transition.
"""

from __future__ import annotations

import ast
import json
from functools import lru_cache
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.util.task import TaskState

from wuquan.catalog import flows

# why: a stored case carries its flow's spec (about half of the JSON); restoring those spec
# objects on every transition was a third of the restore. The same spec text restores to the
# same (immutable, shareable — flows.new_workflow shares one per version) spec objects, and
# the same spec objects convert to the same dict, so both directions are kept here. The JSON
# stored is unchanged.
_CACHE_SIZE = 256
_restored: dict[str, tuple] = {}
_converted: dict[tuple[int, int], tuple] = {}


class _SpecCachingConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        key = (id(workflow.spec), id(workflow.subprocess_specs))
        hit = _converted.get(key)
        if hit is None or hit[0] is not workflow.spec or hit[1] is not workflow.subprocess_specs:
            hit = (
                workflow.spec,
                workflow.subprocess_specs,
                self.registry.convert(workflow.spec),
                self.mapping_to_dict(workflow.subprocess_specs),
            )
            if len(_converted) >= _CACHE_SIZE:
                _converted.clear()
            _converted[key] = hit
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["spec"] = hit[2]
        dct["subprocess_specs"] = hit[3]
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec_dct = dct.pop("spec")
        subs_dct = dct.pop("subprocess_specs", {})
        key = json.dumps([spec_dct, subs_dct], sort_keys=True)
        hit = _restored.get(key)
        if hit is None:
            hit = (self.registry.restore(spec_dct), self.mapping_from_dict(subs_dct))
            if len(_restored) >= _CACHE_SIZE:
                _restored.clear()
            _restored[key] = hit
        spec, subprocess_specs = hit
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


@lru_cache(maxsize=1)
def serializer() -> BpmnWorkflowSerializer:
    config = {**DEFAULT_CONFIG, BpmnWorkflow: _SpecCachingConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def dump(workflow) -> str:
    return serializer().serialize_json(workflow)


def load(state: str):
    return serializer().deserialize_json(state)


def ready_tasks(workflow) -> list:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def start(version, data: dict):
    """A new workflow of `version` run up to its first user task(s)."""
    workflow = flows.new_workflow(version)
    workflow.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def run_task(workflow, task_id: str, data: dict) -> None:
    """Complete the ready user task `task_id` with `data` and run the engine on."""
    task = find_ready(workflow, task_id)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


def find_ready(workflow, task_id: str):
    for task in ready_tasks(workflow):
        if str(task.id) == task_id:
            return task
    return None


def cancel(workflow) -> None:
    workflow.cancel()


def condition_fields(version) -> dict[str, str]:
    """The case-data fields the flow's gateway conditions read: name → "number" | "bool".

    The application form asks for these so exclusive gateways route on case data (APR-3).
    """
    return _fields_of(tuple(e.condition for e in flows.graph_of(version).edges if e.condition))


@lru_cache(maxsize=256)
def _fields_of(conditions: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for cond in conditions:
        try:
            tree = ast.parse(cond, mode="eval")
        except SyntaxError:
            continue
        booleans = {
            n.left.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Compare)
            and isinstance(n.left, ast.Name)
            and any(
                isinstance(c, ast.Constant) and isinstance(c.value, bool) for c in n.comparators
            )
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in ("True", "False", "None"):
                out[node.id] = "bool" if node.id in booleans else "number"
    return out
