"""The log's Ed25519 key and C2SP signed notes / checkpoints (AUD-2).

The private key lives outside the database, at settings.WUQUAN_LOG_KEY_PATH (PKCS#8 PEM,
mode 0600), created once on first use: whoever can rewrite the database still cannot sign a
checkpoint for the rewritten tree. Formats follow c2sp.org/signed-note and
c2sp.org/tlog-checkpoint, so standard transparency-log tooling (Go's sumdb/note, …) reads them:

    <origin>\\n<tree size>\\n<base64 root>\\n\\n— <key name> <base64(key id ‖ signature)>\\n

The key name is the origin; key id = SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4].
"""

from __future__ import annotations

import base64
import os
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

ED25519 = b"\x01"  # signature type byte of the signed-note spec
SIG_PREFIX = "\u2014 "  # em dash + space


class NoteError(ValueError):
    """A note or checkpoint is malformed or its signature does not verify."""


_cache: dict[Path, Ed25519PrivateKey] = {}


def key_name() -> str:
    return settings.WUQUAN_LOG_ORIGIN


def has_key() -> bool:
    return (
        Path(settings.WUQUAN_LOG_KEY_PATH) in _cache or Path(settings.WUQUAN_LOG_KEY_PATH).exists()
    )


def private_key() -> Ed25519PrivateKey:
    """Load the signing key, creating it (mode 0600) on first use."""
    path = Path(settings.WUQUAN_LOG_KEY_PATH)
    if path in _cache:
        return _cache[path]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # why: another process created it first; use theirs
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path} does not hold an Ed25519 private key")
    _cache[path] = key
    return key


def public_key_bytes() -> bytes:
    return (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def key_id(name: str, public_key: bytes) -> bytes:
    return sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key() -> str:
    """The public key in note verifier-key form: name+hex(key id)+base64(0x01 ‖ key)."""
    name, pub = key_name(), public_key_bytes()
    return f"{name}+{key_id(name, pub).hex()}+{base64.b64encode(ED25519 + pub).decode()}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes, bytes]:
    """(name, key id, 32-byte public key) from a verifier key; NoteError when malformed."""
    try:
        name, hex_id, b64 = vkey.strip().split("+", 2)
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hex_id)
    except ValueError as exc:
        raise NoteError(f"malformed verifier key: {exc}") from None
    if len(raw) != 33 or raw[:1] != ED25519 or len(kid) != 4:
        raise NoteError("not an Ed25519 verifier key")
    if key_id(name, raw[1:]) != kid:
        raise NoteError("verifier key id does not match its name and key")
    return name, kid, raw[1:]


def sign_note(text: str) -> str:
    """Sign `text` (must end in a newline) with the log key; return the signed note."""
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("note text must end with one newline and hold no blank line")
    name, pub = key_name(), public_key_bytes()
    sig = private_key().sign(text.encode())
    return f"{text}\n{SIG_PREFIX}{name} {base64.b64encode(key_id(name, pub) + sig).decode()}\n"


def open_note(note: str, vkey: str) -> str:
    """Return the signed text if a signature by `vkey` verifies; NoteError otherwise.

    Lines by other keys are ignored (signed-note spec); a failing line by this key rejects.
    """
    name, kid, pub = parse_verifier_key(vkey)
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("no signature block")
    text, sig_lines = note[: split + 1], note[split + 2 :].splitlines()
    verifier = Ed25519PublicKey.from_public_bytes(pub)
    for line in sig_lines:
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"malformed signature line: {line!r}")
        try:
            sig_name, b64 = line[len(SIG_PREFIX) :].split(" ")
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raise NoteError(f"malformed signature line: {line!r}") from None
        if sig_name != name or raw[:4] != kid:
            continue
        try:
            verifier.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise NoteError("signature does not verify") from None
        return text
    raise NoteError(f"no signature by {name}")


def checkpoint_text(size: int, root: bytes, origin: str | None = None) -> str:
    return f"{origin or key_name()}\n{size}\n{base64.b64encode(root).decode()}\n"


def sign_checkpoint(size: int, root: bytes) -> str:
    return sign_note(checkpoint_text(size, root))


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    """(origin, size, root) from checkpoint text (the signed body); NoteError if malformed."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has origin, size and root lines")
    origin, size_s, root_s = lines[:3]
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise NoteError(f"bad tree size {size_s!r}")
    try:
        root = base64.b64decode(root_s, validate=True)
    except ValueError:
        raise NoteError("bad root hash") from None
    if len(root) != 32:
        raise NoteError("root hash must be 32 bytes")
    return origin, int(size_s), root


def open_checkpoint(note: str, vkey: str | None = None) -> tuple[str, int, bytes]:
    """Verify a signed checkpoint with `vkey` (default: our own key) and parse it."""
    return parse_checkpoint(open_note(note, vkey or verifier_key()))


# --- the key published apart from the database (issue 13, finding 3) -----------------------


def published_vkey() -> tuple[str, str] | None:
    """(verifier key, where it came from) as the operator published it apart from the
    database — `settings.WUQUAN_LOG_VKEY` (the vkey itself) or the file named by
    `settings.WUQUAN_LOG_VKEY_FILE` — or None when neither is set. NoteError if malformed."""
    vkey = (getattr(settings, "WUQUAN_LOG_VKEY", "") or "").strip()
    source = "WUQUAN_LOG_VKEY"
    path = getattr(settings, "WUQUAN_LOG_VKEY_FILE", "") or ""
    if not vkey and path:
        try:
            vkey = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise NoteError(f"cannot read the published verifier key {path}: {exc}") from None
        source = f"WUQUAN_LOG_VKEY_FILE={path}"
    if not vkey:
        return None
    parse_verifier_key(vkey)
    return vkey, source


# --- what the signer signed last, kept beside its key, outside the database (finding 1) -----


def signer_state_path() -> Path:
    return Path(settings.WUQUAN_LOG_KEY_PATH).with_name(
        Path(settings.WUQUAN_LOG_KEY_PATH).name + ".last-checkpoint"
    )


def last_signed() -> str | None:
    """The last checkpoint note this signer signed (written after its row committed), or
    None if it never signed one. Someone who rewrites the database cannot rewrite this."""
    try:
        return signer_state_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def remember_signed(note: str) -> None:
    path = signer_state_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(note, encoding="utf-8")
    os.replace(tmp, path)


# --- cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) ------------------------

COSIGNATURE = b"\x04"  # the signature type byte of an Ed25519 cosignature/v1 key


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    return sha256(name.encode() + b"\n" + COSIGNATURE + public_key).digest()[:4]


def cosigner_vkey(name: str, public_key: bytes) -> str:
    kid = cosigner_key_id(name, public_key)
    return f"{name}+{kid.hex()}+{base64.b64encode(COSIGNATURE + public_key).decode()}"


def parse_cosigner_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    """(name, key id, public key) of a cosigner vkey (type 0x04); NoteError if malformed."""
    try:
        name, hex_id, b64 = vkey.strip().split("+", 2)
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hex_id)
    except ValueError as exc:
        raise NoteError(f"malformed cosigner key: {exc}") from None
    if len(raw) != 33 or raw[:1] != COSIGNATURE or len(kid) != 4:
        raise NoteError("not an Ed25519 cosignature/v1 key")
    if cosigner_key_id(name, raw[1:]) != kid:
        raise NoteError("cosigner key id does not match its name and key")
    return name, kid, raw[1:]


def cosigned_message(note_text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{note_text}".encode()


def cosign(key: Ed25519PrivateKey, name: str, note_text: str, timestamp: int) -> str:
    """One cosignature line (ending in a newline) over the checkpoint body `note_text`."""
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    sig = key.sign(cosigned_message(note_text, timestamp))
    raw = cosigner_key_id(name, pub) + timestamp.to_bytes(8, "big") + sig
    return f"{SIG_PREFIX}{name} {base64.b64encode(raw).decode()}\n"


def open_cosignature(note_text: str, line: str, vkey: str) -> int | None:
    """The timestamp of `line` if it is a valid cosignature by `vkey` on `note_text`; None
    if the line is by another key; NoteError if it is by this key and does not verify."""
    name, kid, pub = parse_cosigner_vkey(vkey)
    line = line.rstrip("\n")
    if not line.startswith(SIG_PREFIX):
        raise NoteError(f"malformed signature line: {line!r}")
    try:
        sig_name, b64 = line[len(SIG_PREFIX) :].split(" ")
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise NoteError(f"malformed signature line: {line!r}") from None
    if sig_name != name or raw[:4] != kid:
        return None
    if len(raw) != 4 + 8 + 64:
        raise NoteError("a cosignature holds a key id, a timestamp and a 64-byte signature")
    timestamp = int.from_bytes(raw[4:12], "big")
    if timestamp >= 1 << 63:
        raise NoteError("cosignature timestamp out of range")
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(
            raw[12:], cosigned_message(note_text, timestamp)
        )
    except InvalidSignature:
        raise NoteError("cosignature does not verify") from None
    return timestamp


def split_note(note: str) -> tuple[str, list[str]]:
    """(signed text ending in a newline, signature lines) of a signed note."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("no signature block")
    return note[: split + 1], note[split + 2 :].splitlines()
