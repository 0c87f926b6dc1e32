"""Hypothesis properties of Shamir sharing and of the GF(2^8) arithmetic under it.

Nothing here depends on luck. Too few shares are checked in two exact ways instead of "the
result is probably different": a missing share leaves every secret equally possible, and with a
nonzero leading coefficient the wrong answer is off by a value we can compute.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from strongroom.crypto.shamir import _evaluate, combine, gf_inv, gf_mul, split

FAST = settings(max_examples=150, deadline=None)

secrets_ = st.binary(min_size=1, max_size=64)
elements = st.integers(min_value=0, max_value=255)
nonzero = st.integers(min_value=1, max_value=255)


@st.composite
def share_counts(draw: st.DrawFn) -> tuple[int, int]:
    """(shares, threshold), small so examples stay fast; 255 shares has its own test."""
    shares = draw(st.integers(min_value=2, max_value=16))
    threshold = draw(st.integers(min_value=2, max_value=min(shares, 8)))
    return shares, threshold


def _interpolate(points: Sequence[tuple[int, int]], at: int) -> int:
    """The value at ``at`` of the lowest-degree polynomial through ``points`` (one byte)."""
    total = 0
    for i, (x_i, y_i) in enumerate(points):
        term = y_i
        for j, (x_j, _) in enumerate(points):
            if j != i:
                term = gf_mul(term, gf_mul(at ^ x_j, gf_inv(x_i ^ x_j)))
        total ^= term
    return total


# --- sharing -------------------------------------------------------------------------------


@FAST
@given(secret=secrets_, counts=share_counts(), data=st.data())
def test_any_threshold_of_shares_in_any_order_rebuilds_the_secret(
    secret: bytes, counts: tuple[int, int], data: st.DataObject
) -> None:
    shares, threshold = counts
    pieces = split(secret, shares, threshold)
    chosen = data.draw(st.permutations(pieces))[: data.draw(st.integers(threshold, shares))]
    assert combine(chosen) == secret


@FAST
@given(secret=secrets_, counts=share_counts())
def test_shares_are_one_byte_longer_with_distinct_nonzero_x(
    secret: bytes, counts: tuple[int, int]
) -> None:
    shares, threshold = counts
    pieces = split(secret, shares, threshold)
    assert len(pieces) == shares
    assert all(len(piece) == len(secret) + 1 for piece in pieces)
    x_coordinates = [piece[-1] for piece in pieces]
    assert 0 not in x_coordinates
    assert len(set(x_coordinates)) == shares


@settings(max_examples=10, deadline=None)
@given(secret=st.binary(min_size=1, max_size=8), threshold=st.integers(2, 4), data=st.data())
def test_all_255_shares_use_every_nonzero_x_and_any_threshold_of_them_works(
    secret: bytes, threshold: int, data: st.DataObject
) -> None:
    pieces = split(secret, 255, threshold)
    assert sorted(piece[-1] for piece in pieces) == list(range(1, 256))
    assert combine(data.draw(st.permutations(pieces))[:threshold]) == secret


@FAST
@given(secret=secrets_)
def test_one_share_is_the_secret(secret: bytes) -> None:
    assert split(secret, 1, 1) == [secret]


@FAST
@given(secret=secrets_, counts=share_counts(), data=st.data())
def test_missing_one_share_every_secret_remains_possible(
    secret: bytes, counts: tuple[int, int], data: st.DataObject
) -> None:
    """threshold - 1 shares fit a polynomial for *any* candidate secret: they reveal nothing.

    Through the known points plus (0, candidate) there is a polynomial of degree threshold - 1;
    its value at an unused x is a share that, with the known ones, combines to the candidate.
    """
    shares, threshold = counts
    candidate = data.draw(st.binary(min_size=len(secret), max_size=len(secret)))
    known = data.draw(st.permutations(split(secret, shares, threshold)))[: threshold - 1]
    used = {piece[-1] for piece in known}
    fresh_x = data.draw(st.sampled_from([x for x in range(1, 256) if x not in used]))
    forged = bytearray()
    for index, wanted in enumerate(candidate):
        points = [(0, wanted)] + [(piece[-1], piece[index]) for piece in known]
        forged.append(_interpolate(points, fresh_x))
    forged.append(fresh_x)
    assert combine([*known, bytes(forged)]) == candidate


@FAST
@given(
    secret=secrets_,
    threshold=st.integers(min_value=3, max_value=8),
    data=st.data(),
)
def test_too_few_shares_are_wrong_by_a_known_nonzero_amount(
    secret: bytes, threshold: int, data: st.DataObject
) -> None:
    """With leading coefficients c, threshold - 1 shares at x_1..x_k rebuild secret + c·Πx_i.

    f minus the interpolant g of the k = threshold - 1 known points has degree k and vanishes at
    every x_i, so f - g = c·Π(x - x_i), and at 0 (char 2: minus is plus) that is c·Πx_i != 0.
    """
    size = len(secret)
    lower = [data.draw(st.binary(min_size=size, max_size=size)) for _ in range(threshold - 2)]
    leading = bytes(data.draw(st.lists(nonzero, min_size=size, max_size=size)))
    xs = data.draw(st.lists(nonzero, min_size=threshold - 1, max_size=threshold - 1, unique=True))
    rebuilt = combine(_evaluate(secret, [*lower, leading], xs))
    product_of_xs = 1
    for x in xs:
        product_of_xs = gf_mul(product_of_xs, x)
    assert rebuilt == bytes(
        s ^ gf_mul(c, product_of_xs) for s, c in zip(secret, leading, strict=True)
    )
    assert all(r != s for r, s in zip(rebuilt, secret, strict=True))


# --- the field -----------------------------------------------------------------------------


def test_every_nonzero_element_has_an_inverse() -> None:
    for a in range(1, 256):
        assert gf_mul(a, gf_inv(a)) == 1
    assert sorted(gf_inv(a) for a in range(1, 256)) == list(range(1, 256))
    assert gf_inv(0) == 0


def test_multiplication_is_commutative_with_identity_and_zero() -> None:
    for a in range(256):
        assert gf_mul(a, 1) == a
        assert gf_mul(a, 0) == 0
        for b in range(a):
            assert gf_mul(a, b) == gf_mul(b, a)


def test_three_generates_the_multiplicative_group() -> None:
    seen, power = set(), 1
    for _ in range(255):
        power = gf_mul(power, 3)
        seen.add(power)
    assert seen == set(range(1, 256))
    assert power == 1


@settings(max_examples=2000, deadline=None)
@given(a=elements, b=elements, c=elements)
def test_multiplication_is_associative_and_distributes_over_xor(a: int, b: int, c: int) -> None:
    assert gf_mul(gf_mul(a, b), c) == gf_mul(a, gf_mul(b, c))
    assert gf_mul(a, b ^ c) == gf_mul(a, b) ^ gf_mul(a, c)


@settings(max_examples=500, deadline=None)
@given(a=nonzero, b=nonzero)
def test_inverse_of_a_product_is_the_product_of_inverses(a: int, b: int) -> None:
    assert gf_inv(gf_mul(a, b)) == gf_mul(gf_inv(a), gf_inv(b))
    assert 0 < gf_mul(a, b) < 256
