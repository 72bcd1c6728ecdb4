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
