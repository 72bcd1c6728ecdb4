"""Identity numbers: validation and the one masking function for everything public (PUB-9).

python-stdnum checks the checksum, but only after we full-match the shape ourselves
(`\\A...\\Z`: a bare `$` would let a trailing newline through), and never lets it raise:
`stdnum.cn.ric.is_valid` has been measured raising KeyError for unknown region prefixes.
"""

from __future__ import annotations

import re

from stdnum.cn import ric, uscc

RIC_SHAPE = re.compile(r"\A[0-9]{17}[0-9X]\Z")
PHONE_SHAPE = re.compile(r"\A\+?[0-9][0-9 -]{5,19}\Z")
# Mainland mobiles (11 digits, 1[3-9]…) and landlines (0 + area code + 7–8 digits, an
# optional extension), after spaces and dashes are taken out.
MOBILE_SHAPE = re.compile(r"\A(?:\+?86)?1[3-9][0-9]{9}\Z")
LANDLINE_SHAPE = re.compile(r"\A0[0-9]{2,3}[0-9]{7,8}(?:[#*][0-9]{1,6})?\Z")
# 统一社会信用代码 (GB 32100-2015): registration authority (1-9, A, N 农业 e.g. village
# collective economic organisations, Y other), organisation type, 6-digit region, 9-character
# organisation code, check character; letters I, O, S, V, Z are never used.
USCC_SHAPE = re.compile(
    r"\A[1-9ANY][0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{9}[0-9A-HJ-NP-RTUW-Y]\Z"
)


def is_valid_ric(value) -> bool:
    """True when `value` is an 18-character resident identity number with a valid checksum,
    region and birth date (居民身份证号码). Never raises; anything else is False."""
    if not isinstance(value, str) or not RIC_SHAPE.match(value):
        return False
    try:
        return bool(ric.is_valid(value))
    except Exception:  # why: stdnum raises KeyError/ValueError on some region codes
        return False


def normalise_id_number(value) -> str:
    """Strip spaces, upper-case, full-width digits and letters to ASCII (a villager's IME)."""
    text = "" if value is None else str(value)
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return re.sub(r"\s", "", text).upper()


def normalise_phone(value) -> str:
    """Digits (and a leading +, a # or * extension) only: spaces, dashes, brackets removed;
    full-width digits to ASCII."""
    text = "" if value is None else str(value)
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return re.sub(r"[\s()\-（）]", "", text)


def is_valid_phone(value) -> bool:
    """A mainland mobile or landline number (after `normalise_phone`). Never raises."""
    if not isinstance(value, str):
        return False
    return bool(MOBILE_SHAPE.match(value) or LANDLINE_SHAPE.match(value))


def clean_applicant(name, id_number="", phone="") -> tuple[str, str, str]:
    """An applicant as it may be stored (issue 12 finding 4; APR-1, PUB-9): a name of
    1–100 characters on one line; an ID number that is either a valid 居民身份证号码 or a
    valid 统一社会信用代码 (or none); a mainland mobile or landline phone (or none). Raises
    InvalidInput naming the field; the same check for the portal form, the window and the API.
    """
    from django.utils.translation import gettext as _

    from .exceptions import InvalidInput
    from .inputs import NAME_MAX, check_text

    name = check_text(
        name,
        field="applicant_name",
        max_length=NAME_MAX,
        label=_("申请人姓名或单位名称"),
        required=True,
    )
    id_number = normalise_id_number(id_number)
    if id_number and not (is_valid_ric(id_number) or is_valid_uscc(id_number)):
        raise InvalidInput(
            _("证件号码不正确：请填写18位居民身份证号码或统一社会信用代码。"),
            field="applicant_id_number",
        )
    phone = normalise_phone(phone)
    if phone and not is_valid_phone(phone):
        raise InvalidInput(
            _("联系电话不正确：请填写11位手机号码或带区号的固定电话。"), field="applicant_phone"
        )
    return name, id_number, phone


def mask_ric(value) -> str:
    """Public form of an ID number: first 6 (region) and last 4 kept (PUB-9):
    `110105********002X`. Anything that is not ID-shaped is masked entirely."""
    if not value:
        return ""
    value = str(value).strip()
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) == 15:  # first-generation cards
        return value[:6] + "*" * 5 + value[-4:]
    return "*" * len(value)


def mask_phone(value) -> str:
    """Public form of a phone number: `138****5678` for mobiles; for anything else only the
    last 4 digits stay visible (PUB-9)."""
    if not value:
        return ""
    digits = re.sub(r"\D", "", str(value))
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def is_valid_uscc(value) -> bool:
    """True when `value` is an 18-character 统一社会信用代码 with a valid check character.

    python-stdnum's `cn.uscc.validate` requires the first 8 characters to be digits, which
    refuses the codes registration authority N (农业农村部门: 农村集体经济组织 "N1…",
    农民专业合作社 "N2…") and Y give; the shape is matched here and stdnum's check-character
    function (the GB 32100 weights) is reused. Never raises."""
    if not isinstance(value, str) or not USCC_SHAPE.match(value):
        return False
    try:
        return uscc.calc_check_digit(value[:17]) == value[17]
    except Exception:  # why: never let a library error through (see module docstring)
        return False


def mask_name(value) -> str:
    """Public form of a private person's name: the surname only, `张**` (PUB-9)."""
    if not value:
        return ""
    value = str(value).strip()
    return value[:1] + "*" * max(len(value) - 1, 1)
