"""collective's source for personnel's conflict index (personnel/index.py, docs/decisions/0071):
village contract counterparties (`contractor`) and the payees of the village's payments
(`payee`: booked 联签 requests), each at the village's unit
with the official who signed — so that a village head's son's firm paid by the village fires
PER-COI-own-unit. A payment request names its payee by name only; its ID number is the one
of the village's contract with that payee (same book, same name).

And the recipients on a published 一卡通 list (`subsidy`, FIN-15/PUB-8,
`selectors.subsidy_parties`).
"""

from __future__ import annotations

from . import selectors
from .models import Contract, PaymentRequest, RequestStatus, Signature, Step


def _kind(contract) -> str:
    return "person" if contract.counterparty_is_person else "firm"


def parties(as_of):
    contracts = list(
        Contract.objects.filter(signed_on__lte=as_of).select_related("book").order_by("pk")
    )
    ids = {}
    for c in contracts:
        ids.setdefault((c.book_id, c.counterparty), c)
        yield {
            "id_number": c.counterparty_id,
            "party_kind": _kind(c),
            "role": "contractor",
            "source": "collective",
            "source_type": "collective.contract",
            "source_id": c.pk,
            "unit_id": c.book.unit_id,
            "official_id": c.signed_by_id,
            "label": c.counterparty,
            "on": c.signed_on,
        }
    requests = PaymentRequest.objects.filter(
        status=RequestStatus.BOOKED, date__lte=as_of
    ).select_related("book")
    heads = dict(
        Signature.objects.filter(step=Step.HEAD, request__status=RequestStatus.BOOKED).values_list(
            "request_id", "person_id"
        )
    )
    for req in requests:
        c = ids.get((req.book_id, req.counterparty))
        if c is None:
            continue
        yield {
            "id_number": c.counterparty_id,
            "party_kind": _kind(c),
            "role": "payee",
            "source": "collective",
            "source_type": "collective.paymentrequest",
            "source_id": req.pk,
            "unit_id": req.book.unit_id,
            "official_id": heads.get(req.pk),
            "label": req.counterparty,
            "on": req.date,
        }
    # the recipients on a published 一卡通 list (FIN-15/PUB-8; personnel's
    # PER-COI-subsidy-payee reads them)
    yield from selectors.subsidy_parties(as_of)
