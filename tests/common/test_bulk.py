"""common.bulk.insert_rows: the rows arrive as given, and a broken constraint is Django's
IntegrityError on both databases (the engine's bulk alarms fall back on it; issue 20)."""

import pytest
from django.db import IntegrityError, transaction

from wuquan.common.bulk import insert_rows
from wuquan.ledger.models import Commitment


def test_insert_rows_writes_every_row_with_its_values(db):
    rows = [(10_000 + i, f"f{i}", bytes([i]) * 32, f'"v{i}"', None, "", None) for i in range(50)]
    insert_rows(Commitment._meta.db_table, _columns(), rows)
    got = sorted(
        Commitment.objects.filter(event_index__gte=10_000).values_list(
            "event_index", "field", "salt", "value"
        )
    )
    assert [(i, f, bytes(s), v) for i, f, s, v in got] == [r[:4] for r in rows]


def test_insert_rows_raises_integrity_error_on_a_duplicate_key(db):
    row = (20_000, "inputs", b"s" * 32, '"x"', None, "", None)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Commitment._meta.db_table, _columns(), [row, row])


def _columns():
    return [f.column for f in Commitment._meta.concrete_fields if not f.primary_key]
