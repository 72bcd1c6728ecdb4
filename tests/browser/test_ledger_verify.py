"""Issue 13, finding 5 (AUD-2): the visitor's browser checks a recorded fact itself — leaf
hash, inclusion proof, the log's signature and a witness's cosignature (WebCrypto SHA-256 and
Ed25519), and on the next visit a consistency proof from the checkpoint it remembered. A
tampered proof served by the site makes the check fail."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")


@pytest.fixture
def case(transactional_db, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wuquan.approvals import sample, services
    from wuquan.catalog.models import MaterialReuse
    from wuquan.ledger import signing
    from wuquan.ledger.services import do_create_checkpoint
    from wuquan.ledger.witness import Witness

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WUQUAN_LOG_KEY_PATH = tmp_path / "keys" / "log.key"
    settings.WUQUAN_LOG_VKEY = signing.verifier_key()
    w = Witness(tmp_path / "witness")
    w.init("witness.longtan.example/w1")
    w.trust(settings.WUQUAN_LOG_VKEY)
    settings.WUQUAN_WITNESSES = f"{w.dir} {w.vkey()}"
    world = sample.build()
    files = {
        m.pk: SimpleUploadedFile(f"m{m.pk}.pdf", b"%PDF-1.4 x", content_type="application/pdf")
        for m in world.materials
        if m.reuse == MaterialReuse.NONE
    }
    sub = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        applicant_id_number="220203199001011230",
        applicant_phone="13800000000",
        data={"area_sqm": 100},
        files=files,
    )
    services.do_accept_case(sub.case, actor=world.users["window"])
    cp, _ = do_create_checkpoint()
    assert cp.cosignatures.count() == 1
    return sub


def open_status(page, sub):
    page.goto(f"{page.base_url}/gk/approvals/lookup/")
    page.fill("input[name=number]", sub.case.application_no)
    page.fill("input[name=code]", sub.query_code)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-wq-verify]")


def verify(page) -> tuple[str, str]:
    page.click(".wq-verify-button")
    page.wait_for_selector("[data-wq-verify][data-result]")
    box = page.locator("[data-wq-verify]")
    return box.get_attribute("data-result"), box.inner_text()


def test_aud2_browser_verifies_a_case_then_checks_consistency_on_the_next_visit(page, case):
    open_status(page, case)
    result, text = verify(page)
    assert result == "ok", text
    assert "检查点签名有效" in text and "见证方 witness.longtan.example/w1 已于" in text
    assert "都在签名的记录树中" in text and "第一次核验" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"ledger_verify_{width}.png"), full_page=True)
    # the log grows and a new checkpoint is signed: the next visit checks consistency
    from wuquan.ledger import record
    from wuquan.ledger.services import do_create_checkpoint

    for i in range(5):
        record("system", "test.more", ("t", i))
    do_create_checkpoint()
    open_status(page, case)
    result, text = verify(page)
    assert result == "ok", text
    assert "一致性证明有效" in text


def test_aud2_browser_check_fails_on_a_tampered_inclusion_proof(page, case):
    def tamper(route):
        response = route.fetch()
        body = response.json()
        body["inclusion_proof"] = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="] + body[
            "inclusion_proof"
        ][1:]
        if not body["inclusion_proof"]:
            body["inclusion_proof"] = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/v1/log/events/*", tamper)
    open_status(page, case)
    result, text = verify(page)
    assert result == "failed"
    assert "包含证明无效" in text and "核验失败" in text


def test_aud2_browser_check_fails_on_a_tampered_consistency_proof(page, case):
    open_status(page, case)
    assert verify(page)[0] == "ok"
    from wuquan.ledger import record
    from wuquan.ledger.services import do_create_checkpoint

    for i in range(3):
        record("system", "test.more", ("t", i))
    do_create_checkpoint()

    def tamper(route):
        response = route.fetch()
        body = response.json()
        body["proof"] = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="] * max(
            1, len(body["proof"])
        )
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/v1/log/consistency*", tamper)
    open_status(page, case)
    result, text = verify(page)
    assert result == "failed" and "一致性证明无效" in text


def test_aud2_browser_verifiers_accept_exactly_the_valid_transparency_dev_vectors(page, case):
    """The page's JS verifiers against every vector of tests/ledger/vectors (Apache-2.0,
    transparency-dev/merkle), as the Python ones are (tests/ledger/test_vectors.py)."""
    vectors = Path(__file__).parents[1] / "ledger" / "vectors"
    inclusion = [json.loads(p.read_text()) for p in sorted(vectors.glob("inclusion/**/*.json"))]
    consistency = [json.loads(p.read_text()) for p in sorted(vectors.glob("consistency/**/*.json"))]
    open_status(page, case)
    wrong = page.evaluate(
        """async ([inc, con]) => {
        const V = window.wuquanLogVerify, d = (s) => V.b64(s || "");
        const bad = [];
        for (const v of inc) {
          let ok;
          try {
            const r = await V.rootFromInclusion(v.leafIdx, v.treeSize, d(v.leafHash),
                                                (v.proof || []).map(d));
            ok = V.equal(r, d(v.root));
          } catch (e) { ok = false; }
          if (ok === v.wantErr) bad.push("inclusion " + v.desc);
        }
        for (const v of con) {
          const ok = await V.consistent(v.size1, v.size2, d(v.root1), d(v.root2),
                                        (v.proof || []).map(d));
          if (ok === v.wantErr) bad.push("consistency " + v.desc);
        }
        return bad;
    }""",
        [inclusion, consistency],
    )
    assert len(inclusion) + len(consistency) > 150
    assert wrong == []


# --- a browser without WebCrypto Ed25519 ---------------------------------------------------------

NO_ED25519 = """(() => {
  const importKey = SubtleCrypto.prototype.importKey;
  SubtleCrypto.prototype.importKey = function (format, key, alg, ...rest) {
    if ((alg && (alg.name || alg)) === "Ed25519")
      return Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"));
    return importKey.call(this, format, key, alg, ...rest);
  };
})();"""
NO_VERIFY = "delete SubtleCrypto.prototype.verify;"


def test_aud2_this_browser_has_ed25519_by_the_rfc8032_vector(page, case):
    """The self-test the page runs (RFC 8032 §7.1 TEST 1) passes where WebCrypto has Ed25519."""
    open_status(page, case)
    assert page.evaluate("window.wuquanLogVerify.ed25519Available()") is True


NO_BIGINT = "delete window.BigInt;"  # the own verifier cannot run either: a partial check


@pytest.mark.parametrize("script", [NO_ED25519, NO_VERIFY], ids=["no-ed25519", "no-verify"])
def test_aud2_without_webcrypto_ed25519_our_own_verifier_checks_the_signatures(page, case, script):
    page.add_init_script(script)
    open_status(page, case)
    assert page.evaluate("window.wuquanLogVerify.ed25519Available()") is False
    assert page.evaluate("window.wuquanLogVerify.ed25519OwnWorks()") is True
    result, text = verify(page)
    assert result == "ok", text
    assert "本站自带的核验程序" in text and "检查点签名有效" in text
    assert "都在签名的记录树中" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ledger_verify_own_ed25519.png"), full_page=True)
    assert page.evaluate("localStorage.getItem('wuquan.log.checkpoint')") is not None


def test_aud2_own_ed25519_accepts_valid_signatures_and_refuses_altered_ones(page, case):
    """The own verifier against signatures made by the server's library (pyca/cryptography),
    each also with one bit of the signature, and of the message, flipped."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    vectors = []
    for n in range(5):
        key = Ed25519PrivateKey.generate()
        msg = bytes(range(n * 41 % 256))[: n * 41]
        pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        vectors.append([pub.hex(), msg.hex(), key.sign(msg).hex()])
    open_status(page, case)
    results = page.evaluate(
        """async (vectors) => {
      const v = window.wuquanLogVerify, out = [];
      for (const [pub, msg, sig] of vectors) {
        const p = v.unhex(pub), m = v.unhex(msg), s = v.unhex(sig);
        const badSig = Uint8Array.from(s); badSig[7] ^= 1;
        const badMsg = m.length ? Uint8Array.from(m) : Uint8Array.from([0]);
        if (m.length) badMsg[0] ^= 1;
        out.push([await v.ed25519Own(p, s, m), await v.ed25519Own(p, badSig, m),
                  await v.ed25519Own(p, s, badMsg)]);
      }
      return out;
    }""",
        vectors,
    )
    assert results == [[True, False, False]] * len(vectors)


def test_aud2_without_any_ed25519_the_page_says_so_and_still_checks_the_proofs(page, case):
    page.add_init_script(NO_ED25519)
    page.add_init_script(NO_BIGINT)
    open_status(page, case)
    assert page.evaluate("window.wuquanLogVerify.ed25519Available()") is False
    result, text = verify(page)
    assert result == "partial", text
    assert "本浏览器不支持 Ed25519 签名核验" in text and "仍由您的浏览器计算核对" in text
    assert "部分核验" in text and "签名未核对" in text
    assert "检查点签名有效" not in text and "已于" not in text  # nothing claimed unchecked
    assert "都在检查点的记录树中" in text  # the Merkle proofs were checked
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ledger_verify_no_ed25519.png"), full_page=True)
    # an unsigned checkpoint is not remembered as verified
    assert page.evaluate("localStorage.getItem('wuquan.log.checkpoint')") is None


def test_aud2_without_webcrypto_ed25519_a_tampered_proof_still_fails(page, case):
    def tamper(route):
        response = route.fetch()
        body = response.json()
        body["inclusion_proof"] = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="] + body[
            "inclusion_proof"
        ][1:]
        if not body["inclusion_proof"]:
            body["inclusion_proof"] = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
        route.fulfill(response=response, body=json.dumps(body))

    page.add_init_script(NO_ED25519)
    page.route("**/api/v1/log/events/*", tamper)
    open_status(page, case)
    result, text = verify(page)
    assert result == "failed" and "包含证明无效" in text and "本站自带的核验程序" in text
