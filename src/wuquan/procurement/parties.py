"""procurement's source for personnel's conflict index (personnel/index.py, docs/decisions/
0071): every bidder (`bidder`) and supplier (`winner`, and `contractor` once the contract is
signed) by its 统一社会信用代码, at the buyer's unit."""

from __future__ import annotations

from .models import Award, Bid, Contract


def parties(as_of):
    for bid in Bid.objects.filter(received_at__date__lte=as_of).select_related(
        "firm", "tender__request"
    ):
        yield {
            "id_number": bid.firm.uscc,
            "party_kind": "firm",
            "role": "bidder",
            "source": "procurement",
            "source_type": "procurement.tender",
            "source_id": bid.tender_id,
            "unit_id": bid.tender.request.buyer_id,
            "label": bid.firm.name,
            "on": bid.received_at.date(),
        }
    for award in Award.objects.filter(awarded_at__date__lte=as_of, status="active").select_related(
        "supplier", "tender__request"
    ):
        yield {
            "id_number": award.supplier.uscc,
            "party_kind": "firm",
            "role": "winner",
            "source": "procurement",
            "source_type": "procurement.tender",
            "source_id": award.tender_id,
            "unit_id": award.tender.request.buyer_id,
            "label": award.supplier.name,
            "on": award.awarded_at.date(),
        }
    for contract in Contract.objects.filter(signed_at__date__lte=as_of).select_related(
        "award__supplier", "tender__request"
    ):
        yield {
            "id_number": contract.award.supplier.uscc,
            "party_kind": "firm",
            "role": "contractor",
            "source": "procurement",
            "source_type": "procurement.contract",
            "source_id": contract.pk,
            "unit_id": contract.tender.request.buyer_id,
            "label": contract.award.supplier.name,
            "on": contract.signed_at.date(),
        }
