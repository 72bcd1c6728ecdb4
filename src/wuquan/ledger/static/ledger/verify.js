/* In-browser check of recorded facts (issue 13, finding 5; AUD-2).
 *
 * For every `[data-wq-verify]` block: fetch the latest signed checkpoint with its
 * cosignatures, check the log's Ed25519 signature (c2sp.org/signed-note) and each witness's
 * cosignature (c2sp.org/tlog-cosignature, cosignature/v1) with WebCrypto; fetch the events of
 * the subject with their inclusion proofs, recompute SHA-256(0x00 ‖ leaf) and the root
 * (RFC 9162 §2.1.3.2); remember the checkpoint (localStorage) and, on the next visit, check a
 * consistency proof from it (RFC 9162 §2.1.4.2). Reports in plain Chinese what was checked.
 * A browser without WebCrypto Ed25519 (found by verifying RFC 8032's first test vector) checks
 * the signatures with the small verifier below (RFC 8032 §5.1.7 in BigInt arithmetic, SHA-512
 * from WebCrypto), after the same self-test; only if that fails too is the visitor told that
 * the signatures cannot be checked, the hashes and Merkle proofs still are (result "partial").
 * No CDN, no inline script (CSP). */
(function () {
  "use strict";
  const STORE = "wuquan.log.checkpoint";
  const PIN = "wuquan.log.vkey";
  const enc = new TextEncoder();

  function b64(s) {
    const bin = atob(s.trim());
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function concat(...parts) {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  const leafHash = (leaf) => sha256(concat([0], enc.encode(leaf)));
  const nodeHash = (l, r) => sha256(concat([1], l, r));

  const all32 = (hs) => hs.every((h) => h.length === 32);

  async function rootFromInclusion(index, size, leaf, proof) {
    if (index < 0 || index >= size) throw new Error("index beyond size");
    if (!all32(proof) || leaf.length !== 32) throw new Error("a hash is not 32 bytes");
    let fn = index, sn = size - 1, r = leaf;
    for (const p of proof) {
      if (sn === 0) throw new Error("proof too long");
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("proof too short");
    return r;
  }

  async function consistent(size1, size2, root1, root2, proof) {
    if (!all32(proof)) return false;
    // why first: a proof from the empty tree proves nothing (the vectors refuse it)
    if (size1 === 0 || size1 > size2) return false;
    if (size1 === size2) return proof.length === 0 && equal(root1, root2);
    let path = proof.slice();
    if ((size1 & (size1 - 1)) === 0) path = [root1].concat(path);
    if (path.length === 0) return false;
    let fn = size1 - 1, sn = size2 - 1;
    while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        fr = await nodeHash(c, fr); sr = await nodeHash(c, sr);
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(fr, root1) && equal(sr, root2);
  }

  function parseVkey(vkey, type) {
    // why not split("+"): the base64 key may itself hold "+"
    const v = vkey.trim(), a = v.indexOf("+"), b = v.indexOf("+", a + 1);
    if (a < 0 || b < 0) throw new Error("bad key");
    const name = v.slice(0, a), kid = v.slice(a + 1, b), key = v.slice(b + 1);
    const raw = b64(key);
    if (raw.length !== 33 || raw[0] !== type) throw new Error("bad key");
    return { name, kid, pub: raw.slice(1) };
  }
  // RFC 8032 §7.1, TEST 1 (the empty message): a browser that verifies this has Ed25519
  const RFC8032_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  const RFC8032_SIG = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
  function unhex(s) {
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  let ed25519Known = null;
  async function ed25519Available() {
    // why a self-test, not a feature flag: older browsers reject the algorithm name at
    // importKey, some lack verify; either way only a known-good signature proves support
    if (ed25519Known === null) {
      try {
        ed25519Known = typeof crypto.subtle.verify === "function" &&
          (await ed25519Native(unhex(RFC8032_PUB), unhex(RFC8032_SIG), new Uint8Array(0))) === true;
      } catch (err) {
        ed25519Known = false;
      }
    }
    return ed25519Known;
  }
  async function ed25519Native(pub, sig, msg) {
    const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg);
  }
  // The verifier of our own, for browsers without WebCrypto Ed25519: RFC 8032 §5.1.3 (point
  // decoding), §5.1.4 (addition in extended coordinates), §5.1.7 (verify: [S]B = R + [k]A,
  // k = SHA-512(R ‖ A ‖ M) mod L, S < L). Checked against RFC 8032's vectors and signatures made
  // by the server's library (tests/browser/test_ledger_verify.py). Verification handles public
  // data only, so constant time does not matter here.
  const P = 2n ** 255n - 19n;
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const md = (a, m = P) => { const r = a % m; return r >= 0n ? r : r + m; };
  function pw(b, e, m = P) {
    let r = 1n;
    b = md(b, m);
    while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; }
    return r;
  }
  let CURVE = null;  // d, √−1 and the base point, made on first use
  function curve() {
    if (CURVE === null) {
      const d = md(-121665n * pw(121666n, P - 2n));
      CURVE = { d, sqrtM1: pw(2n, (P - 1n) / 4n) };
      CURVE.base = decodePoint(Uint8Array.from([0x58, ...new Array(31).fill(0x66)]));
    }
    return CURVE;
  }
  function leInt(bytes) {
    let x = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
    return x;
  }
  function decodePoint(bytes) {
    if (bytes.length !== 32) return null;
    const { d, sqrtM1 } = CURVE;
    const b = Uint8Array.from(bytes), sign = b[31] >> 7;
    b[31] &= 0x7f;
    const y = leInt(b);
    if (y >= P) return null;
    const u = md(y * y - 1n), v = md(d * y * y + 1n);
    let x = md(u * pw(v, 3n) * pw(u * pw(v, 7n), (P - 5n) / 8n));
    const vx2 = md(v * x * x);
    if (vx2 !== u) { if (vx2 === md(-u)) x = md(x * sqrtM1); else return null; }
    if (x === 0n && sign === 1) return null;
    if (Number(x & 1n) !== sign) x = P - x;
    return [x, y, 1n, md(x * y)];
  }
  function addPoints(p, q) {
    const [x1, y1, z1, t1] = p, [x2, y2, z2, t2] = q;
    const a = md((y1 - x1) * (y2 - x2)), b = md((y1 + x1) * (y2 + x2));
    const c = md(2n * CURVE.d * t1 * t2), e2 = md(2n * z1 * z2);
    const e = b - a, f = e2 - c, g = e2 + c, h = b + a;
    return [md(e * f), md(g * h), md(f * g), md(e * h)];
  }
  function mulPoint(s, p) {
    let q = [0n, 1n, 1n, 0n];
    while (s > 0n) { if (s & 1n) q = addPoints(q, p); p = addPoints(p, p); s >>= 1n; }
    return q;
  }
  function encodePoint(p) {
    const zi = pw(p[2], P - 2n), x = md(p[0] * zi);
    let y = md(p[1] * zi);
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) { out[i] = Number(y & 255n); y >>= 8n; }
    out[31] |= Number(x & 1n) << 7;
    return out;
  }
  async function ed25519Own(pub, sig, msg) {
    curve();
    if (pub.length !== 32 || sig.length !== 64) return false;
    const a = decodePoint(pub), r = decodePoint(sig.slice(0, 32));
    if (!a || !r) return false;
    const s = leInt(sig.slice(32));
    if (s >= L) return false;
    const data = new Uint8Array(64 + msg.length);
    data.set(sig.slice(0, 32)); data.set(pub, 32); data.set(msg, 64);
    const k = md(leInt(new Uint8Array(await crypto.subtle.digest("SHA-512", data))), L);
    const left = encodePoint(mulPoint(s, CURVE.base)), right = encodePoint(addPoints(r, mulPoint(k, a)));
    return left.every((v, i) => v === right[i]);
  }
  let ownKnown = null;
  async function ed25519OwnWorks() {
    if (ownKnown === null) {
      try {
        ownKnown = (await ed25519Own(unhex(RFC8032_PUB), unhex(RFC8032_SIG), new Uint8Array(0))) === true;
      } catch (err) {
        ownKnown = false;
      }
    }
    return ownKnown;
  }
  async function ed25519(pub, sig, msg) {
    return (await ed25519Available()) ? ed25519Native(pub, sig, msg) : ed25519Own(pub, sig, msg);
  }
  function splitNote(note) {
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0) throw new Error("no signatures");
    return { text: note.slice(0, cut + 1), lines: note.slice(cut + 2).split("\n").filter(Boolean) };
  }
  function sigLines(lines, name, kid) {
    return lines.filter((l) => l.startsWith("\u2014 " + name + " ")).map((l) => b64(l.split(" ")[2]))
      .filter((raw) => hex(raw.slice(0, 4)) === kid);
  }

  async function getText(url) {
    const r = await fetch(url, { headers: { Accept: "text/plain" } });
    if (!r.ok) throw new Error(url + " → " + r.status);
    return r.text();
  }
  async function getJson(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(url + " → " + r.status);
    return r.json();
  }

  async function run(box) {
    const out = box.querySelector(".wq-verify-result");
    out.textContent = "";
    box.querySelector(".wq-verify-summary").textContent = "核验中…";
    delete box.dataset.result;
    let failed = false;
    const say = (ok, text) => {
      const li = document.createElement("li");
      li.className = ok === true ? "wq-ok" : ok === false ? "wq-bad" : "wq-note";
      li.textContent = (ok === true ? "✓ " : ok === false ? "✗ " : "· ") + text;
      out.appendChild(li);
      if (ok === false) failed = true;
    };
    const api = box.dataset.api;
    if (!(window.crypto && crypto.subtle)) {
      say(false, "本浏览器在此页面不提供密码学接口（WebCrypto，须通过 HTTPS 打开），无法核验。");
      return finish(box, true, true);
    }
    const native = await ed25519Available();
    const canSign = native || (await ed25519OwnWorks());
    if (!native && canSign) {
      say(null, "本浏览器的 WebCrypto 不支持 Ed25519，签名改由本站自带的核验程序（按 RFC 8032 编写，" +
        "已用其测试向量自检）在您的浏览器中核对。");
    }
    if (!canSign) {
      say(null, "本浏览器不支持 Ed25519 签名核验（WebCrypto），无法核对检查点和见证方的签名；" +
        "下面各条记录的哈希、默克尔包含证明和一致性证明仍由您的浏览器计算核对。" +
        "如需核对签名，请使用新版的 Chrome、Edge、Firefox 或 Safari。");
    }
    try {
      // 1. the key: the one published by the operator, pinned in this browser on first use
      const served = (await getText(api + "/public-key")).trim();
      const expected = box.dataset.vkey || localStorage.getItem(PIN) || served;
      if (served !== expected) say(false, "网站提供的检查点公钥与公布的公钥不一致，可能被替换。");
      const log = parseVkey(expected, 1);
      if (!localStorage.getItem(PIN)) localStorage.setItem(PIN, expected);
      else if (localStorage.getItem(PIN) !== expected) say(false, "公钥与本浏览器上次记住的不同，可能被替换。");
      say(null, "使用的检查点公钥：" + log.name + "（密钥编号 " + log.kid + "）");
      // 2. the checkpoint and its signature
      const note = await getText(api + "/checkpoint");
      const { text, lines } = splitNote(note);
      const [origin, sizeS, rootS] = text.split("\n");
      const size = Number(sizeS), root = b64(rootS);
      const sigs = sigLines(lines, log.name, log.kid);
      let signed = false;
      if (canSign) {
        for (const raw of sigs) if (await ed25519(log.pub, raw.slice(4), enc.encode(text))) signed = true;
        say(signed && origin === log.name, "检查点签名有效：" + origin + " 共 " + size + " 条记录，根哈希 " + hex(root).slice(0, 16) + "…");
      } else {
        if (origin !== log.name) say(false, "检查点来源 " + origin + " 与公布的公钥 " + log.name + " 不符。");
        say(null, "检查点：" + origin + " 共 " + size + " 条记录，根哈希 " + hex(root).slice(0, 16) + "…（签名未核对：本浏览器不支持）");
      }
      // 3. the witnesses' cosignatures
      const witnesses = await getJson(api + "/witnesses");
      for (const w of canSign ? witnesses : []) {
        const k = parseVkey(w.vkey, 4);
        let ok = false, when = "";
        for (const raw of sigLines(lines, k.name, k.kid)) {
          const ts = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0);
          const msg = enc.encode("cosignature/v1\ntime " + ts + "\n" + text);
          if (await ed25519(k.pub, raw.slice(12), msg)) { ok = true; when = new Date(Number(ts) * 1000).toLocaleString("zh-CN"); }
        }
        say(ok, ok ? "见证方 " + k.name + " 已于 " + when + " 联署这个检查点（它只联署与之前一致的检查点）。"
          : "见证方 " + k.name + " 没有有效的联署。");
      }
      if (!witnesses.length) say(null, "本系统未配置见证方，只能核对系统自身的签名。");
      else if (!canSign) say(null, "见证方（" + witnesses.map((w) => w.name).join("、") + "）的联署签名未核对：本浏览器不支持。");
      // 4. consistency with the checkpoint this browser verified last time
      const last = JSON.parse(localStorage.getItem(STORE) || "null");
      if (last && last.origin === origin) {
        const lastRoot = b64(last.root);
        if (last.size > size) {
          say(false, "最新检查点（" + size + " 条）比您上次核验的（" + last.size + " 条）还小：记录可能被截断。");
        } else if (last.size === size) {
          say(equal(lastRoot, root), "与您上次核验的检查点相同（" + size + " 条）。");
        } else {
          const c = await getJson(api + "/consistency?size1=" + last.size + "&size2=" + size);
          const ok = await consistent(last.size, size, lastRoot, root, c.proof.map(b64));
          say(ok, ok ? "一致性证明有效：您上次核验的 " + last.size + " 条记录原样保留在现在的 " + size + " 条之中，没有被改写。"
            : "一致性证明无效：您上次核验的记录已被改写！");
        }
      } else {
        say(null, "这是本浏览器第一次核验，下次访问时将检查记录是否被改写。");
      }
      // 5. the facts on this page: leaf hash and inclusion in the signed tree
      const subject = await getJson(api + "/subjects/" + encodeURIComponent(box.dataset.subjectType) + "/" + encodeURIComponent(box.dataset.subjectId));
      let included = 0;
      for (const e of subject) {
        if (e.index >= size) { say(null, "第 " + e.index + " 号记录晚于最新检查点，下次签发后可核验。"); continue; }
        const ev = await getJson(api + "/events/" + e.index + "?tree_size=" + size);
        const lh = await leafHash(ev.leaf);
        if (!equal(lh, b64(ev.leaf_hash))) { say(false, "第 " + e.index + " 号记录的内容与其哈希不符。"); continue; }
        let r;
        try { r = await rootFromInclusion(e.index, size, lh, ev.inclusion_proof.map(b64)); } catch (err) { r = new Uint8Array(0); }
        if (equal(r, root)) included++;
        else say(false, "第 " + e.index + " 号记录（" + e.action + "）的包含证明无效：它不在签名的记录树中。");
      }
      if (included) say(true, "本页的 " + included + " 条记录都在" + (canSign ? "签名的" : "检查点的") + "记录树中：浏览器重新计算了每条记录的 SHA-256 哈希和到根哈希的路径。");
      if (!subject.length) say(null, "本页没有可核验的记录。");
      if (!failed && signed) localStorage.setItem(STORE, JSON.stringify({ origin, size, root: rootS }));
    } catch (err) {
      say(false, "核验未能完成：" + err.message);
    }
    finish(box, failed, canSign);
  }

  function finish(box, failed, canSign) {
    box.dataset.result = failed ? "failed" : canSign ? "ok" : "partial";
    const head = box.querySelector(".wq-verify-summary");
    head.className = "wq-verify-summary " + (failed ? "wq-bad" : canSign ? "wq-ok" : "wq-note");
    head.textContent = failed ? "✗ 核验失败：请勿相信本页显示的记录，并向纪委监委反映。"
      : canSign ? "✓ 核验通过：以下各项均由您的浏览器计算核对。"
      : "△ 部分核验：记录的哈希和默克尔证明核对无误，但本浏览器不支持 Ed25519，检查点签名未能核对。";
  }

  // for the test of these verifiers against the transparency-dev vectors
  window.wuquanLogVerify = {
    rootFromInclusion, consistent, b64, equal, ed25519Available, ed25519OwnWorks, ed25519Own, unhex,
  };

  function init() {
    for (const box of document.querySelectorAll("[data-wq-verify]")) {
      const button = box.querySelector(".wq-verify-button");
      if (!button || button.dataset.bound) continue;
      button.dataset.bound = "1";
      button.addEventListener("click", () => run(box));
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
