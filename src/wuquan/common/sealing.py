"""Sealed ballot boxes (DEC-5, EVA-1; 附件3 第三 无记名票决; docs/decisions/0011-sealed-ballots.md).

While a secret vote is open its ballots are stored only as AES-256-GCM ciphertexts under a
key that belongs to that one vote and lives OUTSIDE the database (a file of its own under
`WUQUAN_BALLOT_KEY_DIR`, default `var/keys/ballots/`). Whoever reads the database file, a backup
or the SQLite WAL during the vote sees, beside the markers of who has voted, only ciphertexts of
equal length: no choice to pair with a member. At the count the ballots are opened, shuffled and
written in clear in one go (the count is public), and the key file is destroyed once that
transaction has committed — from then on the ciphertexts left in free pages or old WAL frames
can never be opened, by anyone.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .exceptions import RuleViolation

NONCE = 12
# why a fixed padded size: a ciphertext's length must not tell 同意 from 不同意, nor how many
# grades an evaluation ballot holds
PLAIN_SIZE = 1024


def key_dir() -> Path:
    configured = getattr(settings, "WUQUAN_BALLOT_KEY_DIR", None) or os.environ.get(
        "WUQUAN_BALLOT_KEY_DIR"
    )
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "keys" / "ballots"


class BallotBox:
    """The key of one vote's box: `BallotBox("decisions-item", item.pk)`."""

    def __init__(self, kind: str, pk) -> None:
        self.path = key_dir() / f"{kind}-{pk}.key"

    def _key(self, create: bool) -> bytes:
        if self.path.exists():
            return self.path.read_bytes()
        if not create:
            raise RuleViolation(_("本次无记名投票的密钥不存在（已计票或已被删除），选票无法开启。"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=256)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # why: another ballot of the same vote created it first
            return self.path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        return key

    def seal(self, ballot) -> bytes:
        """The ballot (any JSON value) as nonce + ciphertext, padded to one size."""
        plain = json.dumps(ballot, sort_keys=True, separators=(",", ":")).encode()
        if len(plain) > PLAIN_SIZE - 2:
            raise ValueError("ballot too large to seal")
        padded = len(plain).to_bytes(2, "big") + plain + bytes(PLAIN_SIZE - 2 - len(plain))
        nonce = secrets.token_bytes(NONCE)
        return nonce + AESGCM(self._key(create=True)).encrypt(nonce, padded, None)

    def open_all(self, sealed: list[bytes]) -> list:
        """Every ballot of the box, in clear (at the count)."""
        if not sealed:
            return []
        aes = AESGCM(self._key(create=False))
        out = []
        for token in sealed:
            token = bytes(token)
            padded = aes.decrypt(token[:NONCE], token[NONCE:], None)
            n = int.from_bytes(padded[:2], "big")
            out.append(json.loads(padded[2 : 2 + n]))
        return out

    def destroy_on_commit(self) -> None:
        """Delete the key once the count is committed (a rolled-back count keeps it)."""
        path = self.path

        def destroy():
            if path.exists():
                with open(path, "r+b") as fh:
                    fh.write(secrets.token_bytes(max(path.stat().st_size, 32)))
                    fh.flush()
                    os.fsync(fh.fileno())
                path.unlink()

        transaction.on_commit(destroy)
