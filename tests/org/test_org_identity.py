"""PUB-9 / ORG-1: ID numbers are validated without ever raising, and masked for the public."""

import pytest

from wuquan.common import identity
from wuquan.common.identity import is_valid_ric, mask_phone, mask_ric

VALID = "11010519491231002X"


def test_org1_valid_ric_with_x_checksum_is_accepted():
    assert is_valid_ric(VALID)
    assert is_valid_ric("120101198001010012")


@pytest.mark.parametrize(
    "value",
    [
        VALID + "\n",  # a bare `$` would let this through
        VALID.lower(),
        "110105194912310021",  # wrong checksum
        "11010519491331002X",  # month 13
        "1101051949123100",
        "",
        None,
        110105194912310021,
        "X10105194912310021",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
    ],
)
def test_org1_malformed_or_wrong_ric_is_rejected(value):
    assert is_valid_ric(value) is False


def test_org1_ric_wrapper_never_raises_even_when_stdnum_does(monkeypatch):
    def boom(value):
        raise KeyError(value[:6])

    monkeypatch.setattr(identity.ric, "is_valid", boom)
    assert is_valid_ric(VALID) is False


def test_pub9_ric_and_phone_are_masked():
    assert mask_ric(VALID) == "110105********002X"
    assert mask_ric("") == ""
    assert VALID[6:14] not in mask_ric(VALID)
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0432-6461 2345") == "********2345"
    assert mask_ric("abc") == "***"
