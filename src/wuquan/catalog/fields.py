"""The application form of an item as the catalog defines it (issue 12, finding 2).

`form_fields(item)` lists the fields a person fills in: each catalog `FormField` (Chinese label,
type, unit, required, help text, choices), then any name the item's published flow conditions
read that the catalog has not defined yet (shown with its bare name and flagged `defined=False`
so the catalog keeper sees the gap; the form still works). `validate(fields, raw)` checks all of
them at once and returns typed values plus every error by field; `condition_text(expr, fields)`
turns ``area_sqm > 500`` into ``经营场所面积 > 500 平方米`` for diagrams.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .models import FieldKind

TRUE_VALUES = (True, 1, "1", "true", "True", "on", "yes", "是")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = FieldKind.NUMBER
    unit: str = ""
    required: bool = True
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    defined: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def display_label(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label

    @property
    def is_bool(self) -> bool:
        return self.kind == FieldKind.BOOL

    @property
    def is_choice(self) -> bool:
        return self.kind == FieldKind.CHOICE

    @property
    def is_numeric(self) -> bool:
        return self.kind in (FieldKind.NUMBER, FieldKind.INTEGER)

    @property
    def is_text(self) -> bool:
        return self.kind == FieldKind.TEXT


def condition_names(conditions) -> dict[str, str]:
    """Names read by gateway conditions: name -> "bool" | "number"."""
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


def _spec(f) -> FieldSpec:
    return FieldSpec(
        name=f.name,
        label=f.label,
        kind=f.kind,
        unit=f.unit,
        required=f.required,
        help_text=f.help_text,
        choices=tuple((str(v), str(lbl)) for v, lbl in (f.choices or [])),
        min_value=f.min_value,
        max_value=f.max_value,
    )


def form_fields(item, version=None) -> list[FieldSpec]:
    """The catalog's fields of `item`, then undefined condition names of its flow."""
    from . import flows

    specs = [_spec(f) for f in item.form_fields.all()]
    version = version if version is not None else item.published_flow()
    if version is not None:
        conds = tuple(e.condition for e in flows.graph_of(version).edges if e.condition)
        read = condition_names(conds)
        # why: a name the flow routes on cannot be left empty (the condition could not run)
        specs = [
            replace(s, required=True) if s.name in read and not s.is_bool else s for s in specs
        ]
        known = {s.name for s in specs}
        for name, kind in read.items():
            if name not in known:
                specs.append(
                    FieldSpec(
                        name=name,
                        label=name,
                        kind=FieldKind.BOOL if kind == "bool" else FieldKind.NUMBER,
                        required=kind != "bool",
                        defined=False,
                    )
                )
    return specs


def validate(specs: list[FieldSpec], raw) -> tuple[dict[str, Any], dict[str, str]]:
    """(typed values, {field name: error}) — every field checked, every error reported."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for s in specs:
        value = raw.get(s.name) if raw is not None else None
        if isinstance(value, str):
            value = value.strip()
        if s.is_bool:
            clean[s.name] = value in TRUE_VALUES
            continue
        if value in (None, ""):
            if s.required:
                errors[s.name] = _("请填写“%(f)s”。") % {"f": s.label}
            elif s.is_numeric:
                clean[s.name] = None
            else:
                clean[s.name] = ""
            continue
        if s.is_choice:
            allowed = {v for v, _lbl in s.choices}
            if str(value) not in allowed:
                errors[s.name] = _("“%(f)s”请从列出的选项中选择。") % {"f": s.label}
            else:
                clean[s.name] = str(value)
            continue
        if s.is_text:
            text = str(value)
            if len(text) > 500:
                errors[s.name] = _("“%(f)s”不能超过 500 个字。") % {"f": s.label}
            else:
                clean[s.name] = text
            continue
        try:
            number = Decimal(str(value).replace(",", "").replace("，", ""))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[s.name] = _("“%(f)s”应填数字%(u)s。") % {
                "f": s.label,
                "u": _("（单位：%(u)s）") % {"u": s.unit} if s.unit else "",
            }
            continue
        if s.kind == FieldKind.INTEGER and number != number.to_integral_value():
            errors[s.name] = _("“%(f)s”应填整数。") % {"f": s.label}
            continue
        if s.min_value is not None and number < s.min_value:
            errors[s.name] = _("“%(f)s”不能小于 %(n)s%(u)s。") % {
                "f": s.label,
                "n": _plain(s.min_value),
                "u": s.unit,
            }
            continue
        if s.max_value is not None and number > s.max_value:
            errors[s.name] = _("“%(f)s”不能大于 %(n)s%(u)s。") % {
                "f": s.label,
                "n": _plain(s.max_value),
                "u": s.unit,
            }
            continue
        clean[s.name] = int(number) if number == number.to_integral_value() else float(number)
    return clean, errors


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


_OPS = {
    ast.Gt: ">",
    ast.GtE: "≥",
    ast.Lt: "<",
    ast.LtE: "≤",
    ast.Eq: "=",
    ast.NotEq: "≠",
}


def condition_text(expr: str, specs: list[FieldSpec] | dict) -> str:
    """A gateway condition in the catalog's words: ``area_sqm > 500`` -> ``经营场所面积 > 500
    平方米``; ``cold_chain == True`` -> ``涉及冷链：是``. Unparseable text is returned with the
    names replaced."""
    by_name = specs if isinstance(specs, dict) else {s.name: s for s in specs}

    def label(name):
        s = by_name.get(name)
        return (s.label, s.unit) if s else (name, "")

    def value_text(node, unit):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return _("是") if node.value else _("否")
            return f"{node.value} {unit}".strip()
        if isinstance(node, ast.Name):
            return label(node.id)[0]
        return ast.unparse(node)

    def walk(node) -> str:
        if isinstance(node, ast.BoolOp):
            joiner = _(" 且 ") if isinstance(node.op, ast.And) else _(" 或 ")
            return joiner.join(walk(v) for v in node.values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return _("非（%(x)s）") % {"x": walk(node.operand)}
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and len(node.ops) == 1:
            name, unit = label(node.left.id)
            right = node.comparators[0]
            if isinstance(right, ast.Constant) and isinstance(right.value, bool):
                if isinstance(node.ops[0], ast.NotEq):
                    return f"{name}：{value_text(ast.Constant(not right.value), unit)}"
                return f"{name}：{value_text(right, unit)}"
            op = _OPS.get(type(node.ops[0]), "?")
            return f"{name} {op} {value_text(right, unit)}"
        if isinstance(node, ast.Name):
            return f"{label(node.id)[0]}：{_('是')}"
        return ast.unparse(node)

    try:
        return walk(ast.parse(expr, mode="eval").body)
    except SyntaxError:
        out = expr
        for name, s in by_name.items():
            out = out.replace(name, s.label)
        return out
