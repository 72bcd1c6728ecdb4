"""Set-up for the 一卡通 tests: valid resident IDs and Luhn-valid card numbers, a list file."""

from __future__ import annotations

import csv
import io

from stdnum import luhn
from stdnum.cn import ric


def rid(n: int) -> str:
    """A valid resident ID (region 110101, born 1990-03-07), sequence n."""
    base = f"11010119900307{n:03d}"
    return base + ric.calc_check_digit(base + "0")


def card(n: int) -> str:
    base = f"622202100000{n:06d}"
    return base + luhn.calc_check_digit(base)


NAMES = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八"]


def list_csv(rows) -> bytes:
    """rows: [(name, id, card, amount yuan or "", quantity)]"""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "身份证号", "银行卡号", "开户行", "数量", "金额（元）"])
    for name, id_number, number, amount, qty in rows:
        w.writerow([name, id_number, number, "农商银行", qty, amount])
    return buf.getvalue().encode("utf-8")


def people(k: int, start: int = 10, amount: str = "300.00"):
    return [(NAMES[i], rid(start + i), card(start + i), amount, 1) for i in range(k)]
