"""AUD-2: proofs answered from the stored rows verify against the stored roots; any flipped
bit makes them fail."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuquan.common.exceptions import InvalidInput
from wuquan.ledger import merkle, proofs, record
from wuquan.ledger.models import Event

N = 137  # not a power of two, so ragged right edges are exercised
FIXTURE_OK = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def log(db):
    with transaction.atomic():
        for i in range(N):
            record("system", "test.proof", ("t", i), {"i": i})
    leaves = [
        bytes(lh) for lh in Event.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    # roots[k] = the head of size k + 1, recomputed from the leaf hashes (not from the store)
    return leaves, [merkle.root(leaves[: k + 1]) for k in range(N)]


def _flip(proof, which, bit):
    proof = list(proof)
    h = bytearray(proof[which])
    h[bit // 8] ^= 1 << (bit % 8)
    proof[which] = bytes(h)
    return proof


@FIXTURE_OK
@given(data=st.data())
def test_aud2_inclusion_proofs_from_the_store_verify_and_any_flipped_bit_fails(log, data):
    leaves, roots = log
    size = data.draw(st.integers(1, N), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = merkle.inclusion_proof(index, size)
    assert proofs.root_at(size) == roots[size - 1]
    merkle.verify_inclusion(index, size, leaves[index], proof, roots[size - 1])
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1), label="which")
        bit = data.draw(st.integers(0, 255), label="bit")
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(
                index, size, leaves[index], _flip(proof, which, bit), roots[size - 1]
            )
    bit = data.draw(st.integers(0, 255), label="leaf bit")
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(
            index, size, _flip([leaves[index]], 0, bit)[0], proof, roots[size - 1]
        )


@FIXTURE_OK
@given(data=st.data())
def test_aud2_consistency_proofs_from_the_store_verify_and_any_flipped_bit_fails(log, data):
    _, roots = log
    size2 = data.draw(st.integers(2, N), label="size2")
    size1 = data.draw(st.integers(1, size2 - 1), label="size1")
    proof = merkle.consistency_proof(size1, size2)
    merkle.verify_consistency(size1, size2, roots[size1 - 1], roots[size2 - 1], proof)
    which = data.draw(st.integers(0, len(proof) - 1), label="which")
    bit = data.draw(st.integers(0, 255), label="bit")
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(
            size1, size2, roots[size1 - 1], roots[size2 - 1], _flip(proof, which, bit)
        )
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(
            size1, size2, _flip([roots[size1 - 1]], 0, bit)[0], roots[size2 - 1], proof
        )


def test_aud2_proofs_need_few_queries(log, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        merkle.inclusion_proof(77, N)
    with django_assert_max_num_queries(2):
        merkle.consistency_proof(50, N)


def test_aud2_proof_outside_the_tree_is_refused_clearly(log):
    with pytest.raises(InvalidInput):
        proofs.inclusion_proof(N, N)
    with pytest.raises(InvalidInput):
        proofs.inclusion_proof(0, N + 1)
    with pytest.raises(InvalidInput):
        proofs.consistency_proof(5, 3)
