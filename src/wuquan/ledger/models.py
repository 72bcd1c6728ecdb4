"""The transparency log's tables: events (leaves + stored nodes), the append lock, checkpoints.

An event row is immutable once written. `leaf` is the canonical JSON that was hashed; the
other descriptive columns are projections of it for querying. `node_hash` is the hash of the
complete subtree this leaf closed. No tree head is stored per row: the head of any size n is the
fold of the ≤ log n stored `node_hash` values at `Frontier.closing_positions(n)` (AUD-1, AUD-2;
docs/decisions/0002-ledger-no-per-row-root.md).
"""

import json
from functools import cached_property

from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    index = models.BigIntegerField(_("序号"), primary_key=True)  # gapless, 0-based
    at = models.DateTimeField(_("发生时间"), db_index=True)
    actor = models.CharField(_("操作者"), max_length=120)
    action = models.CharField(_("事项"), max_length=80, db_index=True)
    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    leaf = models.TextField(_("记录内容（规范JSON）"))
    leaf_hash = models.BinaryField(max_length=32)
    node_hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("运行记录")
        verbose_name_plural = _("运行记录")
        ordering = ["index"]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "index"], name="ledger_event_subject"
            )
        ]

    def __str__(self):
        return f"#{self.index} {self.action}"

    @cached_property
    def data(self) -> dict:
        # why: a row is immutable once written, and the inline rules read the payload often
        return json.loads(self.leaf)

    @property
    def payload(self) -> dict:
        """The payload with committed values put back where they still exist (issue 13,
        finding 4): the in-memory one right after `record()`, else read from Commitment (only
        for a leaf that holds a commitment). The leaf itself never holds them."""
        clear = getattr(self, "_clear_payload", None)
        if clear is not None:
            return clear
        payload = self.data.get("payload", {})
        if '"$salted_sha256"' in self.leaf:
            from .commitments import reveal

            payload = self._clear_payload = reveal(self.index, payload)
        return payload


class AppendLock(models.Model):
    """One row; every append transaction updates it first, so appends serialise (PostgreSQL
    row lock, SQLite write lock) and indices stay gapless.

    `generation` moves by a random step in every append transaction: a process that remembers
    the generation its own last committed append left (and the tree's frontier then) knows,
    from the one locking UPDATE, whether anyone appended since — and can skip reading the
    frontier back (ledger.services; a random step, so a restored backup or a rolled-back
    transaction cannot land on a remembered value by counting)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    appends = models.BigIntegerField(default=0)
    generation = models.BigIntegerField(default=0)

    def __str__(self):
        return f"append lock ({self.appends} append transactions)"


class Checkpoint(models.Model):
    """A signed tree head in C2SP signed-note checkpoint form; never deleted."""

    size = models.BigIntegerField(_("树大小"), unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField(_("签名检查点"))
    created_at = models.DateTimeField(_("签名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")
        ordering = ["-size"]

    def __str__(self):
        return f"checkpoint {self.size}"


class ErasureBasis(models.TextChoices):
    """Why a committed value was erased (PIPL art. 47; the request itself is filed on paper)."""

    SUBJECT_REQUEST = "subject-request", _("个人信息主体请求删除（个人信息保护法第四十七条）")
    PURPOSE_ACHIEVED = "purpose-achieved", _("处理目的已实现或保存期限届满")
    UNLAWFUL = "unlawful", _("违反法律、行政法规或约定处理")
    CONSENT_WITHDRAWN = "consent-withdrawn", _("个人撤回同意")


class Commitment(models.Model):
    """The opening of a salted commitment in a leaf: the canonical value and its salt, kept
    in an ordinary table so that they can be erased (issue 13, finding 4;
    ledger.commitments). Erasing sets both to NULL; the leaf is untouched."""

    event_index = models.BigIntegerField(_("记录序号"), db_index=True)
    field = models.CharField(_("字段"), max_length=120)
    salt = models.BinaryField(max_length=32, null=True)
    value = models.TextField(_("内容（规范JSON）"), null=True)
    erased_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    erasure_basis = models.CharField(
        _("删除依据"), max_length=30, choices=ErasureBasis.choices, blank=True
    )
    erasure_event = models.BigIntegerField(_("删除记录序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("记录中的受保护内容")
        verbose_name_plural = _("记录中的受保护内容")
        constraints = [
            models.UniqueConstraint(fields=["event_index", "field"], name="ledger_commit_once")
        ]

    def __str__(self):
        return f"#{self.event_index} {self.field}"


class Cosignature(models.Model):
    """A witness's cosignature line on one of our checkpoints (c2sp.org/tlog-cosignature),
    checked against the witness's configured key before it is stored (issue 13, finding 2)."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField(_("见证方"), max_length=200)  # the witness's key name
    key_id = models.CharField(max_length=8)  # hex
    line = models.TextField(_("联署签名行"))
    timestamp = models.BigIntegerField(_("联署时间（POSIX）"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("见证联署")
        verbose_name_plural = _("见证联署")
        ordering = ["checkpoint", "witness"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="ledger_cosig_once")
        ]

    def __str__(self):
        return f"{self.witness} on {self.checkpoint}"


@receiver(pre_delete, sender=Event)
@receiver(pre_delete, sender=Checkpoint)
def refuse_delete(sender, instance, **kwargs):
    """Events and checkpoints are never deleted through the application (AUD-2)."""
    from wuquan.common.exceptions import RuleViolation

    raise RuleViolation(_("运行记录和检查点不可删除"))
