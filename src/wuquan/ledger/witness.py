"""A transparency-log witness (issue 13, finding 2): c2sp.org/tlog-witness add-checkpoint.

A separate process with its own Ed25519 key and its own store directory; it needs neither
the log's database nor its settings, so it runs on another machine
(`wuquan witness serve --dir DIR` or `python -m wuquan.ledger.witness serve --dir DIR`).
For every log it trusts (by the log's verifier key) it keeps the latest checkpoint it
cosigned, and cosigns a new one only if it is consistent with that one (RFC 6962 §2.1.2
consistency proof from the old size). So a log that was truncated, or forked (history
rewritten), is refused — and `wuquan verify --witness-state DIR` (or `--witness URL`)
compares the log with what the witness saw.

Store layout (DIR):

    witness-ed25519.key   PKCS#8 PEM, mode 0600 (created by `init`)
    name                  the witness's key name, e.g. "witness.longtan.example/w1"
    logs                  one trusted log verifier key per line (origin = key name)
    state/<sha256(origin) hex>   the latest cosigned checkpoint: the log's note + our line
    evidence/             requests whose signature verified but whose proof did not
    .lock                 flock'ed while a request is checked and the state persisted

HTTP (the spec's add-checkpoint; `latest` is our own read endpoint, as the spec's monitor
retrieval is still TBD):

    POST <prefix>/add-checkpoint          200 cosignature line(s) | 400 | 403 | 404 | 409 | 422
    GET  <prefix>/latest?origin=<origin>  the latest cosigned checkpoint with its cosignature
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import os
import sys
import time
from contextlib import contextmanager
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import merkle, signing

SIZE_TYPE = "text/x.tlog.size"
MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63


class WitnessRefusal(Exception):
    """An add-checkpoint answer other than 200: HTTP status, body, content type."""

    def __init__(self, status: int, body: str, content_type: str = "text/plain; charset=utf-8"):
        super().__init__(f"{status} {body.strip()}")
        self.status, self.body, self.content_type = status, body, content_type


class Witness:
    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory)

    # --- set-up -----------------------------------------------------------------------------

    def init(self, name: str) -> str:
        """Create the store and the key (once); return the witness's cosigner vkey."""
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.dir / "state").mkdir(exist_ok=True)
        (self.dir / "evidence").mkdir(exist_ok=True)
        key_path = self.dir / "witness-ed25519.key"
        if not key_path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            (self.dir / "name").write_text(name + "\n", encoding="utf-8")
        (self.dir / "logs").touch()
        return self.vkey()

    def trust(self, log_vkey: str) -> None:
        """Add a log (by its verifier key) to the logs this witness cosigns for."""
        signing.parse_verifier_key(log_vkey)
        known = self.trusted()
        if log_vkey.strip() not in known:
            with (self.dir / "logs").open("a", encoding="utf-8") as f:
                f.write(log_vkey.strip() + "\n")

    def trusted(self) -> list[str]:
        try:
            text = (self.dir / "logs").read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def name(self) -> str:
        return (self.dir / "name").read_text(encoding="utf-8").strip()

    def _key(self) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key(
            (self.dir / "witness-ed25519.key").read_bytes(), password=None
        )
        if not isinstance(key, Ed25519PrivateKey):
            raise signing.NoteError("the witness key is not an Ed25519 key")
        return key

    def vkey(self) -> str:
        pub = (
            self._key()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return signing.cosigner_vkey(self.name, pub)

    # --- state ------------------------------------------------------------------------------

    def _state_path(self, origin: str) -> Path:
        return self.dir / "state" / sha256(origin.encode()).hexdigest()

    def latest(self, origin: str) -> str | None:
        """The latest checkpoint cosigned for `origin` (log note plus our cosignature)."""
        try:
            return self._state_path(origin).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    @contextmanager
    def _locked(self):
        with (self.dir / ".lock").open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    # --- add-checkpoint ---------------------------------------------------------------------

    def add_checkpoint(self, body: bytes, now: int | None = None) -> str:
        """Check a request body and return the cosignature line, or raise WitnessRefusal."""
        old_size, proof, note = _parse_request(body)
        try:
            text, _lines = signing.split_note(note)
            origin, size, root = signing.parse_checkpoint(text)
        except signing.NoteError as exc:
            raise WitnessRefusal(400, f"malformed checkpoint: {exc}\n") from None
        keys = [k for k in self.trusted() if k.split("+", 1)[0] == origin]
        if not keys:
            raise WitnessRefusal(404, f"unknown log {origin}\n")
        if not any(_verifies(note, k) for k in keys):
            raise WitnessRefusal(403, "no signature by a trusted key of this log\n")
        if old_size > size:
            raise WitnessRefusal(400, f"old size {old_size} exceeds the checkpoint size {size}\n")
        if old_size == 0 and proof:
            raise WitnessRefusal(400, "a consistency proof from size 0 must be empty\n")
        with self._locked():
            latest = self.latest(origin)
            if latest is None:
                known_size, known_root = 0, merkle.EMPTY_ROOT
            else:
                _o, known_size, known_root = signing.parse_checkpoint(signing.split_note(latest)[0])
            if old_size != known_size:
                raise WitnessRefusal(409, f"{known_size}\n", SIZE_TYPE)
            if old_size == size:
                if root != known_root and size > 0:
                    raise WitnessRefusal(409, f"{known_size}\n", SIZE_TYPE)
            elif old_size > 0 and not merkle.is_consistent(old_size, size, known_root, root, proof):
                self._keep_evidence(origin, body)
                raise WitnessRefusal(422, "the consistency proof does not verify\n")
            line = signing.cosign(self._key(), self.name, text, int(now or time.time()))
            path = self._state_path(origin)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(_own_view(note, line), encoding="utf-8")
            with tmp.open("rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, path)  # why: persisted before answering (spec)
        return line

    def _keep_evidence(self, origin: str, body: bytes) -> None:
        folder = self.dir / "evidence"
        folder.mkdir(exist_ok=True)
        name = f"{int(time.time())}-{sha256(body).hexdigest()[:16]}.txt"
        (folder / name).write_bytes(body)


def _own_view(note: str, cosignature: str) -> str:
    """The log's note with only the log's signature lines and our cosignature."""
    text, lines = signing.split_note(note)
    kept = [line for line in lines if line.strip()]
    return text + "\n" + "".join(line + "\n" for line in kept) + cosignature


def _verifies(note: str, vkey: str) -> bool:
    try:
        signing.open_note(note, vkey)
    except signing.NoteError:
        return False
    return True


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    if len(body) > MAX_BODY:
        raise WitnessRefusal(400, "request too large\n")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessRefusal(400, "request is not UTF-8\n") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise WitnessRefusal(400, "no empty line before the checkpoint\n")
    lines = head.split("\n")
    first = lines[0]
    size_s = first[4:]
    if (
        not first.startswith("old ")
        or not size_s.isdigit()
        or (size_s != "0" and size_s.startswith("0"))
    ):
        raise WitnessRefusal(400, "the first line must be 'old <size>'\n")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefusal(400, "more than 63 consistency proof lines\n")
    proof = []
    for line in lines[1:]:
        try:
            h = base64.b64decode(line, validate=True)
        except ValueError:
            raise WitnessRefusal(400, "a proof line is not base64\n") from None
        if len(h) != merkle.HASH_SIZE:
            raise WitnessRefusal(400, "a proof hash must be 32 bytes\n")
        proof.append(h)
    return int(size_s), proof, note


def request_body(old_size: int, proof: list[bytes], note: str) -> bytes:
    """An add-checkpoint request body (for the log side)."""
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n" + note).encode()


# --- HTTP -------------------------------------------------------------------------------------


def make_server(witness: Witness, host: str = "127.0.0.1", port: int = 0, prefix: str = ""):
    prefix = prefix.rstrip("/")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, body: str, ctype: str = "text/plain; charset=utf-8"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802 (http.server's naming)
            if urlsplit(self.path).path != prefix + "/add-checkpoint":
                return self._send(404, "not found\n")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._send(400, "request too large\n")
            body = self.rfile.read(length)
            try:
                line = witness.add_checkpoint(body)
            except WitnessRefusal as refusal:
                return self._send(refusal.status, refusal.body, refusal.content_type)
            return self._send(200, line)

        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            if url.path != prefix + "/latest":
                return self._send(404, "not found\n")
            origin = parse_qs(url.query).get("origin", [""])[0]
            latest = witness.latest(origin)
            if latest is None:
                return self._send(404, "no checkpoint cosigned for this origin\n")
            return self._send(200, latest)

        def log_message(self, format, *args):  # why: quiet unless asked (stderr per request)
            if os.environ.get("WUQUAN_WITNESS_VERBOSE"):
                super().log_message(format, *args)

    return ThreadingHTTPServer((host, port), Handler)


def main(argv: list[str] | None = None, stdout=None) -> int:
    out = stdout or sys.stdout
    parser = argparse.ArgumentParser(prog="wuquan witness", description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True, help="the witness's own store directory")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_init = sub.add_parser("init", help="create the store and key; print the witness vkey")
    p_init.add_argument("--name", required=True, help="key name, e.g. witness.example/w1")
    p_trust = sub.add_parser("trust", help="cosign for the log with this verifier key")
    p_trust.add_argument("vkey")
    sub.add_parser("vkey", help="print the witness's cosigner vkey")
    p_latest = sub.add_parser("latest", help="print the latest cosigned checkpoint of a log")
    p_latest.add_argument("origin")
    p_serve = sub.add_parser("serve", help="answer add-checkpoint over HTTP")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8730)
    p_serve.add_argument("--prefix", default="", help="URL prefix of add-checkpoint")
    args = parser.parse_args(argv)
    w = Witness(args.dir)
    if args.cmd == "init":
        print(w.init(args.name), file=out)
    elif args.cmd == "trust":
        w.trust(args.vkey)
        print(f"trusting {args.vkey.split('+', 1)[0]}", file=out)
    elif args.cmd == "vkey":
        print(w.vkey(), file=out)
    elif args.cmd == "latest":
        latest = w.latest(args.origin)
        if latest is None:
            print("none", file=out)
            return 1
        print(latest, end="", file=out)
    elif args.cmd == "serve":
        server = make_server(w, args.host, args.port, args.prefix)
        print(f"witness {w.name} on http://{args.host}:{server.server_port}{args.prefix}", file=out)
        out.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
