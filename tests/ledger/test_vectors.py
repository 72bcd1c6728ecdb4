"""AUD-2: our RFC 9162 verifiers accept exactly the valid transparency-dev/merkle vectors.

Every JSON file under tests/ledger/vectors (copied unchanged, Apache-2.0; see its README) is a
case; a verifier must accept those with `wantErr: false` and reject all the others.
"""

import base64
import json
from pathlib import Path

import pytest

from wuquan.ledger import merkle

VECTORS = Path(__file__).parent / "vectors"
INCLUSION = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").rglob("*.json"))


def _b(s):
    return base64.b64decode(s or "")


def _proof(p):
    return [_b(h) for h in (p or [])]


def _ids(paths):
    return [str(p.relative_to(VECTORS)) for p in paths]


def test_aud2_vector_files_are_all_present():
    assert len(INCLUSION) + len(CONSISTENCY) == len(list(VECTORS.rglob("*.json"))) > 150
    assert (VECTORS / "README.md").exists()


@pytest.mark.parametrize("path", INCLUSION, ids=_ids(INCLUSION))
def test_aud2_inclusion_vector_is_accepted_exactly_when_valid(path):
    v = json.loads(path.read_text())
    try:
        merkle.verify_inclusion(
            v["leafIdx"], v["treeSize"], _b(v["leafHash"]), _proof(v["proof"]), _b(v["root"])
        )
        error = None
    except merkle.ProofError as exc:
        error = exc
    assert (error is not None) == v["wantErr"], f"{v['desc']}: {error}"


@pytest.mark.parametrize("path", CONSISTENCY, ids=_ids(CONSISTENCY))
def test_aud2_consistency_vector_is_accepted_exactly_when_valid(path):
    v = json.loads(path.read_text())
    try:
        merkle.verify_consistency(
            v["size1"], v["size2"], _b(v["root1"]), _b(v["root2"]), _proof(v["proof"])
        )
        error = None
    except merkle.ProofError as exc:
        error = exc
    assert (error is not None) == v["wantErr"], f"{v['desc']}: {error}"
