"""AUD-1: record() appends in the caller's transaction, gapless, with the incremental frontier."""

import pytest
from django.db import transaction

from wuquan.ledger import merkle, proofs, record, selectors
from wuquan.ledger.models import Event


def _stored_root_matches_recomputed():
    events = list(Event.objects.order_by("index"))
    assert [e.index for e in events] == list(range(len(events)))
    leaves = [bytes(e.leaf_hash) for e in events]
    for e in events:
        assert merkle.leaf_hash(e.leaf.encode()) == bytes(e.leaf_hash)
    sizes = range(1, len(leaves) + 1)
    folded = all(proofs.root_at(n) == merkle.root(leaves[:n]) for n in sizes)
    return folded and selectors.tree_head() == (len(leaves), merkle.root(leaves))


@pytest.mark.django_db(transaction=True)
def test_aud1_record_rolls_back_with_the_callers_transaction_and_keeps_indices_gapless():
    record("system", "test.first", ("t", 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        record("system", "test.lost", ("t", 2))
        raise RuntimeError
    with transaction.atomic():
        record("system", "test.kept", ("t", 3))
        try:
            with transaction.atomic():
                record("system", "test.savepoint-lost", ("t", 4))
                raise RuntimeError
        except RuntimeError:
            pass
        record("system", "test.after-savepoint", ("t", 5))
    actions = list(Event.objects.order_by("index").values_list("action", flat=True))
    assert actions == ["test.first", "test.kept", "test.after-savepoint"]
    assert _stored_root_matches_recomputed()


@pytest.mark.django_db
def test_aud1_incremental_root_equals_full_recompute_for_many_sizes():
    with transaction.atomic():
        for i in range(70):
            record("system", "test.bulk", ("t", i), {"i": i})
    assert _stored_root_matches_recomputed()
