"""Known answers for the GF(2^8) arithmetic and the share format, and the rejected inputs.

Provenance of the field vectors: FIPS-197 (AES), §4.2 "Multiplication" gives
{57} • {83} = {c1}; §4.2.1 "Multiplication by x" gives the xtime chain {57} • {02} = {ae},
{57} • {04} = {47}, {57} • {08} = {8e}, {57} • {10} = {07} and {57} • {13} = {fe} (section
numbers of the 2001 edition). The inverse {53}^-1 = {ca} is the usual worked example of the
S-box construction (e.g. Wikipedia, "Rijndael S-box") but is not printed in FIPS-197, so it is
also checked against what is: §5.1.1 defines S(b) as an affine map of b^-1, and Figure 7 lists
S({53}) = {ed} and the first row of S.
"""

from __future__ import annotations

import pytest

from strongroom.crypto.shamir import MAX_SHARES, _evaluate, combine, gf_inv, gf_mul, split
from strongroom.errors import InvalidKey, InvalidParameter

SBOX_FIRST_ROW = bytes.fromhex("637c777bf26b6fc53001672bfed7ab76")  # FIPS-197 Figure 7, row 0


def _aes_affine(b: int) -> int:
    """FIPS-197 equation (5.1): b'_i = b_i ^ b_(i+4) ^ b_(i+5) ^ b_(i+6) ^ b_(i+7) ^ c_i."""
    rotated = 0
    for shift in range(5):
        rotated ^= ((b << shift) | (b >> (8 - shift))) & 0xFF
    return rotated ^ 0x63


def _reference_mul(a: int, b: int) -> int:
    """Schoolbook: carry-less product of degree <= 14, then long division by 0x11B."""
    product = 0
    for bit in range(8):
        if b >> bit & 1:
            product ^= a << bit
    for degree in range(14, 7, -1):
        if product >> degree & 1:
            product ^= 0x11B << (degree - 8)
    return product


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0x57, 0x83, 0xC1),  # FIPS-197 §4.2
        (0x57, 0x02, 0xAE),  # FIPS-197 §4.2.1
        (0x57, 0x04, 0x47),
        (0x57, 0x08, 0x8E),
        (0x57, 0x10, 0x07),
        (0x57, 0x13, 0xFE),  # FIPS-197 §4.2.1
    ],
)
def test_multiplication_matches_fips_197(a: int, b: int, expected: int) -> None:
    assert gf_mul(a, b) == expected
    assert gf_mul(b, a) == expected


def test_inverse_of_53_is_ca() -> None:
    assert gf_inv(0x53) == 0xCA
    assert gf_mul(0x53, 0xCA) == 0x01


def test_inverse_reproduces_the_aes_sbox() -> None:
    assert _aes_affine(gf_inv(0x53)) == 0xED  # FIPS-197 Figure 7, row 5 column 3
    assert bytes(_aes_affine(gf_inv(x)) for x in range(16)) == SBOX_FIRST_ROW


def test_multiplication_agrees_with_a_schoolbook_reference_everywhere() -> None:
    for a in range(256):
        for b in range(256):
            assert gf_mul(a, b) == _reference_mul(a, b)


def test_share_format_known_answer() -> None:
    # f(x) = 2a + 07·x: f(1) = 2a ^ 07 = 2d; f(2) = 2a ^ 0e = 24 (07·02 = 0e, no reduction).
    assert _evaluate(b"\x2a", [b"\x07"], [1, 2]) == [b"\x2d\x01", b"\x24\x02"]
    # f(x) = 2a + 57·x, at the FIPS-197 points: f(83) = 2a ^ c1 = eb; f(13) = 2a ^ fe = d4.
    assert _evaluate(b"\x2a", [b"\x57"], [0x83, 0x13]) == [b"\xeb\x83", b"\xd4\x13"]


@pytest.mark.parametrize(
    "shares",
    [
        [b"\x2d\x01", b"\x24\x02"],
        [b"\x24\x02", b"\x2d\x01"],
        [b"\xeb\x83", b"\xd4\x13"],
    ],
)
def test_combine_known_answer(shares: list[bytes]) -> None:
    assert combine(shares) == b"\x2a"


def test_two_byte_secret_from_hand_polynomials() -> None:
    # Byte 0: f(x) = 01 + 02·x + 03·x²; byte 1: g(x) = ff + 00·x + 01·x².
    shares = _evaluate(b"\x01\xff", [b"\x02\x00", b"\x03\x01"], [1, 2, 3])
    # x=1: f = 01^02^03 = 00, g = ff^01 = fe. x=2: x² = 04; f = 01^04^0c = 09, g = ff^04 = fb.
    assert shares[0] == b"\x00\xfe\x01"
    assert shares[1] == b"\x09\xfb\x02"
    assert combine(shares) == b"\x01\xff"
    assert combine(shares[::-1]) == b"\x01\xff"


def test_a_single_share_is_the_secret_itself() -> None:
    assert split(b"key", 1, 1) == [b"key"]


def test_split_shape() -> None:
    secret = bytes(range(32))
    shares = split(secret, 5, 3)
    assert len(shares) == 5
    assert all(len(share) == 33 for share in shares)
    assert len({share[-1] for share in shares}) == 5
    assert combine(shares[:3]) == secret


def test_maximum_number_of_shares_uses_every_nonzero_x() -> None:
    shares = split(b"\x99", MAX_SHARES, 2)
    assert sorted(share[-1] for share in shares) == list(range(1, 256))
    assert combine(shares[-2:]) == b"\x99"


@pytest.mark.parametrize(
    ("secret", "shares", "threshold"),
    [
        (b"k", 3, 4),  # threshold > shares
        (b"k", 1, 2),
        (b"k", 256, 3),  # shares > 255
        (b"k", 0, 0),
        (b"k", 3, 0),
        (b"k", 3, 1),  # threshold 1 with several shares
        (b"", 3, 2),  # nothing to split
        (b"", 1, 1),
    ],
)
def test_split_rejects_bad_parameters(secret: bytes, shares: int, threshold: int) -> None:
    with pytest.raises(InvalidParameter):
        split(secret, shares, threshold)


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([], "at least two"),
        ([b"\x2d\x01"], "at least two"),  # a single share
        ([b"\x01", b"\x02"], "at least two bytes"),
        ([b"\x2d\x01", b"\x24\x00\x02"], "different lengths"),
        ([b"\x2d\x01", b"\x24\x01"], "same x-coordinate"),
        ([b"\x2d\x01", b"\x2d\x01"], "same x-coordinate"),
        ([b"\x2d\x00", b"\x24\x02"], "invalid x-coordinate"),
    ],
)
def test_combine_rejects_malformed_shares(shares: list[bytes], message: str) -> None:
    with pytest.raises(InvalidKey, match=message) as caught:
        combine(shares)
    for share in shares:
        assert share.hex() not in caught.value.message
        assert repr(share) not in caught.value.message
