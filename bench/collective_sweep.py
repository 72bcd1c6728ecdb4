"""collective_sweep: seconds for the set-based sweeps of the 三资 rules of part 2 (FIN-7 register
vs books, FIN-9 contracts ×5, FIN-10 tender/splitting, FIN-14 movements between villages) and
of the 一卡通 benefit rules (FIN-15 ×3, PUB-8 ×4) over L posted voucher lines, C contracts
(each with a 3-instalment schedule) and B benefit payments in 100 village books, beside a bare
`SELECT count(*)` of the same predicates in the same run (issue 15). Goal ≤ 10×.

Defaults are the issue's sizes: L = 10^6 lines and C = 10^5 contracts, with B = 10^5 benefit
payments (one list, publication and bank batch per book); WUQUAN_BENCH_SWEEP_LINES,
_CONTRACTS, _BENEFITS and WUQUAN_BENCH_REPEAT override for a quick run. The rows are inserted
in bulk SQL — vouchers, lines, benefit recipients and payments by one `INSERT … SELECT` each
from a generated series, the drafts posted by one UPDATE — not through the services: the
benchmark times the sweeps. About 1 % of the contracts breach each contract rule; 0.5 % of the
vouchers pay another village; of the benefit payments 1 % go to a card in another name, 0.5 %
share a card, 2 % are off the published list or above it, 0.1 % are reported missing, and one
book in ten pays in cash, pays a batch before its list was published or took its notice down
early.

figure = median of REPEAT (default 5) runs of every rule's `sweep` (every Finding built);
baseline = the bare counts (one count(*) per rule's candidate predicate — for the benefit
rules exactly the breaches, checked equal to the Findings — summed), each rule's sweep and
its counts interleaved within a run; ratio = figure / baseline, with the min–max of the
per-run ratios and their spread ((max − min) / median).
Run: `.venv/bin/python bench/collective_sweep.py`.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main, series, time_rules  # noqa: E402

L = int(os.environ.get("WUQUAN_BENCH_SWEEP_LINES", "1000000"))
C = int(os.environ.get("WUQUAN_BENCH_SWEEP_CONTRACTS", "100000"))
B = int(os.environ.get("WUQUAN_BENCH_SWEEP_BENEFITS", "100000"))
VILLAGES = 100
REPEAT = int(os.environ.get("WUQUAN_BENCH_REPEAT", "5"))
GOAL = 10.0
SH = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 2, 1, 12, tzinfo=SH)
RECORDED = datetime(2026, 1, 5, 9, tzinfo=SH)  # when the rows were recorded
os.environ.setdefault("WUQUAN_DEBUG", "0")
PART2 = (
    "FIN-7-register-mismatch",
    "FIN-9-contract-expiring",
    "FIN-9-rent-overdue",
    "FIN-9-contract-unfiled",
    "FIN-9-expired-still-leased",
    "FIN-9-rent-below-comparable",
    "FIN-10-tender-missing",
    "FIN-10-split-purchase",
    "FIN-14-cross-village",
)
BENEFITS = (
    "FIN-15-benefit-cash",
    "FIN-15-benefit-card-not-own",
    "FIN-15-benefit-shared-card",
    "PUB-8-benefit-not-on-list",
    "PUB-8-benefit-unpublished",
    "PUB-8-benefit-non-receipt",
    "PUB-8-benefit-takedown-early",
)


def _insert_vouchers(database: str, first_book: int, expense: int, bank: int) -> None:
    """L / 2 draft payment vouchers (L / 200 per book, dated through 2025) and their two lines
    (Dr 5101, Cr 1002, 100 + j fen), each by one INSERT … SELECT; one voucher in 200 pays the
    next village (FIN-14), the others one of 50 suppliers."""
    from django.db import connection

    per_book = L // VILLAGES // 2
    day = {
        "postgresql": "make_date(2025, 1 + jj %% 12, 1 + jj %% 28)",
        "sqlite": "printf('2025-%%02d-%%02d', 1 + jj %% 12, 1 + jj %% 28)",
    }[database]
    numbered = (
        f"(SELECT j, j / {per_book} AS k, j %% {per_book} AS jj "
        f"FROM {series(database, per_book * VILLAGES)}) AS v"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM collective_voucher")
        first_voucher = cur.fetchone()[0] + 1
        cur.execute(
            "INSERT INTO collective_voucher (id, book_id, kind, date, year, month, summary, "
            "status, attachment_count, is_opening, is_closing, prepared_by, posted_by) "
            f"SELECT %s + j, %s + k, 'payment', {day}, 2025, 1 + jj %% 12, 'x', 'draft', 0, "
            f"FALSE, FALSE, '', '' FROM {numbered}",
            [first_voucher, first_book],
        )
        counterparty = (
            f"CASE WHEN jj %% 200 = 0 THEN '基准' || CAST((k + 1) %% {VILLAGES} AS TEXT) || '村' "
            "ELSE '供应商' || CAST(jj %% 50 AS TEXT) END"
        )
        for side, account in (("D", expense), ("C", bank)):
            cur.execute(
                "INSERT INTO collective_line (voucher_id, account_id, side, amount, summary, "
                "counterparty, counterparty_is_person, project, fund, book_id, date) "
                f"SELECT %s + j, %s, '{side}', 100 + jj, '', {counterparty}, FALSE, '', '', "
                f"%s + k, {day} FROM {numbered}",
                [first_voucher, account, first_book],
            )
    if database == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('collective_voucher', 'id'), "
                "(SELECT MAX(id) FROM collective_voucher))"
            )


def _insert_benefits(database: str, books, account, now) -> None:
    """One 低保 programme per book with B / 100 recipients, its list published on 2025-03-05,
    one bank batch paying everybody on 2025-03-10 (recipients and payments by one INSERT …
    SELECT each); the plants are those the module docstring names (see `benefit_expected`)."""
    from django.db import connection

    from wuquan.collective.models import (
        BenefitBatch,
        BenefitPayment,
        BenefitProgramme,
        BenefitPublication,
    )

    per = B // VILLAGES
    published_at = datetime(2025, 3, 5, 9, tzinfo=SH)
    programmes = BenefitProgramme.objects.bulk_create(
        [
            BenefitProgramme(
                book=b,
                code="dibao-2025-03",
                name="2025年3月低保金",
                kind="dibao",
                basis="《社会救助暂行办法》第九条",
                year=2025,
                fund="低保资金",
                account=account,
                created_at=now,
            )
            for b in books
        ]
    )
    first = programmes[0].pk
    assert [p.pk for p in programmes] == list(range(first, first + VILLAGES))
    ts = connection.ops.adapt_datetimefield_value(published_at)
    numbered = (
        f"(SELECT j, j / {per} AS k, j %% {per} AS jj FROM {series(database, per * VILLAGES)}) AS v"
    )
    card = "'card' || CAST(CASE WHEN jj %% 200 = 1 THEN j - 1 ELSE j END AS TEXT)"
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM collective_benefitrecipient")
        first_recipient = cur.fetchone()[0] + 1
        cur.execute(
            "INSERT INTO collective_benefitrecipient (id, programme_id, seq, name, id_number, "
            "id_key, card_number, card_key, bank, quantity, amount, code, added_at) "
            "SELECT %s + j, %s + k, 1 + jj, '领取人' || CAST(j AS TEXT), 'ID' || CAST(j AS TEXT), "
            f"'id' || CAST(j AS TEXT), 'C' || CAST(j AS TEXT), {card}, '', 1, 30000, "
            f"'Q' || CAST(j AS TEXT), %s FROM {numbered}",
            [first_recipient, first, ts],
        )
    publications = BenefitPublication.objects.bulk_create(
        [
            BenefitPublication(
                programme=p,
                content={
                    "programme": p.code,
                    "rows": [
                        {"seq": 1 + jj, "amount": 30000}
                        for jj in range(per)
                        if jj % 100 != 3  # off the list
                    ],
                },
                sha256="x",
                published_at=published_at,
                notice_until=date(2025, 6, 5),
                online_until=date(2026, 3, 5),
                notice_posted_on=date(2025, 3, 5),
                notice_removed_on=date(2025, 4, 1) if k % 10 == 0 else None,
            )
            for k, p in enumerate(programmes)
        ]
    )
    assert len(publications) == VILLAGES
    batches = BenefitBatch.objects.bulk_create(
        [
            BenefitBatch(
                programme=p,
                number=1,
                date=date(2025, 3, 10),
                status="returned",
                pay_method="cash" if k % 10 == 1 else "bank",
                created_at=now,
            )
            for k, p in enumerate(programmes)
        ]
    )
    assert [b.pk for b in batches] == list(range(batches[0].pk, batches[0].pk + VILLAGES))
    missing = connection.ops.adapt_datetimefield_value(datetime(2025, 3, 20, 9, tzinfo=SH))
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO collective_benefitpayment (batch_id, recipient_id, seq, amount, "
            "card_key, card_last4, holder_name, status, bank_message, paid_on, "
            "reported_missing_at) "
            "SELECT %s + k, %s + j, 1 + jj, CASE WHEN jj %% 100 = 4 THEN 40000 ELSE 30000 END, "
            f"{card}, '0000', CASE WHEN jj %% 100 = 5 THEN '村干部甲' "
            "ELSE '领取人' || CAST(j AS TEXT) END, 'paid', '', %s, "
            f"CASE WHEN jj %% 1000 = 7 THEN %s END FROM {numbered}",
            [batches[0].pk, first_recipient, date(2025, 3, 10), missing],
        )
    # one book in ten pays a second batch (its first recipient) before the list was published
    early = BenefitBatch.objects.bulk_create(
        [
            BenefitBatch(
                programme=p,
                number=2,
                date=date(2025, 3, 1),
                status="returned",
                created_at=now,
            )
            for k, p in enumerate(programmes)
            if k % 10 == 2
        ]
    )
    BenefitPayment.objects.bulk_create(
        [
            BenefitPayment(
                batch=b,
                recipient_id=first_recipient + (b.programme_id - first) * per,
                seq=1,
                amount=30000,
                card_key=f"card{(b.programme_id - first) * per}",
                card_last4="0000",
                holder_name=f"领取人{(b.programme_id - first) * per}",
                status="paid",
                paid_on=date(2025, 3, 1),
            )
            for b in early
        ]
    )


def benefit_expected() -> dict[str, int]:
    """The benefit rules' breaches in the data `_insert_benefits` makes."""
    per = B // VILLAGES

    def every(m, r):
        return VILLAGES * len(range(r, per, m))

    return {
        "FIN-15-benefit-cash": len(range(1, VILLAGES, 10)),
        "FIN-15-benefit-card-not-own": every(100, 5),
        "FIN-15-benefit-shared-card": every(200, 1),
        "PUB-8-benefit-not-on-list": every(100, 3) + every(100, 4),
        "PUB-8-benefit-unpublished": len(range(2, VILLAGES, 10)),
        "PUB-8-benefit-non-receipt": every(1000, 7),
        "PUB-8-benefit-takedown-early": len(range(0, VILLAGES, 10)),
    }


def setup(database: str):
    from django.core.management import call_command
    from django.db import connection, transaction

    phases, t = {}, time.perf_counter()
    call_command("migrate", verbosity=0)
    phases["migrate"], t = time.perf_counter() - t, time.perf_counter()
    from wuquan.collective import services
    from wuquan.collective.models import (
        Account,
        Asset,
        Book,
        Contract,
        InventoryBatch,
        ScheduleItem,
    )
    from wuquan.decisions.models import VillageMatter
    from wuquan.org.models import Unit, UnitKind
    from wuquan.procurement.models import TierSetting

    services.load_chart()
    acct = {a.code: a for a in Account.objects.all()}
    district = Unit.objects.create(code="bench-d", name="基准区", kind=UnitKind.DISTRICT)
    town = Unit.objects.create(
        code="bench-town", name="基准镇", kind=UnitKind.TOWNSHIP, parent=district
    )
    TierSetting.objects.create(
        district=district,
        valid_from=date(2024, 1, 1),
        deputy_limit_fen=1_000_000,
        head_limit_fen=5_000_000,
        open_tender_fen=200_000_000,
        works_tender_fen=400_000_000,
        key_project_fen=1_000_000_000,
        village_limit_fen=10_000_000,
        township_limit_fen=50_000_000,
        source="bench",
    )
    now = RECORDED  # why fixed: a record made after AS_OF would not exist for the sweep
    books, matters = [], {}
    for i in range(VILLAGES):
        u = Unit.objects.create(
            code=f"bench-v{i}", name=f"基准{i}村", kind=UnitKind.VILLAGE, parent=town
        )
        b = Book.objects.create(
            unit=u,
            centre=town,
            code=f"b{i}",
            name=f"基准{i}村集体",
            kind="village",
            start_year=2025,
        )
        books.append(b)
        matters[b.pk] = VillageMatter.objects.create(village=u, title="bench", status="resolved")
        InventoryBatch.objects.create(
            book=b,
            title="清查",
            as_of=date(2025, 12, 31),
            status="confirmed",
            sha256="x",
            counted_at=now,
            confirmed_at=now,
        )
    ids = [b.pk for b in books]
    assert ids == list(range(ids[0], ids[0] + VILLAGES)), "book ids must be consecutive"
    with transaction.atomic():
        phases["books"], t = time.perf_counter() - t, time.perf_counter()
        _insert_vouchers(database, ids[0], acct["5101"].pk, acct["1002"].pk)
        phases["vouchers"], t = time.perf_counter() - t, time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("UPDATE collective_voucher SET status = 'posted', number = id")
        phases["posting"], t = time.perf_counter() - t, time.perf_counter()
        per = C // VILLAGES
        for b in books:
            assets = Asset.objects.bulk_create(
                [
                    Asset(
                        book=b,
                        code=f"A{j}",
                        name=f"地块{j}",
                        asset_class="resource",
                        area_mu=10,
                        status="leased",
                    )
                    for j in range((per + 1) // 2)  # why: one per lease, j even
                ]
            )
            contracts = []
            for j in range(per):
                lease = j % 2 == 0
                r = j % 100  # r == 1..6: one breach of each contract rule
                start = date(2026, 1, 1) if r != 4 else date(2023, 1, 1)
                end = date(2028, 12, 31)
                if r == 1:
                    end = date(2026, 3, 1)  # expiring
                if r == 4:
                    end = date(2025, 12, 31)  # expired, asset still leased
                contracts.append(
                    Contract(
                        book=b,
                        number=f"C{j}",
                        kind="lease" if lease else "goods",
                        title="t",
                        counterparty="某公司",
                        counterparty_id="91220202MA0Y1D3M73",
                        asset=assets[j // 2] if lease and r not in (0,) else None,
                        amount=6_000_000
                        if not lease and r != 5
                        else (20_000_000 if r == 5 else 3_000_000),
                        signed_on=start,
                        start=start,
                        end=end,
                        matter=matters[b.pk],
                        filed_at=None if r == 3 else now,
                        recorded_on=start,
                        recorded_at=now,
                    )
                )
            made = Contract.objects.bulk_create(contracts, batch_size=2000)
            items = []
            for j, c in enumerate(made):
                for n in range(3):
                    due = date(2026 + n, 1, 15) if j % 100 != 2 else date(2025, 12, 1)
                    items.append(
                        ScheduleItem(
                            contract=c,
                            due_on=due,
                            amount=c.amount // 3,
                            settled_on=None if j % 100 == 2 or n else due,
                        )
                    )
            ScheduleItem.objects.bulk_create(items, batch_size=5000)
        phases["contracts"], t = time.perf_counter() - t, time.perf_counter()
        _insert_benefits(database, books, acct["2302"], now)
        phases["benefits"], t = time.perf_counter() - t, time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    phases["analyze"] = time.perf_counter() - t
    return {k: round(v, 1) for k, v in phases.items()}


LOCAL_DATE = {  # the Asia/Shanghai date of a stored timestamp, as timezone.localdate()
    "sqlite": "date({}, '+8 hours')",
    "postgresql": "CAST(({} AT TIME ZONE 'Asia/Shanghai') AS DATE)",
}
# the published list's rows as (publication, seq, amount)
PUBLISHED_ROWS = {
    "sqlite": "SELECT u.id AS pub, CAST(json_extract(r.value, '$.seq') AS INTEGER) AS seq, "
    "CAST(json_extract(r.value, '$.amount') AS INTEGER) AS amount "
    "FROM collective_benefitpublication u, json_each(u.content, '$.rows') r",
    "postgresql": "SELECT u.id AS pub, CAST(r->>'seq' AS INTEGER) AS seq, "
    "CAST(r->>'amount' AS BIGINT) AS amount "
    "FROM collective_benefitpublication u, jsonb_array_elements(u.content->'rows') r",
}


def bare_sql(database: str) -> dict[str, list[str]]:
    """rule code -> the count(*)s of its candidate predicate (the bare way of asking the
    same); for the benefit rules, exactly its breaches."""
    today, d = AS_OF.date(), AS_OF.date().isoformat()
    ld = LOCAL_DATE[database]
    paid = (
        "FROM collective_benefitpayment p JOIN collective_benefitbatch b ON b.id = p.batch_id "
        f"WHERE p.status = 'paid' AND p.paid_on <= '{d}'"
    )
    sql = {
        # register totals: the GROUP BY of the register and of the books' lines
        "FIN-7-register-mismatch": [
            "SELECT count(*) FROM (SELECT book_id, account_id FROM collective_asset "
            "GROUP BY book_id, account_id) x",
            "SELECT count(*) FROM (SELECT l.book_id, l.account_id FROM collective_line l JOIN "
            "collective_voucher v ON v.id = l.voucher_id WHERE v.status = 'posted' "
            "AND l.account_id IN (SELECT id FROM collective_account WHERE code IN "
            "('1301','1302','1401','1402','1131','1132','1133','1134','1305')) "
            f"AND l.date <= '{d}' AND l.book_id IN (SELECT book_id FROM "
            "collective_inventorybatch WHERE status = 'confirmed' AND confirmed_at <= %(ts)s) "
            "GROUP BY l.book_id, l.account_id) y",
        ],
        "FIN-9-contract-expiring": [
            f"SELECT count(*) FROM collective_contract WHERE status = 'active' AND end >= '{d}' "
            f"AND end <= '{(today + timedelta(days=60)).isoformat()}'"
        ],
        "FIN-9-rent-overdue": [
            "SELECT count(*) FROM collective_scheduleitem s JOIN collective_contract c ON "
            "c.id = s.contract_id WHERE s.settled_on IS NULL AND c.kind IN "
            f"('lease','contract_out') AND s.due_on < '{(today - timedelta(days=30)).isoformat()}'"
        ],
        "FIN-9-contract-unfiled": [
            "SELECT count(*) FROM collective_contract WHERE status = 'active' AND filed_at IS NULL "
            f"AND signed_on < '{(today - timedelta(days=10)).isoformat()}'"
        ],
        "FIN-9-expired-still-leased": [
            "SELECT count(*) FROM collective_asset a WHERE a.status IN ('leased','contracted') "
            "AND EXISTS (SELECT 1 FROM collective_contract c WHERE c.asset_id = a.id AND "
            f"c.end < '{d}') AND NOT EXISTS (SELECT 1 FROM collective_contract c WHERE "
            f"c.asset_id = a.id AND c.status = 'active' AND c.start <= '{d}' AND c.end >= '{d}')"
        ],
        "FIN-9-rent-below-comparable": [
            "SELECT count(*) FROM collective_contract WHERE kind IN ('lease','contract_out') AND "
            "asset_id IS NOT NULL"
        ],
        "FIN-10-tender-missing": [
            "SELECT count(*) FROM collective_contract WHERE kind IN ('works','goods','services') "
            "AND tender_id IS NULL AND amount > 10000000"
        ],
        "FIN-10-split-purchase": [
            "SELECT count(*) FROM collective_contract WHERE kind IN ('works','goods','services') "
            "AND amount <= 10000000"
        ],
        "FIN-14-cross-village": [
            "SELECT count(*) FROM collective_line l JOIN collective_voucher v ON "
            "v.id = l.voucher_id WHERE v.status = 'posted' AND l.side = 'C' AND l.counterparty "
            "IN (SELECT name FROM org_unit WHERE kind IN ('village','community'))"
        ],
        "FIN-15-benefit-cash": [
            f"SELECT count(DISTINCT b.id) {paid} AND b.pay_method = 'cash' AND b.date <= '{d}'"
        ],
        "FIN-15-benefit-card-not-own": [
            "SELECT count(*) FROM collective_benefitpayment p JOIN collective_benefitrecipient r "
            f"ON r.id = p.recipient_id WHERE p.status = 'paid' AND p.paid_on <= '{d}' "
            "AND p.holder_name <> '' AND REPLACE(p.holder_name, ' ', '') <> REPLACE(r.name, ' ', '')"
        ],
        "FIN-15-benefit-shared-card": [
            "SELECT count(*) FROM (SELECT g.book_id, p.card_key FROM collective_benefitpayment p "
            "JOIN collective_benefitbatch b ON b.id = p.batch_id JOIN collective_benefitprogramme "
            "g ON g.id = b.programme_id JOIN collective_benefitrecipient r ON r.id = p.recipient_id "
            f"WHERE p.status = 'paid' AND p.paid_on <= '{d}' GROUP BY g.book_id, p.card_key "
            "HAVING count(DISTINCT r.id_key) >= 2) x"
        ],
        # the list in force per (programme, day) paid, as the rule; then one join
        "PUB-8-benefit-not-on-list": [
            f"WITH listed AS MATERIALIZED ({PUBLISHED_ROWS[database]}), "
            "days AS MATERIALIZED (SELECT d.programme_id, d.paid_on, (SELECT u.id FROM "
            "collective_benefitpublication u WHERE u.programme_id = d.programme_id AND "
            f"{ld.format('u.published_at')} <= d.paid_on ORDER BY u.published_at DESC, "
            "u.id DESC LIMIT 1) AS pub FROM (SELECT DISTINCT b.programme_id, p.paid_on "
            f"{paid}) d) "
            "SELECT count(*) FROM collective_benefitpayment p JOIN collective_benefitbatch b "
            "ON b.id = p.batch_id JOIN collective_benefitrecipient r ON r.id = p.recipient_id "
            "JOIN days ON days.programme_id = b.programme_id AND days.paid_on = p.paid_on "
            "LEFT JOIN listed ON listed.pub = days.pub AND listed.seq = r.seq "
            f"WHERE p.status = 'paid' AND p.paid_on <= '{d}' AND days.pub IS NOT NULL "
            "AND (listed.pub IS NULL OR listed.amount < p.amount)"
        ],
        "PUB-8-benefit-unpublished": [
            f"SELECT count(DISTINCT b.id) {paid} AND b.date <= '{d}' AND NOT EXISTS (SELECT 1 "
            "FROM collective_benefitpublication u WHERE u.programme_id = b.programme_id AND "
            f"{ld.format('u.published_at')} <= b.date)"
        ],
        "PUB-8-benefit-non-receipt": [
            "SELECT count(*) FROM collective_benefitpayment WHERE reported_missing_at <= %(ts)s"
        ],
        "PUB-8-benefit-takedown-early": [
            "SELECT count(*) FROM collective_benefitpublication WHERE (notice_removed_on <= "
            f"'{d}' AND notice_removed_on < notice_until) OR (taken_down_at <= %(ts)s AND "
            f"{ld.format('taken_down_at')} < online_until)"
        ],
    }
    return {
        code: [s.replace(" end ", ' "end" ').replace("c.end", 'c."end"') for s in queries]
        for code, queries in sql.items()
    }


def run(database: str) -> dict:
    from django.db import connection

    from wuquan.collective.rules import RULES

    t0 = time.perf_counter()
    phases = setup(database)
    load_s = time.perf_counter() - t0
    rules = [r for r in RULES if r.code in PART2 + BENEFITS]
    sql = bare_sql(database)
    params = {"ts": connection.ops.adapt_datetimefield_value(AS_OF.astimezone(UTC))}
    expected = benefit_expected()

    def bare_counts(r) -> list[int]:
        with connection.cursor() as cur:
            counted = []
            for q in sql[r.code]:
                cur.execute(q, params)
                counted.append(cur.fetchone()[0])
            return counted

    def check(r, found: int, counted: list[int]) -> None:
        if r.code in expected:
            assert found == counted[0] == expected[r.code], (r.code, found, counted)

    timed = time_rules(rules, AS_OF, bare_counts, check, REPEAT)
    groups = {}  # the part-2 rules and the benefit rules apart (sums of their medians)
    for name, codes in (("part2", PART2), ("benefits", BENEFITS)):
        mine = sum(timed["rules"][c]["sweep_s"] for c in codes)
        bare = sum(timed["rules"][c]["bare_s"] for c in codes)
        groups[name] = {
            "sweep_s": round(mine, 3),
            "bare_s": round(bare, 3),
            "ratio": round(mine / bare, 2),
        }
    return {
        "database": database,
        **timed,
        "groups": groups,
        "n": {"voucher_lines": L, "contracts": C, "benefit_payments": B, "books": VILLAGES},
        "load_s": round(load_s, 1),
        "load_phases_s": phases,
    }


def summary(entries):
    ok = [e for e in entries if "error" not in e]
    return {
        "figure": {e["database"]: e["figure"] for e in ok},
        "unit": f"s (median of {REPEAT} interleaved runs): every part-2 and benefit rule's "
        "sweep, Findings built",
        "baseline": {e["database"]: e["baseline"] for e in ok},
        "ratio": {e["database"]: e["ratio"] for e in ok},
        "spread": {e["database"]: e["ratio_per_run"] for e in ok},
        "n": {e["database"]: e["n"] for e in ok},
        "goal": "ratio ≤ 10 against bare count(*) of the same predicates",
        "goal_met": {e["database"]: e["ratio"] <= GOAL for e in ok},
        "load_average": {e["database"]: e["load_average"] for e in ok},
    }


if __name__ == "__main__":
    main("collective_sweep", run, summary)
