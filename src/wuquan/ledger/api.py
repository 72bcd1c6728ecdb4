"""Transparency-log API: latest checkpoint, events with inclusion proofs, consistency proofs.

(Skeleton: the ledger work fills in proofs and checkpoints; url names are fixed.)
"""

from django.http import HttpResponse
from ninja import Router

from wuquan.common.exceptions import NotFound

from .models import Checkpoint, Event

router = Router(tags=["运行记录 log"])
prefix = "/log"


@router.get("/checkpoint", url_name="latest-checkpoint")
def latest_checkpoint(request):
    cp = Checkpoint.objects.order_by("-size").first()
    if cp is None:
        raise NotFound("尚未签发检查点")
    return HttpResponse(cp.note, content_type="text/plain; charset=utf-8")


@router.get("/public-key", url_name="public-key")
def public_key(request):
    raise NotFound("公钥尚未生成")


@router.get("/events/{index}", url_name="event")
def event(request, index: int):
    try:
        e = Event.objects.get(index=index)
    except Event.DoesNotExist:
        raise NotFound(f"没有序号为 {index} 的记录") from None
    return {"index": e.index, "leaf": e.leaf, "leaf_hash": bytes(e.leaf_hash).hex()}
