"""Demo: 乌拉街满族镇's 三资代理服务中心 keeps the books of three villages and a community for
2025 — opening balances, budgets on six-step matters, about 340 vouchers (receipts, payments
through 联签会审), every month reconciled, closed and published — and one planted breach per
rule of collective/rules.py (see PLANTED), found by its rule; nothing else is flagged.

Everything goes through the services; `load` is idempotent (a second run finds the books).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wuquan.org.models import Post, Unit, UnitKind

from . import services
from .models import Book, Disclosure, Period, Step

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2025
TOWNSHIP = "wulajie"
UNITS = [
    ("hantun", "韩屯村", UnitKind.VILLAGE),
    ("jiujie", "旧街村", UnitKind.VILLAGE),
    ("xiaotun", "小屯村", UnitKind.VILLAGE),
    ("wlj-shequ", "乌拉街社区", UnitKind.COMMUNITY),
]
POSTS = [
    ("secretary", "党组织书记", "A", {"is_head": True}),
    ("director", "村（居）委会主任", "A", {"is_deputy": True, "areas": ["finance"]}),
    ("accountant", "报账员", "B", {}),
    ("supervision-chair", "村（居）务监督委员会主任", "B", {}),
]
OFFICER_NAMES = {
    "accountant": "报账员",
    "supervision-chair": "监委会主任",
    "director": "主任",
    "secretary": "书记",
}

# rule code → (book code, what was planted)
PLANTED = {
    "FIN-11-budget-first": ("xiaotun", "导入的历史付款：其他支出无预算"),
    "FIN-8-joint-sign-off": ("xiaotun", "导入的历史付款：主任在监委会审核之前签字"),
    "FIN-13-deposit-late": ("jiujie", "4月3日收取现金800元，4月14日才存入银行"),
    "FIN-13-cash-over-limit": ("xiaotun", "6月9日收取现金8000元，库存现金超限额"),
    "FIN-13-cash-payment-limit": ("hantun", "8月以现金支付1500元"),
    "FIN-13-bank-mismatch": ("wlj-shequ", "12月对账单比账面多12000元（小金库信号）"),
    "PUB-7-disclosure-late": ("wlj-shequ", "12月对账不符未能结账，未按期公开"),
    "PUB-7-disclosure-changed": ("jiujie", "3月公开后重新开账更正分录"),
    "DEC-10-major-payment-six-steps": ("jiujie", "导入的历史付款6万元，未经六步工作法"),
}


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def ensure_units() -> dict[str, Unit]:
    from wuquan.org.services import ensure_post, ensure_unit

    town = Unit.objects.get(code=TOWNSHIP)
    out = {}
    for i, (code, name, kind) in enumerate(UNITS, start=1):
        unit = ensure_unit(code, name, kind, town, sort=10_000 + i)
        for pcode, pname, risk, extra in POSTS:
            if not Post.objects.filter(unit=unit, code=pcode).exists():
                ensure_post(unit, pcode, pname, risk, **extra)
        out[code] = unit
    return out


def officers(unit: Unit) -> dict[str, object]:
    """A staff account for each village post (login = `<unit>-<post>`), reusing any holder
    that already has one (韩屯村's 监委会主任 is the org demo's `cunjian`)."""
    from wuquan.org.services import ensure_post_account

    out = {}
    for pcode, _name, _risk, _extra in POSTS:
        post = Post.objects.get(unit=unit, code=pcode)
        out[pcode] = ensure_post_account(
            post, f"{unit.code}-{pcode}", f"{unit.name}{OFFICER_NAMES[pcode]}"
        )
    return out


def _matter(unit, title, d0: date):
    from wuquan.decisions import village
    from wuquan.decisions.models import VillageMatter

    found = VillageMatter.objects.filter(village=unit, title=title).first()
    if found:
        return found
    m = village.do_create_village_matter(unit, title, notice_days=5, actor="demo")
    for n, off in zip(range(1, 7), [0, 1, 2, 3, 9, 10], strict=True):
        extra = {}
        if n == 5:
            extra = dict(
                assembly_kind="representatives", eligible=31, attended=27, yes=24, no=2, abstain=1
            )
        village.do_record_village_step(
            m,
            n,
            d0 + timedelta(days=off),
            "村两委成员、党员代表、村民代表",
            f"{title}：第{n}步",
            "会议记录.pdf",
            **extra,
            actor="demo",
        )
    m.refresh_from_db()
    return m


def _request(
    book,
    people,
    centre,
    on,
    summary,
    amount,
    account,
    counterparty,
    *,
    person=False,
    project="",
    matter=None,
):
    req = services.do_create_request(
        book,
        on,
        summary,
        amount,
        account,
        counterparty,
        actor=people["accountant"],
        at=at(on, 9),
        counterparty_is_person=person,
        project=project,
        matter=matter,
        attachments=[(f"{summary}-发票.pdf", f"{book.code}{on}{summary}{amount}".encode())],
    )
    services.do_sign_request(
        req, Step.SUPERVISION, actor=people["supervision-chair"], at=at(on, 10)
    )
    services.do_sign_request(req, Step.HEAD, actor=people["director"], at=at(on, 11))
    services.do_sign_request(req, Step.SECRETARY, actor=people["secretary"], at=at(on, 14))
    return services.do_book_request(req, actor=centre, at=at(on, 16))


def _receipt(book, centre, on, summary, amount, credit, *, cash=False, counterparty=""):
    return services.do_post_voucher(
        book,
        "receipt",
        on,
        summary,
        [
            {
                "account": "1001" if cash else "1002",
                "side": "D",
                "amount": amount,
                "counterparty": counterparty,
            },
            {"account": credit, "side": "C", "amount": amount, "counterparty": counterparty},
        ],
        [(f"{summary}.pdf", f"{book.code}{on}{summary}".encode())],
        actor=centre,
        at=at(on, 15),
    )


def _deposit(book, centre, on, amount):
    return services.do_post_voucher(
        book,
        "transfer",
        on,
        "现金存入银行",
        [
            {"account": "1002", "side": "D", "amount": amount},
            {"account": "1001", "side": "C", "amount": amount},
        ],
        [("存款回单.pdf", f"{book.code}{on}deposit".encode())],
        actor=centre,
        at=at(on, 16),
    )


def _close(book, centre, y, m, *, statement=None):
    nxt = date(y + (m == 12), m % 12 + 1, 3)
    if statement is None:
        content, name = services.statement_from_books(book, y, m)
    else:
        content, name = statement
    services.do_import_statement(book, y, m, content, name, actor=centre, at=at(nxt, 9))
    if statement is not None:
        return
    services.do_close_period(book, y, m, actor=centre, at=at(nxt, 10))
    services.do_publish_month(book, y, m, actor=centre, at=at(nxt + timedelta(days=2), 10))


def _month(book, people, centre, k: int, m: int, matters) -> None:
    """One ordinary month: rent into the bank, a quarterly subsidy, two paid requests."""
    code = book.unit.code
    _receipt(
        book,
        centre,
        date(YEAR, m, 5),
        "集体土地租金",
        800_000 + 50_000 * k + 1_000 * m,
        "5001",
        counterparty="龙潭区丰收农业合作社",
    )
    if m % 3 == 1:
        _receipt(
            book,
            centre,
            date(YEAR, m, 12),
            "村级组织运转经费补助",
            3_000_000,
            "5301",
            counterparty="乌拉街满族镇财政所",
        )
    _request(
        book,
        people,
        centre,
        date(YEAR, m, 15),
        "办公用品及水电费",
        150_000 + 10_000 * k + 5_000 * m,
        "5101",
        "国网吉林市龙潭区供电公司",
    )
    _request(
        book,
        people,
        centre,
        date(YEAR, m, 20),
        "保洁劳务费",
        180_000 + 2_000 * m,
        "5002",
        f"{code}保洁员{m}",
        person=True,
    )
    # signed on paper before the platform: the centre books it directly (a 付款凭证)
    services.do_post_voucher(
        book,
        "payment",
        date(YEAR, m, 24),
        "村屯环境整治",
        [
            {
                "account": "5102",
                "side": "D",
                "amount": 150_000 + 1_000 * k,
                "project": "环境",
                "counterparty": "乌拉街绿化队",
            },
            {"account": "1002", "side": "C", "amount": 150_000 + 1_000 * k},
        ],
        [("环境整治发票.pdf", f"{code}{m}env".encode())],
        actor=centre,
        at=at(date(YEAR, m, 24), 15),
    )
    _receipt(
        book,
        centre,
        date(YEAR, m, 26),
        "银行存款利息",
        3_000 + 100 * m,
        "5401",
        counterparty="吉林银行乌拉街支行",
    )


def _plants_before_close(book, people, centre, m, units, matters) -> None:
    code = book.unit.code
    from wuquan.org.selectors import person_of

    if code == "jiujie" and m == 4:  # FIN-13 deposit late
        _receipt(
            book, centre, date(YEAR, 4, 3), "收取场地使用费（现金）", 80_000, "5401", cash=True
        )
        _deposit(book, centre, date(YEAR, 4, 14), 80_000)
    if code == "jiujie" and m == 7:  # DEC-10: imported 60,000 yuan payment, no six-step matter
        p = {k: person_of(v) for k, v in people.items()}
        services.do_import_booked_request(
            book,
            date(YEAR, 7, 8),
            "村内道路硬化（旧系统导入）",
            6_000_000,
            "5102",
            "吉林市路通建筑公司",
            [
                (Step.HANDLER, p["accountant"]),
                (Step.SUPERVISION, p["supervision-chair"]),
                (Step.HEAD, p["director"]),
                (Step.SECRETARY, p["secretary"]),
                (Step.CENTRE, person_of(centre)),
            ],
            actor=centre,
            at=at(date(YEAR, 7, 8)),
            project="道路",
        )
    if code == "xiaotun" and m == 5:  # FIN-11 no budget line; FIN-8 out of order
        p = {k: person_of(v) for k, v in people.items()}
        services.do_import_booked_request(
            book,
            date(YEAR, 5, 6),
            "慰问困难户（旧系统导入）",
            200_000,
            "5402",
            "乌拉街商店",
            [
                (Step.HANDLER, p["accountant"]),
                (Step.SUPERVISION, p["supervision-chair"]),
                (Step.HEAD, p["director"]),
                (Step.SECRETARY, p["secretary"]),
                (Step.CENTRE, person_of(centre)),
            ],
            actor=centre,
            at=at(date(YEAR, 5, 6)),
        )
        services.do_import_booked_request(
            book,
            date(YEAR, 5, 7),
            "购买打印机（旧系统导入）",
            260_000,
            "5101",
            "龙潭电脑城",
            [
                (Step.HANDLER, p["accountant"]),
                (Step.HEAD, p["director"]),
                (Step.SUPERVISION, p["supervision-chair"]),
                (Step.SECRETARY, p["secretary"]),
                (Step.CENTRE, person_of(centre)),
            ],
            actor=centre,
            at=at(date(YEAR, 5, 7)),
        )
    if code == "xiaotun" and m == 6:  # FIN-13 cash over limit (deposited next day, on time)
        _receipt(
            book, centre, date(YEAR, 6, 9), "收取农机出租费（现金）", 800_000, "5001", cash=True
        )
        _deposit(book, centre, date(YEAR, 6, 10), 800_000)
    if code == "hantun" and m == 8:  # FIN-13 cash payment above the limit
        services.do_post_voucher(
            book,
            "payment",
            date(YEAR, 8, 18),
            "以现金支付临时用工费",
            [
                {"account": "4001", "side": "D", "amount": 150_000},
                {"account": "1001", "side": "C", "amount": 150_000},
            ],
            [("用工签收单.pdf", b"hantun-cash-pay")],
            actor=centre,
            at=at(date(YEAR, 8, 18)),
        )
    if code == "hantun" and m == 9:  # the lawful twin of DEC-10: 80,000 yuan on a valid matter
        _request(
            book,
            people,
            centre,
            date(YEAR, 9, 22),
            "村部维修工程款",
            8_000_000,
            "5102",
            "吉林市安居建筑公司",
            project="道路",
            matter=matters["road"],
        )


def _book(unit, centre) -> Book:
    book = services.do_create_book(
        unit,
        f"{unit.code}-jz",
        f"{unit.name}集体经济组织",
        YEAR,
        actor=centre,
        at=at(date(YEAR, 1, 1), 8),
    )
    bank = 40_000_000 + 5_000_000 * (unit.sort % 10)
    services.do_open_balances(
        book,
        {
            "1001": 200_000,
            "1002": bank,
            "1301": 120_000_000,
            "1302": 18_000_000,
            "2101": 3_000_000,
            "3001": 100_000_000,
            "3002": bank + 200_000 + 120_000_000 - 18_000_000 - 3_000_000 - 100_000_000,
        },
        actor=centre,
        at=at(date(YEAR, 1, 1), 9),
    )
    return book


def load_books(stdout) -> None:
    """The 2025 books of the three villages and the community (part 1)."""
    from django.contrib.auth import get_user_model

    if not Unit.objects.filter(code=TOWNSHIP).exists():
        return
    if Book.objects.filter(code="hantun-jz").exists():
        if stdout:
            stdout.write("  村集体三资账套已存在，沿用。\n")
        return
    services.load_chart()
    units = ensure_units()
    centre = get_user_model().objects.get(username="sanzi")
    for k, (code, _n, _kind) in enumerate(UNITS):
        unit = units[code]
        people = officers(unit)
        book = _book(unit, centre)
        budget = _matter(unit, f"{unit.name}{YEAR}年度财务收支预算", date(2024, 12, 2))
        matters = (
            {"road": _matter(unit, f"{unit.name}村部维修工程", date(2025, 8, 1))}
            if (code == "hantun")
            else {}
        )
        services.do_approve_budget(
            book,
            YEAR,
            [
                ("5101", "", 6_000_000),
                ("5002", "", 5_000_000),
                ("5102", "道路", 15_000_000),
                ("5102", "环境", 3_000_000),
                ("4001", "", 500_000),
            ],
            budget,
            actor=centre,
            at=at(date(YEAR, 1, 2)),
        )
        for m in range(1, 13):
            _month(book, people, centre, k, m, matters)
            _plants_before_close(book, people, centre, m, units, matters)
            if m == 12:
                services.do_close_year(book, YEAR, actor=centre, at=at(date(YEAR, 12, 31), 17))
            if code == "wlj-shequ" and m == 12:  # bank statement ≠ books: cannot close
                content, name = services.statement_from_books(book, YEAR, 12)
                text = content.decode().rstrip("\n").split("\n")
                last = text[-1].split(",")
                extra = services.parse_yuan(last[4]) + 1_200_000
                text.append(
                    f"2025-12-30,不明来款,12000.00,0.00,{services.selectors.yuan(extra).replace(',', '')}"
                )
                _close(book, centre, YEAR, 12, statement=("\n".join(text).encode(), name))
                continue
            _close(book, centre, YEAR, m)
            if code == "jiujie" and m == 4:  # PUB-7 changed: reopen March, reclassify, re-close
                fix = _matter(unit, "更正2025年3月账务", date(2025, 4, 7))
                march = Period.objects.get(book=book, year=YEAR, month=3)
                services.do_reopen_period(march, fix, actor=centre, at=at(date(YEAR, 5, 6)))
                services.do_post_voucher(
                    book,
                    "transfer",
                    date(YEAR, 3, 31),
                    "更正：管理费用调整为经营支出",
                    [
                        {"account": "5002", "side": "D", "amount": 20_000},
                        {"account": "5101", "side": "C", "amount": 20_000},
                    ],
                    actor=centre,
                    at=at(date(YEAR, 5, 6), 11),
                )
                services.do_close_period(book, YEAR, 3, actor=centre, at=at(date(YEAR, 5, 6), 15))
        services.do_archive(
            book,
            "annual",
            YEAR,
            f"{book.name}{YEAR}年度财务会计报告",
            f"{book.code}-{YEAR}-annual".encode(),
            actor=centre,
            at=at(date(YEAR + 1, 1, 20)),
        )
    if stdout:
        n = Disclosure.objects.count()
        stdout.write(f"  村集体三资：4 个账套，{n} 个月度公开；报账员登录 hantun-accountant 等。\n")


# ==== 惠农补贴“一卡通” (FIN-15, PUB-8) ==========================================================
# January 2026, after the books of 2025 are closed: 乌拉街社区's 低保 list published, paid
# through the bank with one failure in the return file, one recipient confirming, one reporting
# non-receipt; 韩屯村's 耕地地力保护补贴 with planted history (cash, a card in another name, a
# shared card, a recipient added after the publication, the notice taken down early); 小屯村's
# 救灾 payment made before any publication. Each is found by its rule, nothing else.

PLANTED.update(
    {
        "FIN-15-benefit-cash": ("hantun", "历史导入：耕地地力补贴第1批以现金发放"),
        "FIN-15-benefit-card-not-own": ("hantun", "历史导入：补贴打入户名不是本人的银行卡"),
        "FIN-15-benefit-shared-card": ("hantun", "历史导入：一张银行卡领取两人补贴"),
        "PUB-8-benefit-not-on-list": ("hantun", "公示后补录的人员未经公示即发放"),
        "PUB-8-benefit-unpublished": ("xiaotun", "救灾补助名单未公示即发放"),
        "PUB-8-benefit-non-receipt": ("wlj-shequ", "低保第2号领取人在门户报告未收到"),
        "PUB-8-benefit-takedown-early": ("hantun", "公示栏通告张贴两周即撤下"),
    }
)
BENEFIT_YEAR = 2026
BENEFIT_NAMES = ["赵淑兰", "钱国富", "孙桂芝", "李长山", "周玉华", "吴德胜", "郑春梅"]


def _rid(n: int) -> str:
    from stdnum.cn import ric

    base = f"22020319{84 + n % 15:02d}0{n % 9 + 1}15{n:03d}"
    return base + ric.calc_check_digit(base + "0")


def _card(n: int) -> str:
    from stdnum import luhn

    base = f"621458800{n:09d}"
    return base + luhn.calc_check_digit(base)


def _benefit_list(rows) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(services.RECIPIENT_COLUMNS)
    for name, n, amount, qty in rows:
        w.writerow([name, _rid(n), _card(n), "吉林农商银行乌拉街支行", qty, amount])
    return buf.getvalue().encode()


def _allocation(book, centre, on, amount, fund):
    return services.do_post_voucher(
        book,
        "receipt",
        on,
        f"收到上级拨付{fund}",
        [
            {"account": "1002", "side": "D", "amount": amount, "fund": fund},
            {"account": "2302", "side": "C", "amount": amount, "fund": fund},
        ],
        [("拨款通知.pdf", f"{book.code}{on}{fund}".encode())],
        actor=centre,
        at=at(on, 9),
    )


def load_benefits(stdout) -> None:
    from django.contrib.auth import get_user_model

    from .models import BenefitProgramme, BenefitRecipient

    if not Book.objects.filter(code="hantun-jz").exists():
        return
    if BenefitProgramme.objects.exists():
        return
    centre = get_user_model().objects.get(username="sanzi")
    books = {b.unit.code: b for b in Book.objects.select_related("unit")}
    y = BENEFIT_YEAR

    # 乌拉街社区: 城市低保 — the lawful path, through the bank
    shequ = books["wlj-shequ"]
    clerk = officers(shequ.unit)["accountant"]
    _allocation(shequ, centre, date(y, 1, 4), 600_000, "城市低保资金")
    dibao = services.do_create_programme(
        shequ, "dibao-2026-01", "2026年1月城市低保金", "dibao",
        "《社会救助暂行办法》第九条；吉林省城乡低保标准", y, "城市低保资金",
        actor=clerk, at=at(date(y, 1, 4), 11),
    )  # fmt: skip
    services.do_import_recipients(
        dibao,
        _benefit_list([(BENEFIT_NAMES[i], i + 1, "620.00", 1) for i in range(4)]),
        "低保名单.csv",
        actor=clerk,
        at=at(date(y, 1, 5), 9),
    )
    services.do_publish_list(dibao, actor=clerk, at=at(date(y, 1, 5), 10))
    batch = services.do_export_batch(dibao, date(y, 1, 12), actor=centre, at=at(date(y, 1, 12)))
    services.do_import_return(
        batch,
        services.return_file_from_bank(batch, {3: "账户已销户"}),
        "回盘.csv",
        actor=centre,
        at=at(date(y, 1, 13)),
    )
    first, second = BenefitRecipient.objects.filter(programme=dibao).order_by("seq")[:2]
    services.do_confirm_receipt(dibao, first.id_number, first.code, True, at=at(date(y, 1, 14)))
    services.do_confirm_receipt(dibao, second.id_number, second.code, False, at=at(date(y, 1, 15)))

    # 韩屯村: 耕地地力保护补贴, per 亩, with the planted history
    hantun = books["hantun"]
    clerk = officers(hantun.unit)["accountant"]
    _allocation(hantun, centre, date(y, 1, 4), 1_000_000, "耕地地力保护补贴")
    farm = services.do_create_programme(
        hantun, "gdbh-2025", "2025年耕地地力保护补贴", "farm",
        "财农〔2016〕26号（耕地地力保护补贴）", y, "耕地地力保护补贴",
        actor=clerk, at=at(date(y, 1, 4), 11), measure="亩", rate=10_000,
    )  # fmt: skip
    services.do_import_recipients(
        farm,
        _benefit_list([(BENEFIT_NAMES[i], 11 + i, "", q) for i, q in enumerate([3, 5, 2, 4])]),
        "地力补贴名单.csv",
        actor=clerk,
        at=at(date(y, 1, 6), 9),
    )
    pub = services.do_publish_list(farm, actor=clerk, at=at(date(y, 1, 6), 10))
    services.do_record_notice(
        pub, date(y, 1, 6), date(y, 1, 20), actor=clerk, at=at(date(y, 1, 20), 16)
    )
    services.do_import_recipients(
        farm,
        _benefit_list([(BENEFIT_NAMES[4], 15, "", 3)]),
        "补录.csv",
        actor=clerk,
        at=at(date(y, 1, 8), 9),
    )
    r = list(farm.recipients.order_by("seq"))
    history = [
        ("cash", [{"recipient": r[0]}]),
        ("bank", [{"recipient": r[1], "holder_name": "韩屯村委会"}]),
        ("bank", [{"recipient": r[2]}, {"recipient": r[3], "card_number": r[2].card_number}]),
        ("bank", [{"recipient": r[4]}]),
    ]
    for k, (method, rows) in enumerate(history):
        services.do_import_paid_batch(
            farm, date(y, 1, 10 + k), rows, actor=centre, at=at(date(y, 1, 10 + k), 14),
            pay_method=method,
        )  # fmt: skip

    # 小屯村: 救灾 paid before any publication
    xiaotun = books["xiaotun"]
    clerk = officers(xiaotun.unit)["accountant"]
    _allocation(xiaotun, centre, date(y, 1, 4), 200_000, "救灾资金")
    relief = services.do_create_programme(
        xiaotun, "jiuzai-2026", "2026年冬季救灾补助", "relief", "区应急管理局救灾资金分配通知",
        y, "救灾资金", actor=clerk, at=at(date(y, 1, 4), 11),
    )  # fmt: skip
    services.do_import_recipients(
        relief,
        _benefit_list([(BENEFIT_NAMES[5], 21, "500.00", 1), (BENEFIT_NAMES[6], 22, "500.00", 1)]),
        "救灾名单.csv",
        actor=clerk,
        at=at(date(y, 1, 7), 9),
    )
    services.do_import_paid_batch(
        relief,
        date(y, 1, 9),
        [{"recipient": x} for x in relief.recipients.order_by("seq")],
        actor=centre,
        at=at(date(y, 1, 9), 14),
    )
    if stdout:
        stdout.write(
            "  惠农补贴“一卡通”：3 个项目；门户 /gk/collective/benefits/，"
            f"低保第1号领取人查询码 {first.code}（身份证号 {first.id_number}）。\n"
        )


def load(stdout) -> None:
    """The books of 2025, then January 2026: the registers and contracts of part 2, and the
    一卡通 programmes."""
    load_books(stdout)
    load_part2(stdout)  # registers, contracts, tenders, FIN-14 (January 2026)
    load_benefits(stdout)


# ==== part 2 (issue 15): registers, contracts, tenders, FIN-14 =================================
# January 2026 (after the 2025 books are closed and published, so no published month changes):
# the three villages' 清产核资 batch (counted, published, confirmed on a six-step matter), 15
# contracts with schedules (instalments of January accrued and collected in the books), two
# tenders in the procurement app, the 韩屯村 director's son's firm contracted by his village,
# and one planted breach per new rule. Everything else is lawful as of 2026-02-01.

from decimal import Decimal  # noqa: E402

AS_OF_2026 = date(2026, 1, 1)
SON_FIRM_USCC = "91220203MA0Y00001J"
PLANTED.update(
    {
        "FIN-7-register-mismatch": ("xiaotun", "库房原值台账85万元，账面80万元"),
        "FIN-9-contract-expiring": ("hantun", "库房租赁合同2026年3月15日到期"),
        "FIN-9-rent-overdue": ("jiujie", "林地租金2025年12月1日应收3万元未收"),
        "FIN-9-contract-unfiled": ("xiaotun", "保安服务合同签订后未备案"),
        "FIN-9-expired-still-leased": ("jiujie", "鱼塘租赁合同2025年底到期，台账仍为出租"),
        "FIN-9-rent-below-comparable": ("hantun", "东大地新发包合同年租金比上一合同低三分之一"),
        "FIN-10-tender-missing": ("xiaotun", "导入的15万元工程合同未经乡镇招标"),
        "FIN-10-split-purchase": ("jiujie", "两份6万元采购合同12个月内合计12万元"),
        "FIN-14-cross-village": ("xiaotun", "导入的旧账：借给旧街村2万元，未经乡镇批准"),
    }
)
VILLAGE_CODES = ["hantun", "jiujie", "xiaotun"]
PEOPLE = {  # counterparties (valid test identities; masked on the portal)
    "person": ("王德福", "220203199001011230"),
    "person2": ("赵春生", "110101199003071233"),
    "firm": ("吉林市兴农农业有限公司", "91220203MA0Y1XN01Q"),
    "firm2": ("吉林市利达物资有限公司", "91220203MA0Y00002M"),
}


def _inventory_items(code: str) -> list[dict]:
    store_value = 85_000_000 if code == "xiaotun" else 80_000_000  # FIN-7 plant
    return [
        {
            "code": "ZY-001",
            "name": "东大地耕地",
            "asset_class": "resource",
            "kind": "耕地",
            "area_mu": Decimal("150.00"),
            "location": "村东",
            "boundaries": "东至河，西至村路，南至林带，北至邻村界",
            "status": "idle",
        },
        {
            "code": "ZY-002",
            "name": "西山林地",
            "asset_class": "resource",
            "kind": "林地",
            "area_mu": Decimal("300.00"),
            "location": "村西山",
            "boundaries": "东至耕地，西至山脊，南北至沟",
            "status": "idle",
        },
        {
            "code": "ZY-003",
            "name": "南洼鱼塘",
            "asset_class": "resource",
            "kind": "水面",
            "area_mu": Decimal("40.00"),
            "location": "村南",
            "status": "leased" if code == "jiujie" else "idle",
        },
        {
            "code": "JY-001",
            "name": "村集体库房",
            "asset_class": "operating",
            "kind": "房屋",
            "original_value": store_value,
            "depreciation": 12_000_000,
            "account": "1301",
            "status": "idle",
        },
        {
            "code": "FJY-001",
            "name": "村部办公楼",
            "asset_class": "non_operating",
            "kind": "房屋",
            "original_value": 40_000_000,
            "depreciation": 6_000_000,
            "account": "1301",
            "status": "self_use",
        },
    ]


def _ensure_tiers() -> None:
    """The district's dated tier settings (the procurement demo's, when it has not run)."""
    from wuquan.procurement import services as procurement
    from wuquan.procurement.models import TierSetting

    district = Unit.objects.filter(code="longtan").first()
    if district is None or TierSetting.objects.filter(district=district).exists():
        return
    procurement.do_set_tiers(
        district,
        date(2025, 1, 1),
        actor="demo",
        source="龙潭区物资采购分级审批办法（演示数据，以区政府正式文件为准）",
        deputy_limit_fen=1_000_000,
        head_limit_fen=5_000_000,
        open_tender_fen=200_000_000,
        works_tender_fen=400_000_000,
        key_project_fen=1_000_000_000,
        village_limit_fen=10_000_000,
        township_limit_fen=50_000_000,
    )


def _tender(unit, title, category, amount, on: date, firms):
    """A tender of the village in the procurement app, three bids, the lowest awarded."""
    from wuquan.procurement import sample
    from wuquan.procurement import services as procurement
    from wuquan.procurement.models import Method, Tier

    req = procurement.do_create_request(
        unit,
        title,
        category,
        "C0101" if category == "services" else "B0101",
        amount,
        actor="demo",
        requested_on=on,
        at=at(on, 8),
    )
    if req.tier in (Tier.COMMITTEE, Tier.CENTRAL):
        sample.decide(req, on, actor="demo")
    procurement.do_approve_request(req, actor="demo", head_consent=True, at=at(on, 16))
    start = at(on + timedelta(days=1))
    end = start + timedelta(days=10)
    t = procurement.do_open_tender(
        req,
        title,
        req.required_method or Method.INVITED,
        start,
        end,
        actor="demo",
        via_trading_centre=req.via_trading_centre,
        at=start,
    )
    bids = []
    for i, (name, uscc) in enumerate(firms):
        f = procurement.ensure_firm(uscc, name)
        when = end - timedelta(hours=3 + i)
        bids.append(
            procurement.do_receive_bid(
                t,
                f,
                amount - 300_000 * (len(firms) - i - 1),
                when,
                actor="demo",
                at=when,
                valid_until=(end + timedelta(days=90)).date(),
            )
        )
    procurement.do_evaluate(t, hashlib_sha(title), actor="demo", at=end + timedelta(hours=5))
    winner = min(bids, key=lambda b: b.amount_fen)
    award = procurement.do_award(t, winner, actor="demo", at=end + timedelta(days=1))
    procurement.do_sign_contract(award, actor="demo", at=end + timedelta(days=3))
    t.refresh_from_db()
    return t, award


def hashlib_sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _son_report(director_person) -> None:
    """The 韩屯村 director's personal-matters report names his son's firm (PER-3)."""
    from wuquan.personnel import services as personnel
    from wuquan.personnel.models import PersonalReport

    if PersonalReport.objects.filter(person=director_person, year=2025).exists():
        return
    personnel.do_file_report(
        director_person,
        2025,
        actor="demo",
        submitted_on=date(2026, 1, 6),
        marital_status="married",
        children_count=1,
        relatives=[{"relation": "child", "name": "李小龙"}],
        firms=[
            {
                "name": "吉林市小龙建材有限公司",
                "uscc": SON_FIRM_USCC,
                "role": "法定代表人",
                "relative": 0,
            }
        ],
        at=at(date(2026, 1, 6)),
    )


def _contract(
    book,
    centre,
    people,
    matters,
    number,
    kind,
    title,
    who,
    amount,
    start,
    end,
    schedule,
    *,
    asset=None,
    signed_on=None,
    recorded=date(2026, 1, 6),
    file=True,
    **kw,
):
    from wuquan.org.models import Person

    name, number_id = PEOPLE[who] if who in PEOPLE else who
    m = matters.get(number) or _matter(book.unit, f"{book.unit.name}{title}", date(2025, 11, 1))
    director = Person.objects.filter(user=people["director"]).first()
    c = services.do_record_contract(
        book,
        number=number,
        kind=kind,
        title=title,
        counterparty=name,
        counterparty_id=number_id,
        amount=amount,
        signed_on=signed_on or start,
        start=start,
        end=end,
        matter=m,
        schedule=schedule,
        asset=asset,
        signed_by=director,
        actor=centre,
        at=at(recorded, 9),
        **kw,
    )
    if file:
        services.do_file_contract(c, actor=centre, at=at(recorded, 15))
    return c


def _collect_january(c, centre) -> None:
    for item in c.schedule.filter(due_on__gte=date(2026, 1, 1), due_on__lte=date(2026, 1, 31)):
        services.do_accrue_schedule(item, actor=centre, at=at(item.due_on, 9))
        if c.kind in ("lease", "contract_out"):
            services.do_settle_schedule(
                item,
                item.due_on + timedelta(days=3),
                actor=centre,
                at=at(item.due_on + timedelta(days=3), 10),
            )


def load_part2(stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from wuquan.org.models import Person

    from .models import Asset, Contract

    if (
        Contract.objects.filter(number="HT-2026-01").exists()
        or not Book.objects.filter(code="hantun-jz").exists()
    ):
        return
    import time

    t0 = time.perf_counter()
    centre = get_user_model().objects.get(username="sanzi")
    _ensure_tiers()
    with transaction.atomic():
        books, people, assets = {}, {}, {}
        for code in VILLAGE_CODES:
            unit = Unit.objects.get(code=code)
            book = books[code] = Book.objects.get(code=f"{code}-jz")
            people[code] = officers(unit)
            batch = services.do_count_inventory(
                book,
                f"{unit.name}2025年度资产清查",
                date(2025, 12, 31),
                _inventory_items(code),
                actor=centre,
                at=at(date(2026, 1, 3), 9),
            )
            services.do_publish_inventory(batch, actor=centre, at=at(date(2026, 1, 3), 10))
            m = _matter(unit, f"{unit.name}确认2025年度资产清查结果", date(2025, 12, 20))
            services.do_confirm_inventory(batch, m, actor=centre, at=at(date(2026, 1, 4), 10))
            assets[code] = {a.code: a for a in Asset.objects.filter(book=book)}
        h, j, x = (books[c] for c in VILLAGE_CODES)
        ha, ja, xa = (assets[c] for c in VILLAGE_CODES)
        hp, jp, xp = (people[c] for c in VILLAGE_CODES)
        director = Person.objects.get(user=hp["director"])
        _son_report(director)
        y = date
        # ---- 韩屯村
        _contract(
            h,
            centre,
            hp,
            {},
            "HT-2023-01",
            "contract_out",
            "东大地耕地发包（2023—2025）",
            "person",
            9_000_000,
            y(2023, 1, 1),
            y(2025, 12, 31),
            [(y(2023, 1, 15), 3_000_000), (y(2024, 1, 15), 3_000_000), (y(2025, 1, 15), 3_000_000)],
            asset=ha["ZY-001"],
            imported=True,
            settled_until=y(2025, 12, 31),
        )
        c = _contract(
            h,
            centre,
            hp,
            {},
            "HT-2026-01",
            "contract_out",
            "东大地耕地发包（2026—2028）",
            "person2",
            6_000_000,
            y(2026, 1, 1),
            y(2028, 12, 31),
            [(y(2026, 1, 15), 2_000_000), (y(2027, 1, 15), 2_000_000), (y(2028, 1, 15), 2_000_000)],
            asset=ha["ZY-001"],
            signed_on=y(2025, 12, 28),
        )  # FIN-9 rent drop
        _collect_january(c, centre)
        _contract(
            h,
            centre,
            hp,
            {},
            "HT-2024-03",
            "lease",
            "村集体库房租赁",
            "firm",
            4_000_000,
            y(2024, 3, 16),
            y(2026, 3, 15),
            [(y(2024, 3, 16), 2_000_000), (y(2025, 3, 16), 2_000_000)],
            asset=ha["JY-001"],
            imported=True,
            settled_until=y(2025, 12, 31),
        )  # expiring
        t1, _a = _tender(
            h.unit,
            "韩屯村村道硬化工程",
            "works",
            30_000_000,
            y(2025, 12, 1),
            [PEOPLE["firm2"], ("吉林市宏远建筑工程有限公司", "91220203MA0Y1XN02U")],
        )
        _contract(
            h,
            centre,
            hp,
            {},
            "GC-2026-01",
            "works",
            "韩屯村村道硬化工程",
            (t1.awards.first().supplier.name, t1.awards.first().supplier.uscc),
            t1.awards.first().amount_fen,
            y(2026, 1, 10),
            y(2026, 6, 30),
            [
                (y(2026, 4, 30), t1.awards.first().amount_fen // 2),
                (y(2026, 7, 31), t1.awards.first().amount_fen - t1.awards.first().amount_fen // 2),
            ],
            tender=t1,
        )
        _contract(
            h,
            centre,
            hp,
            {},
            "FW-2026-01",
            "services",
            "村部保洁服务",
            ("吉林市小龙建材有限公司", SON_FIRM_USCC),
            800_000,
            y(2026, 1, 8),
            y(2026, 12, 31),
            [(y(2026, 6, 30), 800_000)],
        )  # the director's son's firm (PER-COI)
        # ---- 旧街村
        _contract(
            j,
            centre,
            jp,
            {},
            "JJ-2023-01",
            "lease",
            "南洼鱼塘租赁（2023—2025）",
            "person",
            4_500_000,
            y(2023, 1, 1),
            y(2025, 12, 31),
            [(y(2023, 1, 1), 1_500_000), (y(2024, 1, 1), 1_500_000), (y(2025, 1, 1), 1_500_000)],
            asset=ja["ZY-003"],
            imported=True,
            settled_until=y(2025, 12, 31),
        )  # stale lease
        _contract(
            j,
            centre,
            jp,
            {},
            "JJ-2025-11",
            "lease",
            "西山林地租赁",
            "person2",
            9_000_000,
            y(2025, 12, 1),
            y(2028, 11, 30),
            [(y(2025, 12, 1), 3_000_000), (y(2026, 12, 1), 3_000_000), (y(2027, 12, 1), 3_000_000)],
            asset=ja["ZY-002"],
            signed_on=y(2025, 11, 20),
        )  # rent overdue
        for n, (d, what) in enumerate(
            [(y(2026, 1, 8), "办公设备采购"), (y(2026, 1, 12), "农资采购")], 1
        ):
            _contract(
                j,
                centre,
                jp,
                {},
                f"CG-2026-0{n}",
                "goods",
                what,
                "firm2",
                6_000_000,
                d,
                d,
                [(d + timedelta(days=30), 6_000_000)],
            )  # split
        c = _contract(
            j,
            centre,
            jp,
            {},
            "JJ-2026-02",
            "contract_out",
            "东大地耕地发包（2026—2030）",
            "firm",
            25_000_000,
            y(2026, 1, 1),
            y(2030, 12, 31),
            [(y(2026 + i, 1, 20), 5_000_000) for i in range(5)],
            asset=ja["ZY-001"],
            exchange_ref="JLLT-NCCQ-2025-0117",
        )
        _collect_january(c, centre)
        # ---- 小屯村
        c = _contract(
            x,
            centre,
            xp,
            {},
            "XT-2026-01",
            "lease",
            "村集体库房租赁",
            "firm",
            4_000_000,
            y(2026, 1, 10),
            y(2027, 12, 31),
            [(y(2026, 1, 10), 2_000_000), (y(2027, 1, 10), 2_000_000)],
            asset=xa["JY-001"],
        )
        _collect_january(c, centre)
        _contract(
            x,
            centre,
            xp,
            {},
            "XT-2025-06",
            "works",
            "小屯村排水沟工程（旧账导入）",
            "firm2",
            15_000_000,
            y(2025, 6, 1),
            y(2025, 10, 31),
            [(y(2025, 10, 31), 15_000_000)],
            imported=True,
            settled_until=y(2025, 12, 31),
        )  # no tender
        _contract(
            x,
            centre,
            xp,
            {},
            "FW-2026-02",
            "services",
            "村部保安服务",
            "person",
            1_200_000,
            y(2026, 1, 5),
            y(2026, 12, 31),
            [(y(2026, 12, 31), 1_200_000)],
            file=False,
        )
        _contract(
            x,
            centre,
            xp,
            {},
            "XT-2026-02",
            "contract_out",
            "东大地耕地发包（2026—2035）",
            "person2",
            10_000_000,
            y(2026, 1, 1),
            y(2035, 12, 31),
            [(y(2026 + i, 3, 1), 1_000_000) for i in range(10)],
            asset=xa["ZY-001"],
        )
        t2, _a = _tender(
            x.unit,
            "小屯村垃圾清运服务",
            "services",
            12_000_000,
            y(2025, 12, 3),
            [PEOPLE["firm"], PEOPLE["firm2"]],
        )
        aw = t2.awards.first()
        _contract(
            x,
            centre,
            xp,
            {},
            "FW-2026-03",
            "services",
            "小屯村垃圾清运服务",
            (aw.supplier.name, aw.supplier.uscc),
            aw.amount_fen,
            y(2026, 1, 15),
            y(2026, 12, 31),
            [(y(2026, 12, 31), aw.amount_fen)],
            tender=t2,
        )
        services.do_import_voucher(
            x,
            "payment",
            y(2026, 1, 9),
            "旧账导入：借给旧街村",
            [
                {"account": "1111", "side": "D", "amount": 2_000_000, "counterparty": "旧街村"},
                {"account": "1002", "side": "C", "amount": 2_000_000, "counterparty": "旧街村"},
            ],
            actor=centre,
            at=at(y(2026, 1, 9)),
        )  # FIN-14
    if stdout:
        stdout.write(
            f"  村集体三资（二）：{Asset.objects.count()} 项资产资源，{Contract.objects.count()} 份合同"
            f"（{time.perf_counter() - t0:.1f} 秒）。\n"
        )
