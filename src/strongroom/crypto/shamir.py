"""Shamir secret sharing over GF(2^8), in the share format Vault and OpenBao use.

Each byte of the secret is the constant term of its own random polynomial of degree
``threshold - 1``. A share is the values of all those polynomials at one x-coordinate, followed
by the x-coordinate itself: ``len(secret) + 1`` bytes, x last. The field is GF(2^8) with the AES
reduction polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), as in FIPS-197 §4.2 and Vault's
``shamir`` package, so shares are interchangeable with Vault's.

Timing. CVE-2023-25000 recovered Vault's unseal keys through cache timing of the log/exp table
lookups its field arithmetic used. This module has no tables: multiplication is a fixed
eight-round shift-and-add whose conditional steps are masks, and the inverse is a fixed chain of
multiplications (a^254). No branch and no memory index depends on a secret byte. CPython cannot
promise constant time (its integer operations and small-integer cache are value-dependent), so
this removes the table-lookup channel, not every channel.

Vault's rules for the parameters: 1 <= threshold <= shares <= 255, and threshold >= 2 when
there is more than one share. With a single share Vault hands out the key itself, so
``split(secret, 1, 1)`` returns ``[secret]`` and the caller needs no special case.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from strongroom.errors import InvalidKey, InvalidParameter

__all__ = ["MAX_SHARES", "combine", "gf_inv", "gf_mul", "split"]

MAX_SHARES = 255
"""At most 255 shares: x-coordinates are the nonzero bytes."""

_REDUCTION = 0x1B
"""The low byte of the AES polynomial 0x11B, folded in when a shift carries out of bit 7."""


def gf_mul(a: int, b: int) -> int:
    """Multiply two field elements (0..255) in GF(2^8) mod 0x11B.

    Eight fixed rounds of shift-and-add. Where a textbook loop branches on a bit, this builds a
    mask (``-bit`` is all ones or zero) and always performs the same operations.
    """
    product = 0
    for _ in range(8):
        product ^= -(b & 1) & a
        a = ((a << 1) & 0xFF) ^ (-(a >> 7) & _REDUCTION)
        b >>= 1
    return product


def gf_inv(a: int) -> int:
    """The multiplicative inverse of ``a`` in GF(2^8), computed as a^254 (a^255 == 1).

    The same eleven multiplications run for every input; ``gf_inv(0)`` is 0.
    """
    a2 = gf_mul(a, a)
    a3 = gf_mul(a2, a)
    a6 = gf_mul(a3, a3)
    a12 = gf_mul(a6, a6)
    a15 = gf_mul(a12, a3)
    a30 = gf_mul(a15, a15)
    a60 = gf_mul(a30, a30)
    a63 = gf_mul(a60, a3)
    a126 = gf_mul(a63, a63)
    a127 = gf_mul(a126, a)
    return gf_mul(a127, a127)


def split(secret: bytes, shares: int, threshold: int) -> list[bytes]:
    """Split ``secret`` into ``shares`` key shares, any ``threshold`` of which rebuild it.

    Raises ``InvalidParameter`` when the parameters break Vault's rules or the secret is empty.
    """
    _check_split_parameters(secret, shares, threshold)
    if shares == 1:
        return [bytes(secret)]
    x_coordinates = secrets.SystemRandom().sample(range(1, MAX_SHARES + 1), shares)
    coefficients = [secrets.token_bytes(len(secret)) for _ in range(threshold - 1)]
    return _evaluate(secret, coefficients, x_coordinates)


def combine(shares: Sequence[bytes]) -> bytes:
    """Rebuild a secret from at least ``threshold`` key shares by interpolating at x = 0.

    Shares from different splits, or too few of them, combine to wrong bytes without an error;
    the caller finds out when the result fails its AEAD check. Raises ``InvalidKey`` for input
    that cannot be shares of one secret. Messages never quote share bytes.
    """
    _check_shares(shares)
    x_coordinates = [share[-1] for share in shares]
    weights = _lagrange_weights_at_zero(x_coordinates)
    secret = bytearray(len(shares[0]) - 1)
    for share, weight in zip(shares, weights, strict=True):
        for index in range(len(secret)):
            secret[index] ^= gf_mul(share[index], weight)
    return bytes(secret)


def _evaluate(
    secret: bytes, coefficients: Sequence[bytes], x_coordinates: Sequence[int]
) -> list[bytes]:
    """The shares of ``secret`` at ``x_coordinates``; the deterministic core of ``split``.

    ``coefficients[k][i]`` is the coefficient of x^(k+1) in the polynomial for byte ``i``.
    """
    shares = []
    for x in x_coordinates:
        share = bytearray(secret)
        for index in range(len(secret)):
            value = 0
            for coefficient in reversed(coefficients):  # Horner's rule, highest degree first
                value = gf_mul(value, x) ^ coefficient[index]
            share[index] = gf_mul(value, x) ^ secret[index]
        share.append(x)
        shares.append(bytes(share))
    return shares


def _lagrange_weights_at_zero(x_coordinates: Sequence[int]) -> list[int]:
    """Weights w_i with f(0) = sum of w_i * f(x_i) for any f of degree < len(x_coordinates).

    w_i = product over j != i of x_j / (x_j - x_i); subtraction is XOR in GF(2^8). The weights
    depend only on the x-coordinates, so they are computed once, not once per secret byte.
    """
    weights = []
    for i, x_i in enumerate(x_coordinates):
        numerator, denominator = 1, 1
        for j, x_j in enumerate(x_coordinates):
            if j != i:
                numerator = gf_mul(numerator, x_j)
                denominator = gf_mul(denominator, x_j ^ x_i)
        weights.append(gf_mul(numerator, gf_inv(denominator)))
    return weights


def _check_split_parameters(secret: bytes, shares: int, threshold: int) -> None:
    if not secret:
        raise InvalidParameter("the secret to split must not be empty")
    if not 1 <= shares <= MAX_SHARES:
        raise InvalidParameter(f"shares must be between 1 and {MAX_SHARES}")
    if not 1 <= threshold <= shares:
        raise InvalidParameter("threshold must be between 1 and the number of shares")
    if shares > 1 and threshold < 2:
        raise InvalidParameter("threshold must be at least 2 when there is more than one share")


def _check_shares(shares: Sequence[bytes]) -> None:
    if len(shares) < 2:
        raise InvalidKey("at least two key shares are needed to combine")
    length = len(shares[0])
    if length < 2:
        raise InvalidKey("key shares must be at least two bytes long")
    if any(len(share) != length for share in shares):
        raise InvalidKey("key shares have different lengths")
    x_coordinates = [share[-1] for share in shares]
    if 0 in x_coordinates:
        raise InvalidKey("a key share has an invalid x-coordinate")
    if len(set(x_coordinates)) != len(x_coordinates):
        raise InvalidKey("two key shares have the same x-coordinate")
