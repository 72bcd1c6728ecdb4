"""The SpiffWorkflow side of a case: start, save/restore, run a task, list ready tasks (APR-3).

Kept apart from services so the benchmark can time the bare engine beside the full transition.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

from wuquan.catalog import flows


@lru_cache(maxsize=1)
def serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer()


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
