"""The log's side of witnessing (issue 13, finding 2; AUD-2).

Each new checkpoint is submitted to the witnesses of `settings.WUQUAN_WITNESSES` ("<url>
<witness vkey>" per line or separated by ";"; the url is an http(s) submission prefix or, for
a witness on this host such as an offline disk, the witness's store directory). The old size
sent is the largest of our checkpoints that witness cosigned (0 at first); a 409 answer
names the witness's size and the request is retried once from it. A witness that holds a
larger tree than ours (the log was truncated) or rejects the consistency proof (it was
rewritten) is recorded as `ledger.witness.refused`, which supervision turns into an alarm.
Valid cosignatures are stored (`Cosignature`) and served with the checkpoint.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from . import events, proofs, signing
from .models import Checkpoint, Cosignature
from .witness import SIZE_TYPE, Witness, WitnessRefusal, request_body

log = logging.getLogger(__name__)
TIMEOUT = 10


@dataclass(frozen=True)
class WitnessConfig:
    url: str
    vkey: str

    @property
    def name(self) -> str:
        return self.vkey.split("+", 1)[0]


@dataclass
class Result:
    witness: str
    status: int
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


def configured() -> list[WitnessConfig]:
    raw = getattr(settings, "WUQUAN_WITNESSES", "") or ""
    if isinstance(raw, list | tuple):
        entries = [tuple(e) if not isinstance(e, str) else tuple(e.split()) for e in raw]
    else:
        entries = [tuple(p.split()) for p in raw.replace(";", "\n").splitlines() if p.strip()]
    out = []
    for entry in entries:
        if len(entry) != 2:
            raise signing.NoteError(f"a witness is '<url> <vkey>', not {' '.join(entry)!r}")
        signing.parse_cosigner_vkey(entry[1])
        out.append(WitnessConfig(entry[0], entry[1]))
    return out


def _post(url: str, body: bytes) -> tuple[int, str, str]:
    if url.startswith(("http://", "https://")):
        req = urllib.request.Request(url.rstrip("/") + "/add-checkpoint", data=body, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 (configured)
                return resp.status, resp.read().decode(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            return (
                err.code,
                err.read().decode(errors="replace"),
                err.headers.get("Content-Type", ""),
            )
    try:
        return 200, Witness(url.removeprefix("file://")).add_checkpoint(body), ""
    except WitnessRefusal as refusal:
        return refusal.status, refusal.body, refusal.content_type


def _old_size(witness: WitnessConfig, below: int) -> int:
    size = (
        Checkpoint.objects.filter(cosignatures__witness=witness.name, size__lte=below)
        .order_by("-size")
        .values_list("size", flat=True)
        .first()
    )
    return size or 0


def submit(checkpoint: Checkpoint, *, at: datetime | None = None) -> list[Result]:
    """Submit `checkpoint` to every configured witness that has not cosigned it; store the
    cosignatures; record a refusal that shows truncation or a fork. Network failures are
    returned, not raised (a witness being down does not stop the log)."""
    results = []
    done = set(checkpoint.cosignatures.values_list("witness", flat=True))
    for witness in configured():
        if witness.name in done:
            results.append(Result(witness.name, 200, "already cosigned"))
            continue
        try:
            results.append(_submit_one(checkpoint, witness, at))
        except (OSError, urllib.error.URLError) as exc:
            results.append(Result(witness.name, 0, f"unreachable: {exc}"))
    return results


def _submit_one(checkpoint: Checkpoint, witness: WitnessConfig, at) -> Result:
    old = _old_size(witness, checkpoint.size)
    for _attempt in range(2):
        proof = proofs.consistency_proof(old, checkpoint.size) if 0 < old else []
        status, body, ctype = _post(witness.url, request_body(old, proof, checkpoint.note))
        if status == 409 and ctype.startswith(SIZE_TYPE):
            try:
                theirs = int(body.strip())
            except ValueError:
                return Result(witness.name, status, "409 without a size")
            if theirs > checkpoint.size:
                _refused(events.PROBLEM_WITNESS_AHEAD, witness, status, checkpoint, theirs, at)
                return Result(witness.name, status, f"witness holds {theirs} events: truncated")
            if theirs == old:
                _refused(events.PROBLEM_WITNESS_MISMATCH, witness, status, checkpoint, theirs, at)
                return Result(witness.name, status, f"witness has another root at {theirs}")
            old = theirs
            continue
        if status == 422:
            _refused(events.PROBLEM_WITNESS_FORK, witness, status, checkpoint, old, at)
            return Result(witness.name, status, "consistency proof rejected: forked")
        if status != 200:
            return Result(witness.name, status, body.strip()[:200])
        stored = _store(checkpoint, witness, body)
        return Result(witness.name, 200 if stored else 502, "" if stored else "no valid line")
    return Result(witness.name, 409, "witness moved during submission")


def _store(checkpoint: Checkpoint, witness: WitnessConfig, body: str) -> bool:
    text, _lines = signing.split_note(checkpoint.note)
    for line in body.splitlines():
        try:
            timestamp = signing.open_cosignature(text, line, witness.vkey)
        except signing.NoteError as exc:
            log.warning("witness %s sent a bad cosignature: %s", witness.name, exc)
            continue
        if timestamp is None:
            continue  # why: lines by keys we do not know are ignored (spec)
        _n, kid, _p = signing.parse_cosigner_vkey(witness.vkey)
        try:
            with transaction.atomic():
                Cosignature.objects.create(
                    checkpoint=checkpoint,
                    witness=witness.name,
                    key_id=kid.hex(),
                    line=line.rstrip("\n"),
                    timestamp=timestamp,
                )
        except IntegrityError:
            pass  # a concurrent submission stored it first
        return True
    return False


def _refused(problem, witness, status, checkpoint, theirs, at) -> None:
    from .services import record

    log.error(
        "witness %s refused checkpoint %s (%s, %s)", witness.name, checkpoint.size, status, problem
    )
    record(
        "system",
        events.WITNESS_REFUSED,
        ("ledger.checkpoint", str(checkpoint.size)),
        events.witness_refused(problem, witness.name, status, checkpoint.size, theirs),
        at=at,
    )


def submit_quietly(checkpoint: Checkpoint, *, at: datetime | None = None) -> list[Result]:
    """`submit`, logging what failed; used right after signing."""
    if not configured():
        return []
    results = submit(checkpoint, at=at)
    for r in results:
        if not r.ok:
            log.warning("witness %s: %s %s", r.witness, r.status, r.message)
    return results


def note_with_cosignatures(checkpoint: Checkpoint) -> str:
    """The checkpoint note with the stored cosignature lines appended (what the API serves;
    note verifiers ignore lines by keys they do not know)."""
    lines = [c.line + "\n" for c in checkpoint.cosignatures.order_by("witness")]
    return checkpoint.note + "".join(lines)
