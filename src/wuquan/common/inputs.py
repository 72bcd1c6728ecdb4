"""Input checks at the edge: one definition of "a text we accept" shared by forms, API schemas
and services (issue 13 finding 6; OWASP ASVS 5.0 V1.2/V2.2 "input validation").

Why here and not per field: PostgreSQL refuses a NUL byte in any text and an over-long value
in any `varchar(n)`, and each refusal was a 500, while SQLite silently stored both. So every
value is checked before it reaches the database, by the same rules on both:

- no control characters (C0 except tab/newline/carriage return, DEL, and the NUL that
  PostgreSQL cannot store); single-line fields also refuse newlines;
- a maximum length per kind of field (`NAME_MAX`, `ID_NUMBER_MAX`, …), equal to or below the
  model column it ends up in.

Three doors use these rules:
- `EdgeInputMiddleware` (common/middleware.py) refuses any request whose path, query string or
  form fields hold a control character, before a view runs (400);
- `SafeJSONParser` (common/api.py) does the same for every JSON body of the API;
- the typed schema fields below (`Name`, `IdNumber`, `Phone`, `Code`, `ShortText`, `LongText`)
  and `check_text()` carry the per-field lengths into API schemas and services alike.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, StringConstraints

from .exceptions import InvalidInput

# Characters nobody types: C0 controls except \t \n \r, and DEL. \x00 is the one PostgreSQL
# refuses outright (psycopg: "A string literal cannot contain NUL (0x00) characters").
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAK = re.compile(r"[\r\n]")

# Lengths, each at or below the column it is stored in (approvals.Case, Consultation, …).
NAME_MAX = 100  # a person's or a firm's name (Case.applicant_name is varchar(200))
ID_NUMBER_MAX = 18  # 居民身份证号码 and 统一社会信用代码 are both 18 characters
PHONE_MAX = 20  # Case.applicant_phone is varchar(30)
CODE_MAX = 64  # item codes, unit codes, receipt numbers, query codes, usernames
SHORT_TEXT_MAX = 300  # titles, subjects (Case.title is varchar(300))
LONG_TEXT_MAX = 5000  # opinions, questions, reasons
ANY_TEXT_MAX = 100_000  # the cap for any single value at the door, whatever the field


def has_control_chars(value: str, *, multiline: bool = True) -> bool:
    if CONTROL.search(value):
        return True
    return not multiline and bool(LINE_BREAK.search(value))


def check_text(
    value: Any,
    *,
    field: str,
    max_length: int,
    label: str = "",
    required: bool = False,
    multiline: bool = False,
) -> str:
    """The value as a stripped string, or InvalidInput naming `field`: too long, a control
    character, a line break in a single-line field, or empty when `required`."""
    text = "" if value is None else str(value).strip()
    what = label or _("该项")
    if required and not text:
        raise InvalidInput(_("请填写%(f)s。") % {"f": what}, field=field)
    if has_control_chars(text, multiline=multiline):
        raise InvalidInput(_("%(f)s含有不允许的控制字符。") % {"f": what}, field=field)
    if len(text) > max_length:
        raise InvalidInput(
            _("%(f)s不能超过 %(n)d 个字符。") % {"f": what, "n": max_length}, field=field
        )
    return text


def find_control_chars(data: Any, *, max_length: int = ANY_TEXT_MAX, _depth: int = 0) -> str:
    """Walk decoded JSON (or any nest of dicts/lists/strings); return a short reason when a
    key or string holds a control character or is longer than `max_length`, else ""."""
    if _depth > 32:
        return "nesting too deep"
    if isinstance(data, str):
        if CONTROL.search(data):
            return "control character"
        if len(data) > max_length:
            return "value too long"
        return ""
    if isinstance(data, dict):
        for key, value in data.items():
            reason = find_control_chars(key, max_length=max_length, _depth=_depth + 1)
            reason = reason or find_control_chars(value, max_length=max_length, _depth=_depth + 1)
            if reason:
                return reason
        return ""
    if isinstance(data, list | tuple):
        for value in data:
            reason = find_control_chars(value, max_length=max_length, _depth=_depth + 1)
            if reason:
                return reason
    return ""


# ---- typed fields for django-ninja / pydantic schemas ------------------------------------------


def _single_line(value: str) -> str:
    if has_control_chars(value, multiline=False):
        raise ValueError("must not contain control characters or line breaks")
    return value


def _multi_line(value: str) -> str:
    if has_control_chars(value, multiline=True):
        raise ValueError("must not contain control characters")
    return value


def line(max_length: int, min_length: int = 0):
    """A single-line schema string of at most `max_length` characters, stripped."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        AfterValidator(_single_line),
    ]


Name = line(NAME_MAX, 1)
OptionalName = line(NAME_MAX)
IdNumber = line(ID_NUMBER_MAX)
Phone = line(PHONE_MAX)
Code = line(CODE_MAX, 1)
OptionalCode = line(CODE_MAX)
ShortText = line(SHORT_TEXT_MAX)
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=LONG_TEXT_MAX),
    AfterValidator(_multi_line),
]


def check_flat_data(data: Any, *, field: str = "data", max_keys: int = 100) -> dict:
    """A free-form answers dict (an application's condition data): at most `max_keys` keys,
    keys short codes, values short single-line texts, numbers or booleans."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(_("申请数据格式不正确。"), field=field)
    if len(data) > max_keys:
        raise InvalidInput(_("申请数据项过多。"), field=field)
    for key, value in data.items():
        check_text(key, field=field, max_length=CODE_MAX)
        if isinstance(value, str):
            check_text(value, field=str(key), max_length=SHORT_TEXT_MAX, multiline=True)
        elif isinstance(value, list | tuple):
            for v in value[:50]:
                check_text(v, field=str(key), max_length=SHORT_TEXT_MAX, multiline=True)
            if len(value) > 50:
                raise InvalidInput(_("申请数据项过多。"), field=str(key))
        elif not (value is None or isinstance(value, bool | int | float)):
            raise InvalidInput(_("申请数据格式不正确。"), field=str(key))
    return data
