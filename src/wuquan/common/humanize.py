"""People, cases, events and rules by their names, not their internals (issue 12, finding 7).

Staff pages used to show `user:window`, `approvals.casestep 316`, `approvals.case.accepted`
and `{'person': 34}`. These helpers turn each internal into what a clerk says:

- `actor_label("user:window")`        -> "李娜（政务服务中心·综合受理窗口）"
- `subject_label("approvals.case", 7)` -> ("办件 LT-20261201-0001 食品经营许可", "/staff/approvals/cases/7/")
- `event_label("approvals.case.accepted")` -> "受理"
- `input_rows({"person": 34, "head_post": 166})` -> [("人员", "王磊"), ("主要负责人岗位", "住建局·局长")]

Apps add their own event names without editing this file: a module `<app>/events.py` with a
dict `LABELS = {"<app>.<noun>.<verb>": "中文名"}` is read when present.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Chinese names of the events of the apps that existed when this was written; `<app>/events.py`
# `LABELS` adds to (and overrides) them.
EVENT_LABELS = {
    "approvals.case.submitted": _("提交申请"),
    "approvals.case.accepted": _("受理"),
    "approvals.case.refused": _("不予受理"),
    "approvals.case.suspended": _("中止计时"),
    "approvals.case.resumed": _("恢复计时"),
    "approvals.case.result": _("作出审批决定"),
    "approvals.case.delivered": _("送达"),
    "approvals.case.withdrawn": _("撤回申请"),
    "approvals.case.code_reissued": _("补发查询码"),
    "approvals.step.claimed": _("认领环节"),
    "approvals.step.completed": _("办结环节"),
    "approvals.fee.charged": _("收费"),
    "approvals.token.issued": _("发放接口令牌"),
    "approvals.consultation.asked": _("网上咨询"),
    "approvals.consultation.answered": _("答复咨询"),
    "catalog.flow.drafted": _("拟订流程新版本"),
    "catalog.flow.published": _("发布流程"),
    "supervision.alarm.raised": _("报警"),
    "supervision.alarm.assigned": _("交办"),
    "supervision.alarm.answered": _("单位回复"),
    "supervision.alarm.accepted": _("审核通过"),
    "supervision.alarm.sent_back": _("退回重办"),
    "supervision.alarm.closed": _("办结报警"),
    "supervision.alarm.condition_cleared": _("报警条件消除"),
    "supervision.alarm.condition_returned": _("报警条件再现"),
    "supervision.rule_setting.changed": _("调整监察阈值"),
    "supervision.inspection_round.created": _("部署巡查"),
    "supervision.inspection.filed": _("登记巡查记录"),
    "supervision.complaint.filed": _("投诉举报"),
    "decisions.meeting.created": _("召集会议"),
    "decisions.meeting.attendance": _("登记出席"),
    "decisions.meeting.closed": _("结束会议"),
    "decisions.materials.sent": _("送达会议材料"),
    "decisions.item.proposed": _("提出议题"),
    "decisions.item.scheduled": _("列入议程"),
    "decisions.item.opened": _("开始审议"),
    "decisions.item.deferred": _("暂缓表决"),
    "decisions.item.published": _("公开决策"),
    "decisions.item.filed": _("向上级备案"),
    "decisions.statement.made": _("发表意见"),
    "decisions.vote.started": _("开始表决"),
    "decisions.vote.cast": _("投票"),
    "decisions.vote.closed": _("结束表决"),
    "decisions.ballot.voted": _("无记名投票"),
    "decisions.ballot.entered": _("录入选票"),
    "decisions.execution.reported": _("报告执行情况"),
    "decisions.reconsideration.opened": _("提请复议"),
    "decisions.reconsideration.decided": _("复议决定"),
    "decisions.catalog.added": _("增列决策事项"),
    "decisions.village.created": _("启动“六步决策”"),
    "decisions.village.step": _("完成决策步骤"),
    "decisions.village.objection": _("提出异议"),
    "decisions.village.voided": _("决策作废"),
    "evaluation.subject.added": _("增加测评对象"),
    "evaluation.codes.issued": _("发放测评码"),
    "evaluation.voting.opened": _("开始测评"),
    "evaluation.voting.closed": _("结束测评"),
    "evaluation.ballot.cast": _("网上测评"),
    "evaluation.paper.entered": _("录入纸质测评表"),
    "evaluation.paper.rekey": _("复核录入"),
    "evaluation.paper.mismatch": _("两次录入不一致"),
    "evaluation.paper.counted": _("计入纸质测评表"),
    "evaluation.question.answered": _("答复群众提问"),
    "evaluation.recall.petition": _("罢免联名"),
    "evaluation.recall.flagged": _("提示启动罢免"),
    "evaluation.flag.resign_or_recall": _("提示辞职或罢免"),
    "evaluation.report": _("测评报告"),
    "workplan.task.loaded": _("载入任务分工"),
    "workplan.task.created": _("新增任务"),
    "workplan.task.changed": _("调整任务"),
    "workdays.schedule.loaded": _("载入节假日安排"),
    "workdays.deadline.recomputed": _("重新计算期限"),
    "org.unit.created": _("新设单位"),
    "org.unit.changed": _("调整单位"),
    "org.unit.deleted": _("撤销单位"),
    "org.post.created": _("新设岗位"),
    "org.post.changed": _("调整岗位"),
    "org.post.deleted": _("撤销岗位"),
    "org.person.created": _("登记人员"),
    "org.person.changed": _("变更人员信息"),
    "org.appointment.started": _("任职"),
    "org.appointment.changed": _("调整任职"),
    "org.appointment.deleted": _("删除任职"),
    "org.account.created": _("开设账号"),
    "org.account.linked": _("关联账号"),
    "org.account.roles": _("调整角色"),
    "ledger.checkpoint.signed": _("签署检查点"),
}

# Names of the keys that alarms, findings and payloads use, for a labelled table.
INPUT_LABELS = {
    "person": _("人员"),
    "person_id": _("人员"),
    "post": _("岗位"),
    "post_id": _("岗位"),
    "head_post": _("主要负责人岗位"),
    "unit": _("单位"),
    "unit_id": _("单位"),
    "case": _("办件"),
    "case_id": _("办件"),
    "step": _("环节"),
    "step_id": _("环节"),
    "step_name": _("环节"),
    "step_kind": _("环节类型"),
    "item": _("事项"),
    "item_id": _("事项"),
    "item_code": _("事项编码"),
    "receipt_no": _("受理编号"),
    "application_no": _("申请编号"),
    "deadline": _("期限"),
    "due": _("承诺办结日"),
    "days": _("天数"),
    "days_over": _("超期天数"),
    "working_days": _("工作日"),
    "limit_days": _("时限（工作日）"),
    "provisional": _("期限依据临时日历"),
    "amount": _("金额"),
    "amount_fen": _("金额（分）"),
    "fee": _("收费项目"),
    "fee_id": _("收费项目"),
    "threshold": _("阈值"),
    "count": _("次数"),
    "years": _("年限"),
    "started": _("开始"),
    "start": _("开始"),
    "end": _("结束"),
    "meeting": _("会议"),
    "meeting_id": _("会议"),
    "user": _("账号"),
    "kind": _("类型"),
    "status": _("状态"),
    "event_index": _("运行记录序号"),
}

# subject type -> (url name taking the pk, or None)
_SUBJECT_URLS = {
    "approvals.case": "approvals:case",
    "supervision.alarm": "supervision:alarm",
}


@lru_cache(maxsize=1)
def _app_labels() -> dict:
    labels = dict(EVENT_LABELS)
    for dotted in settings.WUQUAN_APPS:
        if find_spec(f"{dotted}.events"):
            module = import_module(f"{dotted}.events")
            labels.update(getattr(module, "LABELS", {}) or {})
    return labels


def event_label(action: str) -> str:
    """The Chinese name of an event; an unknown one keeps its dotted name."""
    return str(_app_labels().get(action, action))


def _model(subject_type: str):
    try:
        return apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None


def _url(name: str, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def subject_label(subject_type: str, subject_id) -> tuple[str, str]:
    """(what it is, in words; a staff URL or "") for a ledger/alarm subject."""
    if not subject_type:
        return "—", ""
    model = _model(subject_type)
    if model is None:
        return f"{subject_type} {subject_id}".strip(), ""
    obj = model._default_manager.filter(pk=subject_id).first() if subject_id else None
    noun = str(model._meta.verbose_name)
    if obj is None:
        return f"{noun}（{_('已不存在')}）", ""
    if subject_type == "approvals.case":
        return f"{noun} {obj.number} {obj.item.name}", _url("approvals:case", obj.pk)
    if subject_type == "approvals.casestep":
        case = obj.case
        return (
            f"{_('办件')} {case.number} · {_('环节')}“{obj.name}”",
            _url("approvals:case", case.pk),
        )
    if subject_type == "approvals.charge":
        return f"{_('办件')} {obj.case.number} · {noun}", _url("approvals:case", obj.case_id)
    url_name = _SUBJECT_URLS.get(subject_type)
    url = _url(url_name, obj.pk) if url_name else ""
    if not url and hasattr(obj, "get_absolute_url"):
        try:
            url = obj.get_absolute_url()
        except Exception:  # noqa: BLE001 — a broken link is not worth a broken page
            url = ""
    return f"{noun} {obj}", url


def person_label(person, on=None) -> str:
    """A person by name and current post(s)."""
    from wuquan.org.selectors import posts_held

    if person is None:
        return "—"
    posts = [str(p) for p in posts_held(person, on).select_related("unit")[:2]]
    return f"{person.name}（{'、'.join(posts)}）" if posts else person.name


def user_label(user) -> str:
    """A user account by its person's name and post; the username only when no person."""
    from wuquan.org.selectors import person_of

    if user is None:
        return "—"
    person = person_of(user)
    if person is not None:
        return person_label(person)
    return user.get_full_name() or user.get_username()


def actor_label(actor: str) -> str:
    """A ledger actor string (`user:<username>`, `applicant:<number>`, `system`, ...) in words.
    Applicants are named by their case number, never by their (private) name."""
    from django.contrib.auth import get_user_model

    if not actor or actor == "system":
        return str(_("系统"))
    kind, _sep, rest = actor.partition(":")
    if kind == "user":
        user = get_user_model()._default_manager.filter(username=rest).first()
        return user_label(user) if user else rest
    if kind == "applicant":
        return f"{_('申请人')}（{rest}）"
    if kind in ("voter", "public"):
        return str(_("群众"))
    parts = actor.split(":")
    if len(parts) >= 3:  # "<app.model>:<pk>:<name>"
        return parts[2]
    return actor


def _value_label(key: str, value):
    from wuquan.org.models import Person, Post, Unit

    base = key[:-3] if key.endswith("_id") else key
    lookup = {"person": Person, "post": Post, "head_post": Post, "unit": Unit}
    model = lookup.get(base) or (Post if base.endswith("_post") else None)
    if model is not None and isinstance(value, int | str) and str(value).isdigit():
        obj = model.objects.filter(pk=value).first()
        if obj is not None:
            return person_label(obj) if model is Person else str(obj)
    if base in ("case",) and str(value).isdigit():
        text, _url_ = subject_label("approvals.case", value)
        return text
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{INPUT_LABELS.get(k, k)}：{v}" for k, v in value.items())
    return value


def input_rows(inputs: dict | None) -> list[tuple[str, object]]:
    """An alarm's inputs as (label, value in words) rows for a table."""
    rows = []
    for key, value in (inputs or {}).items():
        rows.append((str(INPUT_LABELS.get(key, key)), _value_label(key, value)))
    return rows
