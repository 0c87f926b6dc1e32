"""Random base62 identifiers: the right length, only base62, and no visible bias."""

from __future__ import annotations

import collections

from strongroom.crypto.random_ids import BASE62, random_base62


def test_length_and_alphabet() -> None:
    for length in (0, 1, 24, 100):
        drawn = random_base62(length)
        assert len(drawn) == length and set(drawn) <= set(BASE62)


def test_every_character_appears_about_equally() -> None:
    counts = collections.Counter(random_base62(62_000))
    assert set(counts) == set(BASE62)
    # 1,000 expected each; a biased mapping (256 % 62) would lift the first eight by ~25 %.
    assert max(counts.values()) < 1_150 and min(counts.values()) > 850


def test_draws_differ() -> None:
    assert len({random_base62(24) for _ in range(1000)}) == 1000
