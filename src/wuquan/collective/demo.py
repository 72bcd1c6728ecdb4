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
    """The books of 2025 (above), then the 一卡通 programmes of January 2026."""
    load_books(stdout)
    load_benefits(stdout)
