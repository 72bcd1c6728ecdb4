"""Transparency-log API (AUD-2): checkpoints, public key, events with inclusion proofs,
consistency proofs and the tree head. Hashes are standard base64 (as in checkpoints and the
C2SP/transparency-dev formats). Thin: the work is in ledger.proofs / selectors / signing.
"""

import base64

from django.http import HttpResponse
from ninja import Path, Query, Router, Schema

from wuquan.common.exceptions import InvalidInput, NotFound
from wuquan.common.schemas import ERRORS_400_422, ErrorOut

from . import proofs, selectors, signing, witnessing
from .models import Checkpoint, Event

router = Router(tags=["运行记录 log"])
MAX_SIZE = 2**62  # why: a bigint column; larger numbers were a 500 on both databases (finding 6)
prefix = "/log"


def _b64(h) -> str:
    return base64.b64encode(bytes(h)).decode()


class TreeHead(Schema):
    size: int
    root_hash: str


class EventOut(Schema):
    index: int
    leaf: str
    leaf_hash: str
    node_hash: str
    root_hash: str
    tree_size: int
    tree_root: str
    inclusion_proof: list[str]


class ConsistencyOut(Schema):
    size1: int
    size2: int
    root1: str
    root2: str
    proof: list[str]


@router.get(
    "/checkpoint",
    response={404: ErrorOut},
    url_name="latest-checkpoint",
    summary="最新签名检查点（C2SP 文本）",
)
def latest_checkpoint(request):
    cp = Checkpoint.objects.order_by("-size").first()
    if cp is None:
        raise NotFound("尚未签发检查点")
    return HttpResponse(
        witnessing.note_with_cosignatures(cp), content_type="text/plain; charset=utf-8"
    )


class WitnessOut(Schema):
    name: str
    vkey: str


@router.get(
    "/witnesses", response=list[WitnessOut], url_name="witnesses", summary="见证方及其联署公钥"
)
def witnesses(request):
    """The witnesses this log submits its checkpoints to, with their cosigner keys
    (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1); the checkpoint carries their lines."""
    return [{"name": w.name, "vkey": w.vkey} for w in witnessing.configured()]


@router.get("/public-key", url_name="public-key", summary="检查点公钥（signed-note 验证密钥格式）")
def public_key(request):
    return HttpResponse(signing.verifier_key() + "\n", content_type="text/plain; charset=utf-8")


@router.get("/head", response=TreeHead, url_name="tree-head", summary="当前树头")
def tree_head(request):
    size, root = selectors.tree_head()
    return {"size": size, "root_hash": _b64(root)}


@router.get(
    "/events/{index}",
    response={200: EventOut, 404: ErrorOut, **ERRORS_400_422},
    url_name="event",
    summary="单条记录及其包含证明",
)
def event(
    request,
    index: int = Path(..., ge=0, le=MAX_SIZE),
    tree_size: int | None = Query(None, ge=1, le=MAX_SIZE),
):
    """The event with its leaf and hashes, and its inclusion proof in the tree of `tree_size`
    events (default: the latest checkpoint's size when it covers the event, else the
    current size). `root_hash` is the tree head right after this event (size index + 1) and
    `tree_root` the head at `tree_size`; both are folded from the stored frontier."""
    try:
        e = Event.objects.get(index=index)
    except Event.DoesNotExist:
        raise NotFound(f"没有序号为 {index} 的记录") from None
    if tree_size is None:
        cp = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first()
        tree_size = cp if cp is not None and cp > index else proofs.current_size()
    if tree_size <= index:
        raise InvalidInput(f"树大小 {tree_size} 不包含序号 {index}", field="tree_size")
    proof = proofs.inclusion_proof(index, tree_size)
    return {
        "index": e.index,
        "leaf": e.leaf,
        "leaf_hash": _b64(e.leaf_hash),
        "node_hash": _b64(e.node_hash),
        "root_hash": _b64(proofs.root_at(e.index + 1)),
        "tree_size": tree_size,
        "tree_root": _b64(proofs.root_at(tree_size)),
        "inclusion_proof": [_b64(h) for h in proof],
    }


class SubjectEventOut(Schema):
    index: int
    action: str
    at: str


@router.get(
    "/subjects/{subject_type}/{subject_id}",
    response=list[SubjectEventOut],
    url_name="subject-events",
    summary="某一对象的记录序号（供浏览器核验）",
)
def subject_events(request, subject_type: str, subject_id: str):
    """The events recorded about one subject (at most 200, oldest first), so that a public
    page's "verify" control can check each against the latest checkpoint (issue 13)."""
    rows = selectors.events_for(subject_type[:60], subject_id[:64]).values_list(
        "index", "action", "at"
    )[:200]
    return [{"index": i, "action": a, "at": at.isoformat()} for i, a, at in rows]


@router.get(
    "/consistency",
    response={200: ConsistencyOut, **ERRORS_400_422},
    url_name="consistency",
    summary="一致性证明",
)
def consistency(
    request,
    size1: int = Query(..., ge=0, le=MAX_SIZE),
    size2: int | None = Query(None, ge=0, le=MAX_SIZE),
):
    """Proof that the tree of `size1` events is a prefix of the tree of `size2` (default:
    the current size)."""
    if size2 is None:
        size2 = proofs.current_size()
    proof = proofs.consistency_proof(size1, size2)
    return {
        "size1": size1,
        "size2": size2,
        "root1": _b64(proofs.root_at(size1)),
        "root2": _b64(proofs.root_at(size2)),
        "proof": [_b64(h) for h in proof],
    }
